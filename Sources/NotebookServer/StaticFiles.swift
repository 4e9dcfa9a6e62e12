import Foundation
import Hummingbird
import Notebook
#if canImport(Glibc)
import Glibc
#endif

/// A folder served under `/static/<name>/`, with the real folders its files may resolve into.
struct StaticRoot: Sendable {
    var directory: String
    /// Folders outside `directory` that its own symbolic links legitimately point into. Debian's
    /// KaTeX links `katex/fonts` to `/usr/share/fonts/truetype/katex`: without it the page's
    /// maths would have no fonts. Any other link leading outside is refused.
    var trustedTargets: [String] = []

    /// The resolved folders a served file must lie strictly inside.
    var allowedPrefixes: [String] {
        ([directory] + trustedTargets).compactMap(StaticFiles.resolve)
    }
}

/// The folders of ``LiveAssetManifest/folders`` on this machine.
struct StaticRoots: Sendable {
    /// By the manifest folder's name.
    var byName: [String: StaticRoot]

    /// CodeMirror's and KaTeX's folders (tests give temporary ones), and the front end's.
    init(codemirror: StaticRoot, katex: StaticRoot, frontEnd: StaticRoot = StaticRoot(directory: FrontEndFiles.directory.path)) {
        byName = [LiveAssetManifest.codeMirror.name: codemirror, LiveAssetManifest.katex.name: katex,
                  LiveAssetManifest.frontEnd.name: frontEnd]
    }

    /// Where the manifest says: Debian's `libjs-codemirror` and `libjs-katex`, and the server's
    /// resource bundle.
    static var system: StaticRoots {
        func root(_ folder: LiveAssetManifest.Folder) -> StaticRoot {
            guard case let .system(directory, trustedTargets) = folder.location else {
                preconditionFailure("\(folder.name) is not a system folder")
            }
            return StaticRoot(directory: directory, trustedTargets: trustedTargets)
        }
        return StaticRoots(codemirror: root(LiveAssetManifest.codeMirror), katex: root(LiveAssetManifest.katex))
    }

    func root(for folder: LiveAssetManifest.Folder) -> StaticRoot? { byName[folder.name] }
}

/// The folders of ``LiveAssetManifest``: the page's own front end (its modules and style sheet,
/// from the server's resource bundle, plus `katex-options.mjs`, written from Swift), and
/// CodeMirror's and KaTeX's files from their Debian folders.
///
/// The URL path is untrusted: a request must not read anything but a regular file strictly inside
/// its folder. `..`, encoded slashes and dots, absolute paths, NUL, and symbolic links leading
/// elsewhere are all answered 404, as is a file type the page does not need.
struct StaticFiles {
    let roots: StaticRoots

    /// The only file types served, so a stray HTML file in a package folder cannot become a page
    /// on this origin.
    static let contentTypes: [String: String] = [
        "js": "text/javascript; charset=utf-8",
        "mjs": "text/javascript; charset=utf-8",
        "css": "text/css; charset=utf-8",
        "woff2": "font/woff2",
        "woff": "font/woff",
        "ttf": "font/ttf",
    ]

    static let cacheControl = "max-age=3600"

    /// The page's own files change with every build of the server: never cached.
    static let frontEndCacheControl = "no-store"

    func add(to router: Router<some RequestContext>) {
        for folder in LiveAssetManifest.folders {
            guard let root = roots.root(for: folder) else { continue }
            let prefix = folder.urlPrefix
            let isFrontEnd = folder.location == .serverResources
            router.get("\(prefix)**") { request, _ -> Response in
                // The raw path, not the router's components: its decoding must be checked here.
                let path = request.uri.path
                guard path.hasPrefix(prefix) else { throw APIError(.notFound, "not found") }
                let relativePath = String(path.dropFirst(prefix.count))
                if isFrontEnd, relativePath == LiveAssetManifest.katexOptionsModule {
                    return Self.asset(FrontEndFiles.katexOptionsModule, type: "mjs")
                }
                guard let response = Self.file(atURLPath: relativePath, in: root,
                                               cacheControl: isFrontEnd ? Self.frontEndCacheControl : Self.cacheControl)
                else { throw APIError(.notFound, "not found") }
                return response
            }
        }
    }

    /// A file the server writes itself, as the front end's files are served.
    static func asset(_ text: String, type: String) -> Response {
        Response(status: .ok,
                 headers: [.contentType: contentTypes[type]!, .cacheControl: frontEndCacheControl],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// The file at `urlPath` (still percent-encoded) under `root`, or `nil` for anything that is
    /// not a plain, permitted file inside it.
    static func file(atURLPath urlPath: String, in root: StaticRoot, cacheControl: String = StaticFiles.cacheControl) -> Response? {
        guard let relative = safeRelativePath(urlPath),
              let type = contentTypes[(relative as NSString).pathExtension.lowercased()],
              let resolved = resolve(root.directory + "/" + relative),
              root.allowedPrefixes.contains(where: { resolved.hasPrefix($0 + "/") }),
              let data = readRegularFile(resolved)
        else { return nil }
        return Response(status: .ok,
                        headers: [.contentType: type, .cacheControl: cacheControl],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// The decoded relative path, or `nil` if it could step outside: empty, absolute, `.` or `..`
    /// components, encoded `/` or `\`, backslashes, NUL or invalid percent-encoding.
    static func safeRelativePath(_ urlPath: String) -> String? {
        let lowered = urlPath.lowercased()
        // An encoded separator would become one only after the router split the path.
        guard !lowered.contains("%2f"), !lowered.contains("%5c"), !lowered.contains("%00"),
              let decoded = urlPath.removingPercentEncoding,
              !decoded.isEmpty, !decoded.hasPrefix("/"),
              !decoded.contains("\0"), !decoded.contains("\\")
        else { return nil }
        let components = decoded.split(separator: "/", omittingEmptySubsequences: false)
        guard components.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }) else { return nil }
        return decoded
    }

    /// The path with every symbolic link and `..` resolved, or `nil` if it does not exist.
    static func resolve(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The contents of `path` if it is a regular file. Opened without following a link, so a
    /// link swapped in after the path was resolved is not followed either.
    static func readRegularFile(_ path: String) -> Data? {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return try? handle.readToEnd() ?? Data()
    }
}
