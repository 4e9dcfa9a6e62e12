import Foundation
import Hummingbird
import HummingbirdTesting
import Notebook
import XCTest
@testable import NotebookServer

final class StaticFilesTests: XCTestCase {
    var temp: URL!

    /// A temporary static root, `root/`, with a secret beside it that traversal would reach:
    /// root/lib/editor.js, root/style.css, root/fonts/Font.woff2, root/notes.html,
    /// root/inside.js -> lib/editor.js, root/escape.js -> ../secret.js, root/outer -> ../outside,
    /// and a trusted folder `fonts-elsewhere` linked as root/trusted.
    override func setUpWithError() throws {
        temp = FileManager.default.temporaryDirectory.appendingPathComponent("d2l-static-\(UUID().uuidString)")
        let fm = FileManager.default
        let root = temp.appendingPathComponent("root")
        for dir in ["root/lib", "root/fonts", "outside", "fonts-elsewhere"] {
            try fm.createDirectory(at: temp.appendingPathComponent(dir), withIntermediateDirectories: true)
        }
        try "editor()".write(to: root.appendingPathComponent("lib/editor.js"), atomically: true, encoding: .utf8)
        try "body{}".write(to: root.appendingPathComponent("style.css"), atomically: true, encoding: .utf8)
        try Data([0x77, 0x4f, 0x46, 0x32]).write(to: root.appendingPathComponent("fonts/Font.woff2"))
        try "<script>alert(1)</script>".write(to: root.appendingPathComponent("notes.html"), atomically: true, encoding: .utf8)
        try "secret".write(to: temp.appendingPathComponent("secret.js"), atomically: true, encoding: .utf8)
        try "secret too".write(to: temp.appendingPathComponent("outside/other.js"), atomically: true, encoding: .utf8)
        try "trusted".write(to: temp.appendingPathComponent("fonts-elsewhere/Math.ttf"), atomically: true, encoding: .utf8)
        try fm.createSymbolicLink(atPath: root.appendingPathComponent("inside.js").path, withDestinationPath: "lib/editor.js")
        try fm.createSymbolicLink(atPath: root.appendingPathComponent("escape.js").path, withDestinationPath: "../secret.js")
        try fm.createSymbolicLink(atPath: root.appendingPathComponent("outer").path, withDestinationPath: "../outside")
        try fm.createSymbolicLink(atPath: root.appendingPathComponent("trusted").path, withDestinationPath: "../fonts-elsewhere")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: temp)
    }

    var roots: StaticRoots {
        let root = StaticRoot(directory: temp.appendingPathComponent("root").path,
                              trustedTargets: [temp.appendingPathComponent("fonts-elsewhere").path])
        return StaticRoots(codemirror: root, katex: root)
    }

    func testFilesInsideTheRootAreServedWithTypesAndCaching() async throws {
        try await makeServer(FakeBackend(), roots: roots).application().test(.live) { client in
            let expected: [(String, String, String)] = [
                ("/static/codemirror/lib/editor.js", "text/javascript; charset=utf-8", "editor()"),
                ("/static/katex/style.css", "text/css; charset=utf-8", "body{}"),
                ("/static/katex/fonts/Font.woff2", "font/woff2", "wOF2"),
                ("/static/codemirror/inside.js", "text/javascript; charset=utf-8", "editor()"),
                ("/static/katex/trusted/Math.ttf", "font/ttf", "trusted"),
            ]
            for (uri, type, body) in expected {
                let response = try await client.execute(uri: uri, method: .get, headers: authorized())
                XCTAssertEqual(response.status, .ok, uri)
                XCTAssertEqual(response.headers[.contentType], type, uri)
                XCTAssertEqual(response.headers[.cacheControl], "max-age=3600", uri)
                XCTAssertEqual(response.text, body, uri)
                XCTAssertEqual(response.headers[.xContentTypeOptions], "nosniff", uri)
            }
        }
    }

    func testTraversalAndEscapesAre404() async throws {
        let secretPath = temp.appendingPathComponent("secret.js").path
        try await makeServer(FakeBackend(), roots: roots).application().test(.live) { client in
            let refused = [
                "/static/codemirror/../secret.js",
                "/static/codemirror/lib/../../secret.js",
                "/static/codemirror/%2e%2e/secret.js",
                "/static/codemirror/%2E%2E/secret.js",
                "/static/codemirror/lib%2f..%2f..%2fsecret.js",
                "/static/codemirror/lib%2F..%2F..%2Fsecret.js",
                "/static/codemirror/..%5csecret.js",
                "/static/codemirror/" + secretPath,              // absolute: //tmp/...
                "/static/codemirror/%2f" + secretPath.dropFirst(),
                "/static/codemirror/escape.js",                  // link to ../secret.js
                "/static/codemirror/outer/other.js",             // link to a folder outside
                "/static/codemirror/lib/editor.js%00.css",
                "/static/codemirror/./lib/editor.js",
                "/static/codemirror/lib",                        // a folder
                "/static/codemirror/notes.html",                 // a type the page does not need
                "/static/codemirror/missing.js",
                "/static/codemirror/",
                "/static/codemirror/%zz.js",
            ]
            for uri in refused {
                let response = try await client.execute(uri: uri, method: .get, headers: authorized())
                XCTAssertEqual(response.status, .notFound, uri)
                XCTAssertFalse(response.text.contains("secret"), uri)
            }
        }
    }

    func testSafeRelativePath() {
        XCTAssertEqual(StaticFiles.safeRelativePath("lib/codemirror.js"), "lib/codemirror.js")
        XCTAssertEqual(StaticFiles.safeRelativePath("mode/swift/swift.js"), "mode/swift/swift.js")
        XCTAssertEqual(StaticFiles.safeRelativePath("a%20b.js"), "a b.js")
        for bad in ["..", "../x.js", "a/../../x.js", "%2e%2e/x.js", "a%2Fb.js", "/etc/passwd", "a//b.js", "a\\b.js",
                    "a%00.js", "", "%", "./a.js"] {
            XCTAssertNil(StaticFiles.safeRelativePath(bad), bad)
        }
    }

    func testSystemFoldersServeCodeMirrorAndKaTeXFonts() async throws {
        let fm = FileManager.default
        try XCTSkipUnless(fm.fileExists(atPath: "/usr/share/javascript/codemirror/lib/codemirror.js"), "libjs-codemirror is not installed")
        try XCTSkipUnless(fm.fileExists(atPath: "/usr/share/javascript/katex/katex.min.css"), "libjs-katex is not installed")
        try await makeServer(FakeBackend()).application().test(.live) { client in
            let script = try await client.execute(uri: "/static/codemirror/lib/codemirror.js", method: .get, headers: authorized())
            XCTAssertEqual(script.status, .ok)
            XCTAssertTrue(script.text.contains("CodeMirror"))
            let css = try await client.execute(uri: "/static/katex/katex.min.css", method: .get, headers: authorized())
            XCTAssertEqual(css.status, .ok)
            XCTAssertEqual(css.headers[.contentType], "text/css; charset=utf-8")
            // Debian links katex/fonts to /usr/share/fonts/truetype/katex: the trusted target.
            let font = try await client.execute(uri: "/static/katex/fonts/KaTeX_Main-Regular.woff2", method: .get,
                                                headers: authorized())
            XCTAssertEqual(font.status, .ok)
            XCTAssertEqual(font.headers[.contentType], "font/woff2")
            let passwd = try await client.execute(uri: "/static/katex/fonts/../../../../../etc/passwd", method: .get,
                                                  headers: authorized())
            XCTAssertEqual(passwd.status, .notFound)
        }
    }

    /// The front end's files, as in the server's bundle.
    private var frontEndFiles: [String] {
        get throws {
            try FileManager.default.contentsOfDirectory(atPath: FrontEndFiles.directory.path)
                .filter { $0.hasSuffix(".mjs") || $0.hasSuffix(".css") }.sorted()
        }
    }

    func testFrontEndFilesAreServedFromTheBundleUncached() async throws {
        let files = try frontEndFiles
        XCTAssertTrue(files.contains("live.mjs") && files.contains("live.css"), "\(files)")
        try await makeServer(FakeBackend()).application().test(.live) { client in
            for name in files {
                let uri = LiveAssetManifest.frontEnd.url(name)
                let response = try await client.execute(uri: uri, method: .get, headers: authorized())
                XCTAssertEqual(response.status, .ok, uri)
                XCTAssertEqual(response.headers[.contentType],
                               name.hasSuffix(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8", uri)
                XCTAssertEqual(response.headers[.cacheControl], "no-store", uri)
                let file = try String(contentsOf: FrontEndFiles.directory.appendingPathComponent(name), encoding: .utf8)
                XCTAssertEqual(response.text, file, uri)
            }
            for refused in ["/static/live/../live/live.mjs", "/static/live/%2e%2e/live/live.mjs", "/static/live/missing.mjs",
                            "/static/live/", "/static/live.js", "/static/live.css"] {
                let response = try await client.execute(uri: refused, method: .get, headers: authorized())
                XCTAssertEqual(response.status, .notFound, refused)
            }
        }
    }

    /// Every module a module imports (`from "./name.mjs"`) is one the server serves: a missing one
    /// would stop the whole page in the browser.
    func testEveryImportedModuleIsServed() async throws {
        let importPattern = try NSRegularExpression(pattern: #"from\s+"\./([^"]+)""#)
        var imported: Set<String> = []
        for name in try frontEndFiles where name.hasSuffix(".mjs") {
            let text = try String(contentsOf: FrontEndFiles.directory.appendingPathComponent(name), encoding: .utf8)
            for match in importPattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                imported.insert(String(text[Range(match.range(at: 1), in: text)!]))
            }
        }
        let names = imported.sorted()
        XCTAssertTrue(names.contains(LiveAssetManifest.katexOptionsModule), "\(names)")
        try await makeServer(FakeBackend()).application().test(.live) { client in
            for name in names {
                let response = try await client.execute(uri: LiveAssetManifest.frontEnd.url(name), method: .get,
                                                        headers: authorized())
                XCTAssertEqual(response.status, .ok, name)
                XCTAssertEqual(response.headers[.contentType], "text/javascript; charset=utf-8", name)
            }
        }
    }

    /// KaTeX's options are written once (KaTeXAssets.renderOptions): the live page gets them as a module.
    func testKaTeXOptionsModuleExportsTheStaticPagesOptions() async throws {
        try await makeServer(FakeBackend()).application().test(.live) { client in
            let uri = LiveAssetManifest.frontEnd.url(LiveAssetManifest.katexOptionsModule)
            let response = try await client.execute(uri: uri, method: .get, headers: authorized())
            XCTAssertEqual(response.status, .ok)
            XCTAssertEqual(response.headers[.contentType], "text/javascript; charset=utf-8")
            XCTAssertEqual(response.headers[.cacheControl], "no-store")
            XCTAssertTrue(response.text.contains("export const katexRenderOptions = \(KaTeXAssets.renderOptions);"), response.text)
        }
    }

    /// Every style sheet and script the weaver links is one the server serves.
    func testEveryLinkedAssetIsServed() async throws {
        let fm = FileManager.default
        try XCTSkipUnless(fm.fileExists(atPath: "/usr/share/javascript/codemirror/lib/codemirror.js"), "libjs-codemirror is not installed")
        try XCTSkipUnless(fm.fileExists(atPath: "/usr/share/javascript/katex/katex.min.css"), "libjs-katex is not installed")
        let urls = LiveAssetManifest.styles + LiveAssetManifest.classicScripts + [LiveAssetManifest.entryModule]
        try await makeServer(FakeBackend()).application().test(.live) { client in
            for uri in urls {
                let response = try await client.execute(uri: uri, method: .get, headers: authorized())
                XCTAssertEqual(response.status, .ok, uri)
            }
        }
    }
}
