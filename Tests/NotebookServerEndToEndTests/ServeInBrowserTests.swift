import Foundation
import XCTest

/// End to end: the release `d2l-run serve` on a copy of the real chapter rnn-scratch.md, driven by
/// headless Chromium as a reader doing the exercises would: wait for the trained snapshot, edit an
/// exercise, run it with Shift-Enter, save it with Ctrl-S, and see a save refused when the file
/// changed on disk meanwhile.
final class ServeInBrowserTests: XCTestCase {
    private static let original = "[1, 2, 4, 10].map"
    private static let edited = "[1, 3].map"
    private static let editedAgain = "[1, 5].map"

    func testEditRunSaveAndConflictInTheBrowser() throws {
        let files = FileManager.default
        let started = Date()
        for (path, package) in [(WebDriver.chromiumPath, "chromium"), (WebDriver.chromedriverPath, "chromium-driver")] {
            guard files.isExecutableFile(atPath: path) else {
                XCTFail("\(path) is missing: install the Debian package '\(package)' (`make test` installs it as root)")
                return
            }
        }

        // 1. A copy of the real chapter, served by the release d2l-run.
        let folder = files.temporaryDirectory.appendingPathComponent("d2l-browser-\(UUID().uuidString)")
        try files.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? files.removeItem(at: folder) }
        let chapter = folder.appendingPathComponent("rnn-scratch.md")
        let originalText = try String(contentsOf: ServedChapter.projectRoot.appendingPathComponent("Chapters/rnn-scratch.md"),
                                      encoding: .utf8)
        XCTAssertEqual(originalText.components(separatedBy: Self.original).count, 2,
                       "rnn-scratch.md should have `\(Self.original)` exactly once (in ex-sampling)")
        try originalText.write(to: chapter, atomically: true, encoding: .utf8)

        let served = try ServedChapter(chapter: chapter.path)
        defer { served.close() }
        let driver = try WebDriver()
        defer { driver.quit() }

        func diagnostics() -> String {
            let log = driver.browserLog().suffix(20).joined(separator: "\n")
            return "\nbrowser console:\n\(log)\nserver stderr (tail):\n"
                + served.standardError.split(separator: "\n").suffix(15).joined(separator: "\n")
        }
        func wait(_ timeout: TimeInterval, _ condition: String, line: UInt = #line) throws {
            do {
                try driver.waitUntil(timeout: timeout, condition, line: line)
            } catch {
                throw WebDriverError("\(error)\(diagnostics())")
            }
        }
        func string(_ script: String) throws -> String { try driver.executeScript(script) as? String ?? "" }
        let cell = "document.querySelector('section.cell[data-cell-id=\"ex-sampling\"]')"
        let editor = "\(cell).querySelector('.CodeMirror').CodeMirror"

        // 2. The token URL sets the cookie and redirects to /; the snapshot trains, then is ready.
        try driver.navigate(to: served.url)
        try wait(20, "window.d2lLive && document.querySelector('section.cell[data-cell-id=\"ex-sampling\"] .CodeMirror')")
        XCTAssertEqual(try string("return location.pathname + location.search"), "/", "the token URL should redirect to /")
        try wait(120, """
            var p = window.d2lLive; if (p.snapshot === 'failed') return true;
            return p.snapshot === 'ready' && !!document.querySelector('section[data-cell-id="train"] .outputs svg');
            """)
        let chapterState = try driver.executeAsyncScript("""
            var done = arguments[arguments.length - 1];
            fetch('/api/chapter', {credentials: 'same-origin'}).then(function (r) { return r.json(); })
              .then(function (j) { done(j.snapshot); }, function (e) { done('error: ' + e); });
            """) as? String
        XCTAssertEqual(chapterState, "ready", "GET /api/chapter from the page should say the snapshot is ready\(diagnostics())")
        XCTAssertEqual(try string("return document.querySelector('#live-banner').getAttribute('data-snapshot')"), "ready")
        let snapshotReady = Date()

