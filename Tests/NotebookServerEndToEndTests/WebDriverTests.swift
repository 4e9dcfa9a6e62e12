import Foundation
import Notebook
import XCTest
@testable import NotebookServer

/// The WebDriver client against a local page, and the live page's script against a mock server
/// (fetch and EventSource stubbed with canned JSON), in headless Chromium.
final class WebDriverTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("d2l-webdriver-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    // MARK: The client

    func testClientRunsScriptsAndTakesScreenshots() throws {
        let page = directory.appendingPathComponent("client.html")
        try """
        <!DOCTYPE html><html><head><meta charset="utf-8"><title>WebDriver check</title></head>
        <body><h1 id="title">Hello</h1><input id="field" value=""></body></html>
        """.write(to: page, atomically: true, encoding: .utf8)

        let driver = try WebDriver()
        defer { driver.quit() }
        try driver.navigate(to: page)

        XCTAssertEqual(try driver.executeScript("return document.title") as? String, "WebDriver check")
        try driver.executeScript("window.answer = arguments[0] * 6; document.getElementById('title').textContent = arguments[1];",
                                 args: [7, "changed"])
        XCTAssertEqual((try driver.executeScript("return window.answer") as? NSNumber)?.intValue, 42)
        XCTAssertEqual(try driver.executeScript("return document.getElementById('title').textContent") as? String, "changed")
        XCTAssertNil(try driver.executeScript("return null"))
        let structured = try driver.executeScript("return {list: [1, 'two'], flag: true}") as? [String: Any]
        XCTAssertEqual((structured?["list"] as? [Any])?.count, 2)
        XCTAssertEqual(structured?["flag"] as? Bool, true)

        let asyncAnswer = try driver.executeAsyncScript(
            "const done = arguments[arguments.length - 1]; setTimeout(() => done('later ' + arguments[0]), 50);",
            args: ["on"])
        XCTAssertEqual(asyncAnswer as? String, "later on")

        try driver.executeScript("setTimeout(() => { window.flag = 'set'; }, 200)")
        try driver.waitUntil(timeout: 5, "window.flag === 'set'")
        XCTAssertThrowsError(try driver.waitUntil(timeout: 0.3, "window.never === true"))
        XCTAssertThrowsError(try driver.executeScript("throw new Error('boom')")) { error in
            XCTAssertTrue(String(describing: error).contains("boom"), "\(error)")
        }

        try driver.sendKeys("typed", to: "#field")
        XCTAssertEqual(try driver.executeScript("return document.getElementById('field').value") as? String, "typed")

        let shot = directory.appendingPathComponent("client.png")
        let png = try driver.screenshot(to: shot)
        XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "not a PNG")
        XCTAssertEqual(try Data(contentsOf: shot), png)
        XCTAssertGreaterThan(png.count, 1000)
    }

    // MARK: The live page on a mock server

    func testLivePageEditorsRunKeysAndEvents() throws {
        let driver = try WebDriver()
        defer { driver.quit() }
        try openMockPage(driver, fresh: true)

        // Editors: sources, Markdown line numbers, listing read-only without a toolbar.
        XCTAssertEqual(try editorValue(driver, "setup"), "let x = 1\nprint(x)")
        XCTAssertEqual(try driver.executeScript(cm("setup") + "return cm.getOption('firstLineNumber');") as? Int, 10)
        XCTAssertEqual(try driver.executeScript(
            "return document.querySelector('section.cell[data-cell-id=setup] .CodeMirror-linenumber:not(:empty)') !== null && "
                + "Array.from(document.querySelectorAll('section.cell[data-cell-id=setup] .CodeMirror-linenumber')).map(e => e.textContent).includes('11')") as? Bool,
            true, "line numbers follow the Markdown file")
        XCTAssertEqual(try driver.executeScript(cm("shown") + "return cm.getOption('readOnly');") as? Bool, true)
        XCTAssertEqual(try driver.executeScript(cm("setup") + "return cm.getOption('readOnly');") as? Bool, false)
        XCTAssertEqual(try count(driver, "section.cell[data-cell-id=shown] button.run"), 0)
        XCTAssertEqual(try count(driver, "section.cell[data-cell-id=setup] pre.source"), 0)
        XCTAssertEqual(try count(driver, "section.cell[data-cell-id=ex-sampling] button.save:disabled"), 1, "clean: nothing to save")
        XCTAssertEqual(try count(driver, "section.cell[data-cell-id=setup] button.stop:not([hidden])"), 0)
        XCTAssertEqual(try text(driver, "section.cell[data-cell-id=setup] .cell-status"), "ran")
        XCTAssertTrue(try classes(driver, "setup").contains("status-ran"))
        XCTAssertFalse(try classes(driver, "setup").contains("status-ok"), "the static class is replaced")
        XCTAssertEqual(try text(driver, "#live-banner .live-snapshot"), "ready")
        XCTAssertGreaterThan(try count(driver, "main p .katex"), 0, "KaTeX rendered the prose's maths")
        XCTAssertEqual(try count(driver, ".outputs .katex"), 0, "outputs are not typeset")

        // Shift-Enter with real keys: runs with the editor's source, credentials, moves on.
        try driver.executeScript("__mock.holdRuns = true;" + cm("setup") + "cm.focus(); cm.setCursor({line: 1, ch: 8});")
        try driver.pressKeys("  // more", holding: [])
        try driver.pressKeys(WebDriver.Key.enter.rawValue, holding: [.shift])
        try driver.waitUntil("__mock.requests.some(r => r.method === 'POST' && r.url === '/api/cells/setup/run')")
        let run = try driver.executeScript(
            "return __mock.requests.find(r => r.method === 'POST' && r.url === '/api/cells/setup/run')") as? [String: Any]
        XCTAssertEqual((run?["body"] as? [String: Any])?["source"] as? String, "let x = 1\nprint(x)  // more")
        XCTAssertEqual(run?["credentials"] as? String, "same-origin")
        XCTAssertEqual(try editorValue(driver, "setup"), "let x = 1\nprint(x)  // more", "Shift-Enter inserts no newline")
        XCTAssertEqual(try driver.executeScript(
            "return document.activeElement.closest('section.cell').getAttribute('data-cell-id')") as? String,
            "ex-sampling", "focus moves to the next cell's editor")
        XCTAssertEqual(try text(driver, "section.cell[data-cell-id=setup] .cell-status"), "running")
        XCTAssertTrue(try classes(driver, "setup").contains("status-running"))
        XCTAssertEqual(try count(driver, "section.cell[data-cell-id=setup] button.run:disabled"), 1)
        XCTAssertEqual(try count(driver, "section.cell[data-cell-id=setup] button.stop:not([hidden])"), 1)
        let first = try text(driver, "section.cell[data-cell-id=setup] .cell-time")
        try driver.waitUntil(timeout: 5,
            "document.querySelector('section.cell[data-cell-id=setup] .cell-time').textContent !== \(jsString(first))")

        // Live events while it runs: progress line and figure, replaced by the final outputs.
        try driver.executeScript("__mock.emit('progress', {id: 'setup', line: 'epoch 10, perplexity 3.2'});"
            + "__mock.emit('figure', {id: 'setup', svg: '<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"live1\" width=\"10\" height=\"10\"></svg>'});"
            + "__mock.emit('figure', {id: 'setup', svg: '<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"live2\" width=\"10\" height=\"10\"></svg>'});")
        XCTAssertEqual(try text(driver, "section.cell[data-cell-id=setup] .cell-progress"), "epoch 10, perplexity 3.2")
        XCTAssertEqual(try count(driver, "section.cell[data-cell-id=setup] .live-figure svg"), 1)
        XCTAssertEqual(try count(driver, "section.cell[data-cell-id=setup] .live-figure svg.live2"), 1)

        // Stop posts an interrupt.
        try driver.click(css: "section.cell[data-cell-id=setup] button.stop")
        try driver.waitUntil("__mock.requests.some(r => r.method === 'POST' && r.url === '/api/cells/setup/interrupt')")

        // The answer: outputs, status, time; live area gone; Run back.
        try driver.executeScript("__mock.held['setup']()")
        try driver.waitUntil("document.querySelector('section.cell[data-cell-id=setup]').classList.contains('status-ran')")
        XCTAssertEqual(try text(driver, "section.cell[data-cell-id=setup] .outputs"), "ran setup")
        XCTAssertEqual(try text(driver, "section.cell[data-cell-id=setup] .cell-time"), "1.50 s")
        XCTAssertEqual(try count(driver, "section.cell[data-cell-id=setup] .live-figure svg"), 0)
        XCTAssertEqual(try count(driver, "section.cell[data-cell-id=setup] button.run:disabled"), 0)
        XCTAssertEqual(try count(driver, "section.cell[data-cell-id=setup] button.stop:not([hidden])"), 0)

        // Run button; a failed request is reported in the cell and the status is restored.
        try driver.executeScript("__mock.holdRuns = false; __mock.failRuns = true;")
        try driver.click(css: "section.cell[data-cell-id=ex-sampling] button.run")
        try driver.waitUntil("document.querySelector('section.cell[data-cell-id=ex-sampling] .cell-message').textContent.includes('snapshot is not ready')")
        XCTAssertEqual(try text(driver, "section.cell[data-cell-id=ex-sampling] .cell-status"), "not run")
        XCTAssertEqual(try text(driver, "section.cell[data-cell-id=ex-sampling] .cell-time"), "", "no elapsed time left behind")
        XCTAssertEqual(try count(driver, "section.cell[data-cell-id=ex-sampling] button.run:disabled"), 0)

        // Stale from a cell event; a snapshot event updates the banner.
        try driver.executeScript("""
            const state = Object.assign({}, __mock.cells[1], {status: 'stale', note: 'setup changed'});
            __mock.emit('cell', state);
            __mock.emit('snapshot', {snapshot: 'training'});
            """)
        XCTAssertTrue(try classes(driver, "ex-sampling").contains("status-stale"))
        XCTAssertEqual(try text(driver, "section.cell[data-cell-id=ex-sampling] .cell-status"), "stale: re-run")
        XCTAssertEqual(try text(driver, "#live-banner .live-snapshot"), "training…")

        let errors = try driver.executeScript("return __mock.errors") as? [String] ?? ["?"]
        XCTAssertEqual(errors, [], "script errors on the page")
        try keepScreenshot(driver, "live-page-running.png")
    }

    func testPageLoadedMidRunShowsTheRunSoFar() throws {
        let driver = try WebDriver()
        defer { driver.quit() }
        try openMockPage(driver, fresh: true, query: "?running")

        XCTAssertTrue(try classes(driver, "setup").contains("status-running"))
        XCTAssertEqual(try text(driver, "section.cell[data-cell-id=setup] .cell-progress"), "epoch 42, perplexity 7.1")
        XCTAssertEqual(try count(driver, "section.cell[data-cell-id=setup] .live-figure svg.restored"), 1)
        XCTAssertEqual(try text(driver, "section.cell[data-cell-id=setup] .outputs"), "epochs so far")
        // The elapsed time counts from the run's start, not from the page's load.
        let elapsed = try text(driver, "section.cell[data-cell-id=setup] .cell-time")
        XCTAssertTrue(elapsed.hasPrefix("1:3"), "elapsed \(elapsed)")
        XCTAssertEqual(try count(driver, "section.cell[data-cell-id=setup] button.stop:not([hidden])"), 1)

        // When it ends (a cell event), the live area goes.
        try driver.executeScript("__mock.emit('cell', Object.assign({}, __mock.cells[0], {status: 'ran', seconds: 120, "
            + "progress: null, liveFigure: null, html: '<pre class=\"output stdout\">done</pre>'}))")
        XCTAssertEqual(try count(driver, "section.cell[data-cell-id=setup] .live-figure svg"), 0)
        XCTAssertEqual(try text(driver, "section.cell[data-cell-id=setup] .cell-progress"), "")
        XCTAssertEqual(try text(driver, "section.cell[data-cell-id=setup] .cell-time"), "2 min 0 s")
        let errors = try driver.executeScript("return __mock.errors") as? [String] ?? ["?"]
        XCTAssertEqual(errors, [], "script errors on the page")
    }

    func testLivePageKeepsUnsavedEditsSavesAndReportsConflicts() throws {
        let driver = try WebDriver()
        defer { driver.quit() }
        try openMockPage(driver, fresh: true)

        // An edit: marker, draft in localStorage (with its base).
        try driver.executeScript(cm("ex-sampling") + "cm.setValue('print(\"edited\")');")
        XCTAssertEqual(try text(driver, "section.cell[data-cell-id=ex-sampling] .cell-modified"), "modified")
        XCTAssertTrue(try classes(driver, "ex-sampling").contains("modified"))
        let draft = try driver.executeScript("return JSON.parse(localStorage.getItem('d2l-live:Chapters/mock.md:ex-sampling'))") as? [String: Any]
        XCTAssertEqual(draft?["source"] as? String, "print(\"edited\")")
        XCTAssertEqual(draft?["base"] as? String, "for i in 0..<3 {\n    print(i)\n}")

        // Survives a reload.
        try openMockPage(driver, fresh: false)
        XCTAssertEqual(try editorValue(driver, "ex-sampling"), "print(\"edited\")")
        XCTAssertEqual(try text(driver, "section.cell[data-cell-id=ex-sampling] .cell-modified"), "modified (unsaved, restored)")
        XCTAssertEqual(try count(driver, "section.cell[data-cell-id=setup].modified"), 0)

        // Ctrl-S in the editor saves with the loaded version; clean afterwards, draft gone.
        try driver.executeScript(cm("ex-sampling") + "cm.focus();")
        try driver.pressKeys("s", holding: [.control])
        try driver.waitUntil("__mock.requests.some(r => r.method === 'PUT')")
        let put = try driver.executeScript("return __mock.requests.find(r => r.method === 'PUT')") as? [String: Any]
        XCTAssertEqual(put?["url"] as? String, "/api/cells/ex-sampling")
        XCTAssertEqual((put?["body"] as? [String: Any])?["version"] as? String, "v1")
        XCTAssertEqual((put?["body"] as? [String: Any])?["source"] as? String, "print(\"edited\")")
        try driver.waitUntil("!document.querySelector('section.cell[data-cell-id=ex-sampling]').classList.contains('modified')")
        XCTAssertNil(try driver.executeScript("return localStorage.getItem('d2l-live:Chapters/mock.md:ex-sampling')"))
        XCTAssertEqual(try driver.executeScript("return d2lLive.version") as? String, "v2")

        // Our own save's file-changed event does not raise the banner.
        try driver.executeScript("__mock.emit('file-changed', {version: 'v2'})")
        Thread.sleep(forTimeInterval: 0.5)
        XCTAssertEqual(try count(driver, "#live-banner button.reload"), 0)

        // A conflict keeps the edit and says so; the banner offers a reload. The next save uses v2.
        try driver.executeScript("__mock.saveMode = 'conflict';" + cm("ex-sampling") + "cm.setValue('print(\"second\")');")
        try driver.click(css: "section.cell[data-cell-id=ex-sampling] button.save")
        try driver.waitUntil("document.querySelector('section.cell[data-cell-id=ex-sampling] .cell-message').textContent.includes('changed on disk')")
        let message = try text(driver, "section.cell[data-cell-id=ex-sampling] .cell-message")
        XCTAssertTrue(message.contains("your edit is kept here"), message)
        XCTAssertEqual(try driver.executeScript("return __mock.requests.filter(r => r.method === 'PUT')[1].body.version") as? String, "v2")
        XCTAssertEqual(try editorValue(driver, "ex-sampling"), "print(\"second\")")
        XCTAssertEqual(try text(driver, "section.cell[data-cell-id=ex-sampling] .cell-modified"), "modified")
        XCTAssertNotNil(try driver.executeScript("return localStorage.getItem('d2l-live:Chapters/mock.md:ex-sampling')"))
        try driver.waitUntil("document.querySelector('#live-banner button.reload') !== null")

        // 422: the server's reason in the cell.
        try driver.executeScript("__mock.saveMode = 'unsavable';")
        try driver.click(css: "section.cell[data-cell-id=ex-sampling] button.save")
        try driver.waitUntil("document.querySelector('section.cell[data-cell-id=ex-sampling] .cell-message').textContent.includes('would close the fence')")

        // Reload from disk: a clean cell takes the file's source, the edited one keeps its edit.
        try driver.executeScript("""
            __mock.version = 'v-disk';
            __mock.cells[0].source = 'let x = 100';
            __mock.cells[1].source = 'print(\"disk\")';
            """)
        try driver.click(css: "#live-banner button.reload")
        try driver.waitUntil("d2lLive.version === 'v-disk'")
        XCTAssertEqual(try editorValue(driver, "setup"), "let x = 100")
        XCTAssertEqual(try editorValue(driver, "ex-sampling"), "print(\"second\")")
        XCTAssertEqual(try count(driver, "#live-banner button.reload"), 0)
        XCTAssertTrue(try text(driver, "section.cell[data-cell-id=ex-sampling] .cell-message").contains("changed on disk"))

        // Revert discards the edit.
        try driver.click(css: "section.cell[data-cell-id=ex-sampling] button.revert")
        XCTAssertEqual(try editorValue(driver, "ex-sampling"), "print(\"disk\")")
        XCTAssertFalse(try classes(driver, "ex-sampling").contains("modified"))
        XCTAssertNil(try driver.executeScript("return localStorage.getItem('d2l-live:Chapters/mock.md:ex-sampling')"))

        // A file-changed event for someone else's edit raises the banner.
        try driver.executeScript("__mock.emit('file-changed', {version: 'v-other'})")
        try driver.waitUntil("document.querySelector('#live-banner button.reload') !== null")

        // Ctrl-S outside the editors saves every edited cell, each with the version the last made.
        try driver.executeScript("__mock.saveMode = 'ok';" + cm("setup") + "cm.setValue('let x = 7');"
            + "document.querySelector('section.cell[data-cell-id=ex-sampling] .CodeMirror').CodeMirror.setValue('print(7)');"
            + "document.activeElement.blur(); document.body.focus();")
        try driver.pressKeys("s", holding: [.control])
        try driver.waitUntil("document.querySelectorAll('section.cell.modified').length === 0")
        XCTAssertEqual(try driver.executeScript(
            "return __mock.requests.filter(r => r.method === 'PUT').slice(-2).map(r => r.url + ' ' + r.body.version)") as? [String],
            ["/api/cells/setup v-disk", "/api/cells/ex-sampling v3"])
        XCTAssertEqual(try driver.executeScript("return d2lLive.version") as? String, "v4")

        let errors = try driver.executeScript("return __mock.errors") as? [String] ?? ["?"]
        XCTAssertEqual(errors, [], "script errors on the page")
        try keepScreenshot(driver, "live-page-conflict.png")
    }

    // MARK: Helpers

    /// A screenshot of the page, kept in `$D2L_SCREENSHOTS` when set (to look at the page).
    private func keepScreenshot(_ driver: WebDriver, _ name: String) throws {
        let png = try driver.screenshot()
        XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
        if let folder = ProcessInfo.processInfo.environment["D2L_SCREENSHOTS"] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try png.write(to: URL(fileURLWithPath: folder).appendingPathComponent(name))
        }
    }

    /// `cm` bound to cell `id`'s CodeMirror instance, for scripts.
    private func cm(_ id: String) -> String {
        "const cm = document.querySelector('section.cell[data-cell-id=\"\(id)\"] .CodeMirror').CodeMirror;"
    }

    private func editorValue(_ driver: WebDriver, _ id: String) throws -> String? {
        try driver.executeScript(cm(id) + "return cm.getValue();") as? String
    }

    private func text(_ driver: WebDriver, _ selector: String) throws -> String {
        try driver.executeScript("const e = document.querySelector(arguments[0]); return e ? e.textContent.trim() : '<no \(selector)>';",
                                 args: [selector]) as? String ?? ""
    }

    private func count(_ driver: WebDriver, _ selector: String) throws -> Int {
        (try driver.executeScript("return document.querySelectorAll(arguments[0]).length", args: [selector]) as? Int) ?? -1
    }

    private func classes(_ driver: WebDriver, _ id: String) throws -> [String] {
        try driver.executeScript("return Array.from(document.querySelector('section.cell[data-cell-id=\"' + arguments[0] + '\"]').classList)",
                                 args: [id]) as? [String] ?? []
    }

    private func jsString(_ value: String) -> String {
        let data = try! JSONSerialization.data(withJSONObject: [value])
        return String(String(decoding: data, as: UTF8.self).dropFirst().dropLast())
    }

    /// Writes the mock page (the live page's structure, its front end from ``FrontEndFiles``, the
    /// system's CodeMirror and KaTeX) and opens it; `fresh` clears localStorage first.
    private func openMockPage(_ driver: WebDriver, fresh: Bool, query: String = "") throws {
        let codemirror = "file:///usr/share/javascript/codemirror"
        let katex = "file:///usr/share/javascript/katex"
        for path in ["/usr/share/javascript/codemirror/lib/codemirror.js", "/usr/share/javascript/codemirror/mode/swift/swift.js",
                     "/usr/share/javascript/codemirror/addon/edit/matchbrackets.js", "/usr/share/javascript/katex/katex.min.js",
                     "/usr/share/javascript/katex/contrib/auto-render.js"] {
            guard FileManager.default.fileExists(atPath: path) else {
                throw WebDriverError("\(path) is missing: install libjs-codemirror and libjs-katex")
            }
        }
        // The front end as the server serves it: the bundle's folder, and the module it writes.
        let frontEnd = directory.appendingPathComponent(LiveAssetManifest.frontEnd.name)
        try? FileManager.default.removeItem(at: frontEnd)  // a test may open the page twice
        try FileManager.default.copyItem(at: FrontEndFiles.directory, to: frontEnd)
        try FrontEndFiles.katexOptionsModule.write(to: frontEnd.appendingPathComponent(LiveAssetManifest.katexOptionsModule),
                                                  atomically: true, encoding: .utf8)
        try Self.mockServer.write(to: directory.appendingPathComponent("mock.js"), atomically: true, encoding: .utf8)
        let page = directory.appendingPathComponent("live.html")
        try """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>mock chapter</title>
        <link rel="stylesheet" href="\(codemirror)/lib/codemirror.css">
        <link rel="stylesheet" href="\(katex)/katex.min.css">
        <link rel="stylesheet" href="live/live.css">
        </head><body><main>
        <h1>Mock chapter</h1>
        <p>Inline maths $x_t = \\phi(W h_{t-1})$ and a display:</p>
        <p>$$\\sum_{t=1}^T \\log p(x_t)$$</p>
        <section class="cell status-ok" id="setup" data-cell-id="setup" data-kind="main" data-line="10">
        <div class="cell-header"><span class="cell-id">setup</span> <span class="cell-line">Chapters/mock.md:10</span> <span class="cell-time">0.25 s</span> <span class="cell-status">ran</span></div>
        <pre class="source"><code>let x = 1
        print(x)</code></pre>
        <div class="outputs"><pre class="output stdout">1 costs $5 and $6</pre></div>
        </section>
        <section class="cell status-skipped exercise" id="ex-sampling" data-cell-id="ex-sampling" data-kind="exercise" data-line="20">
        <div class="cell-header"><span class="cell-id">ex-sampling</span> <span class="cell-line">Chapters/mock.md:20</span> <span class="cell-tag">.exercise</span> <span class="cell-status">skipped</span></div>
        <pre class="source"><code>for i in 0..&lt;3 {
            print(i)
        }</code></pre>
        <div class="outputs"></div>
        </section>
        <section class="cell status-skipped" id="shown" data-cell-id="shown" data-kind="listing" data-line="30">
        <div class="cell-header"><span class="cell-id">shown</span> <span class="cell-line">Chapters/mock.md:30</span> <span class="cell-tag">.norun</span> <span class="cell-status">skipped</span></div>
        <pre class="source"><code>// only shown
        let y = 2</code></pre>
        <div class="outputs"></div>
        </section>
        </main>
        <script src="mock.js"></script>
        <script src="\(codemirror)/lib/codemirror.js"></script>
        <script src="\(codemirror)/mode/swift/swift.js"></script>
        <script src="\(codemirror)/addon/edit/matchbrackets.js"></script>
        <script src="\(katex)/katex.min.js"></script>
        <script src="\(katex)/contrib/auto-render.js"></script>
        <script type="module" src="live/live.mjs"></script>
        </body></html>
        """.write(to: page, atomically: true, encoding: .utf8)
        if fresh {
            try driver.navigate(to: page)
            try driver.executeScript("localStorage.clear()")
        }
        try driver.navigate(to: page.absoluteString + query)
        try driver.waitUntil(timeout: 10, "window.d2lLive && d2lLive.loaded && document.querySelectorAll('section.cell .CodeMirror').length === 3")
    }

    /// fetch and EventSource answering like the server, recording what the page asks.
    private static let mockServer = #"""
(function () {
  "use strict";
  var mock = window.__mock = {
    version: "v1", saved: 1, saveMode: "ok", holdRuns: false, failRuns: false, held: {}, requests: [], errors: [], sources: [],
    cells: [
      { id: "setup", index: 0, line: 10, source: "let x = 1\nprint(x)", kind: "main", status: "ran", outputs: [],
        html: "<pre class=\"output stdout\">1 costs $5 and $6</pre>", seconds: 0.25, ranAt: 1, note: null },
      { id: "ex-sampling", index: 1, line: 20, source: "for i in 0..<3 {\n    print(i)\n}", kind: "exercise",
        status: "not-run", outputs: [], html: "", seconds: null, ranAt: null, note: "exercises run on demand" },
      { id: "shown", index: 2, line: 30, source: "// only shown\nlet y = 2", kind: "listing", status: "skipped",
        outputs: [], html: "", seconds: null, ranAt: null, note: ".norun" }
    ]
  };
  if (window.location.search === "?running") {
    // The page loaded while setup trains: 95 s in, one epoch reported, a figure drawn.
    Object.assign(mock.cells[0], { status: "running", html: "<pre class=\"output stdout\">epochs so far</pre>",
      seconds: null, progress: "epoch 42, perplexity 7.1", startedAt: Date.now() / 1000 - 95,
      liveFigure: "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"restored\" width=\"10\" height=\"10\"></svg>" });
  }
  window.addEventListener("error", function (e) { mock.errors.push(String(e.message)); });
  window.addEventListener("unhandledrejection", function (e) { mock.errors.push("unhandled rejection: " + e.reason); });
  function json(status, body) {
    return new Response(JSON.stringify(body), { status: status, headers: { "Content-Type": "application/json" } });
  }
  window.fetch = function (url, options) {
    options = options || {};
    var method = (options.method || "GET").toUpperCase();
    var body = options.body ? JSON.parse(options.body) : null;
    url = String(url);
    mock.requests.push({ method: method, url: url, body: body, credentials: options.credentials || null });
    var match;
    if (method === "GET" && url === "/api/chapter") {
      return Promise.resolve(json(200, { version: mock.version, path: "Chapters/mock.md", snapshot: "ready",
        cells: mock.cells.map(function (c) { return Object.assign({}, c); }) }));
    }
    if (method === "POST" && (match = /^\/api\/cells\/([^\/]+)\/run$/.exec(url))) {
      var id = decodeURIComponent(match[1]);
      if (mock.failRuns) return Promise.resolve(json(503, { error: "the snapshot is not ready" }));
      var answer = { status: "ran", outputs: [{ type: "stdout", text: "ran " + id }],
        html: "<pre class=\"output stdout\">ran " + id + "</pre>", seconds: 1.5 };
      if (mock.holdRuns) {
        return new Promise(function (resolve) { mock.held[id] = function () { resolve(json(200, answer)); }; });
      }
      return new Promise(function (resolve) { setTimeout(function () { resolve(json(200, answer)); }, 50); });
    }
    if (method === "POST" && /^\/api\/cells\/[^\/]+\/interrupt$/.test(url)) {
      return Promise.resolve(json(200, { interrupted: true }));
    }
    if (method === "PUT" && (match = /^\/api\/cells\/([^\/]+)$/.exec(url))) {
      if (mock.saveMode === "conflict") {
        return Promise.resolve(json(409, { error: "the chapter changed on disk since it was loaded", version: "v-disk" }));
      }
      if (mock.saveMode === "unsavable") {
        return Promise.resolve(json(422, { error: "the edit would close the fence" }));
      }
      if (body.version !== mock.version) return Promise.resolve(json(409, { error: "stale version", version: mock.version }));
      mock.saved += 1;
      mock.version = "v" + mock.saved;
      var cell = mock.cells.find(function (c) { return c.id === decodeURIComponent(match[1]); });
      if (cell) cell.source = body.source;
      return Promise.resolve(json(200, { version: mock.version }));
    }
    return Promise.resolve(json(404, { error: "no route " + method + " " + url }));
  };
  window.EventSource = function (url, options) {
    this.url = url; this.options = options; this.readyState = 1; this.listeners = {};
    mock.sources.push(this);
  };
  window.EventSource.prototype.addEventListener = function (name, handler) {
    (this.listeners[name] = this.listeners[name] || []).push(handler);
  };
  window.EventSource.prototype.close = function () { this.readyState = 2; };
  mock.emit = function (name, data) {
    mock.sources.forEach(function (source) {
      (source.listeners[name] || []).forEach(function (handler) { handler({ type: name, data: JSON.stringify(data) }); });
    });
  };
})();
"""#
}