        // 3. Edit ex-sampling, run it with Shift-Enter, read its table.
        try driver.executeScript("""
            var cm = \(editor); cm.setValue(cm.getValue().replace(arguments[0], arguments[1]));
            cm.focus(); cm.setCursor({line: 0, ch: 0});
            """, args: [Self.original, Self.edited])
        try wait(5, "\(cell).classList.contains('modified')")
        try driver.pressKeys(WebDriver.Key.enter.rawValue, holding: [.shift])
        try wait(120, """
            var s = \(cell); var status = s.getAttribute('data-status');
            if (status === 'failed') return true;
            return status === 'ran' && s.querySelectorAll('.outputs table tr td').length > 0;
            """)
        let cellText = try string("return \(cell).innerText")
        XCTAssertEqual(try string("return \(cell).getAttribute('data-status')"), "ran",
                       "ex-sampling: \(cellText)\(diagnostics())")
        let rows = try driver.executeScript("""
            return Array.from(\(cell).querySelectorAll('.outputs table tr'))
              .filter(function (tr) { return tr.querySelector('td'); })
              .map(function (tr) { return Array.from(tr.querySelectorAll('td')).map(function (td) { return td.textContent.trim(); }); });
            """) as? [[String]] ?? []
        XCTAssertEqual(rows.map { $0.first ?? "" }, ["1", "3"], "rows: \(rows)")
        for row in rows {
            XCTAssertEqual(row.count, 2, "row: \(row)")
            XCTAssertTrue(row.last?.hasPrefix("it has") == true, "sampled text should start with the prefix: \(row)")
        }
        let ranExercise = Date()

        // 4. Ctrl-S in the editor saves exactly that edit into the chapter file.
        try driver.executeScript("var cm = \(editor); cm.focus();")
        try driver.pressKeys("s", holding: [.control])
        try wait(20, "!\(cell).classList.contains('modified') && \(cell).querySelector('button.save').disabled")
        let expected = originalText.replacingOccurrences(of: Self.original, with: Self.edited)
        var onDisk = try String(contentsOf: chapter, encoding: .utf8)
        XCTAssertTrue(onDisk.contains(Self.edited))
        XCTAssertFalse(onDisk.contains("[1, 2, 4, 10]"))
        XCTAssertEqual(onDisk, expected, "the save should change nothing but ex-sampling's edit")
        XCTAssertTrue(try string("return \(cell).querySelector('.cell-message').textContent").hasPrefix("Saved"),
                      "save message\(diagnostics())")

        // 5. The file changes on disk behind the page's back: the next save is refused, nothing is lost.
        let changedOnDisk = onDisk + "\n"
        try changedOnDisk.write(to: chapter, atomically: false, encoding: .utf8)
        try driver.executeScript("""
            var cm = \(editor); cm.setValue(cm.getValue().replace(arguments[0], arguments[1])); cm.focus();
            """, args: [Self.edited, Self.editedAgain])
        try wait(5, "\(cell).classList.contains('modified')")
        try driver.pressKeys("s", holding: [.control])
        try wait(20, "/Not saved/.test(\(cell).querySelector('.cell-message').textContent)")
        let message = try string("return \(cell).querySelector('.cell-message').textContent")
        XCTAssertTrue(message.contains("changed on disk"), "conflict message: \(message)")
        XCTAssertTrue(try string("return \(editor).getValue()").contains(Self.editedAgain), "the edit should stay in the editor")
        XCTAssertTrue(try driver.executeScript("return \(cell).classList.contains('modified')") as? Bool == true)
        onDisk = try String(contentsOf: chapter, encoding: .utf8)
        XCTAssertEqual(onDisk, changedOnDisk, "a refused save must not touch the file")
        try wait(5, "document.querySelector('#live-banner').classList.contains('file-changed')")

        // 6. A screenshot of the page as it stands.
        let shot = folder.appendingPathComponent("serve-in-browser.png")
        let png = try driver.screenshot(to: shot)
        XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "screenshot should be a PNG")
        if let keep = ProcessInfo.processInfo.environment["D2L_SCREENSHOTS"], !keep.isEmpty {
            let target = URL(fileURLWithPath: keep, isDirectory: true)
            try? files.createDirectory(at: target, withIntermediateDirectories: true)
            let destination = target.appendingPathComponent("serve-in-browser.png")
            try? files.removeItem(at: destination)
            try files.copyItem(at: shot, to: destination)
        }

        let end = Date()
        print(String(format: "ServeInBrowserTests: snapshot ready after %.1f s, exercise ran after %.1f s more, total %.1f s",
                     snapshotReady.timeIntervalSince(started), ranExercise.timeIntervalSince(snapshotReady),
                     end.timeIntervalSince(started)))
    }
}
