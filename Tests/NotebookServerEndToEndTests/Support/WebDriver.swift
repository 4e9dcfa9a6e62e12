import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Why a WebDriver call failed: chromedriver's W3C error (`error`, `message`) or a transport problem.
struct WebDriverError: Error, CustomStringConvertible {
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}

/// A small W3C WebDriver client driving headless Chromium through `/usr/bin/chromedriver`.
///
/// `init` starts chromedriver on a free port as a child process and opens a session;
/// ``quit()`` (or deinit) ends the session and stops chromedriver. Calls are synchronous.
///
/// ```swift
/// let driver = try WebDriver()
/// try driver.navigate(to: "http://127.0.0.1:8080/")
/// try driver.waitUntil(timeout: 10, "document.querySelector('.CodeMirror') !== null")
/// let title = try driver.executeScript("return document.title") as? String
/// ```
final class WebDriver {
    static let chromedriverPath = "/usr/bin/chromedriver"
    static let chromiumPath = "/usr/bin/chromium"

    /// The W3C key codes for ``pressKeys(_:holding:)`` and ``sendKeys(_:to:)``.
    enum Key: String {
        case enter = "\u{E007}", tab = "\u{E004}", backspace = "\u{E003}", escape = "\u{E00C}"
        case shift = "\u{E008}", control = "\u{E009}", alt = "\u{E00A}", meta = "\u{E03D}"
        case arrowDown = "\u{E015}", arrowUp = "\u{E013}", end = "\u{E010}", home = "\u{E011}"
    }

    /// The key W3C WebDriver uses for element references in JSON.
    static let elementKey = "element-6066-11e4-a52e-4f735466cecf"

    let port: Int
    let sessionID: String
    private let process: Process
    private let base: URL
    private let logURL: URL
    private var closed = false

    /// Starts chromedriver and a headless Chromium session of `width`×`height` pixels.
    init(width: Int = 1200, height: Int = 900, startupTimeout: TimeInterval = 30) throws {
        let files = FileManager.default
        for (path, package) in [(Self.chromedriverPath, "chromium-driver"), (Self.chromiumPath, "chromium")]
        where !files.isExecutableFile(atPath: path) {
            throw WebDriverError("\(path) is missing: install the Debian package '\(package)' "
                + "(`make test` installs chromium and chromium-driver; run it as root)")
        }
        let port = try Self.freePort()
        let logURL = files.temporaryDirectory.appendingPathComponent("chromedriver-\(port)-\(UUID().uuidString).log")
        _ = files.createFile(atPath: logURL.path, contents: nil)
        let log = try FileHandle(forWritingTo: logURL)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.chromedriverPath)
        process.arguments = ["--port=\(port)", "--allowed-ips=127.0.0.1"]
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try? log.close()

        self.port = port
        self.process = process
        self.logURL = logURL
        self.base = URL(string: "http://127.0.0.1:\(port)")!

        // Wait until chromedriver answers /status with ready.
        let deadline = Date().addingTimeInterval(startupTimeout)
        var ready = false
        while Date() < deadline {
            if !process.isRunning {
                throw WebDriverError("chromedriver exited with status \(process.terminationStatus) at start: \(Self.tail(of: logURL))")
            }
            if let answer = try? Self.send("GET", base.appendingPathComponent("status"), body: nil, timeout: 2),
               let value = (answer.json as? [String: Any])?["value"] as? [String: Any],
               value["ready"] as? Bool == true {
                ready = true
                break
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        guard ready else {
            Self.stop(process)
            throw WebDriverError("chromedriver did not answer on port \(port) within \(Int(startupTimeout)) s: \(Self.tail(of: logURL))")
        }

        let capabilities: [String: Any] = [
            "capabilities": [
                "alwaysMatch": [
                    "browserName": "chrome",
                    "goog:chromeOptions": [
                        "binary": Self.chromiumPath,
                        // File access from files: the mock live page is a file:// page, and Chromium
                        // loads ES modules (the front end's) from file:// URLs only with it.
                        "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=\(width),\(height)",
                                 "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
                                 "--disable-extensions", "--disable-background-networking",
                                 "--allow-file-access-from-files"],
                    ] as [String: Any],
                    "goog:loggingPrefs": ["browser": "ALL"],
                ] as [String: Any],
            ] as [String: Any],
        ]
        do {
            let value = try Self.call("POST", base.appendingPathComponent("session"), body: capabilities, timeout: 60)
            guard let id = (value as? [String: Any])?["sessionId"] as? String else {
                throw WebDriverError("chromedriver answered a new session without an id: \(String(describing: value))")
            }
            sessionID = id
        } catch {
            Self.stop(process)
            throw WebDriverError("could not start headless Chromium through chromedriver: \(error) — log: \(Self.tail(of: logURL))")
        }
    }

    deinit { quit() }

    // MARK: Commands

    /// Opens `url` (any URL Chromium takes: `http://`, `file://`) and waits for the page to load.
    func navigate(to url: String) throws {
        _ = try command("POST", "url", ["url": url])
    }

    func navigate(to url: URL) throws { try navigate(to: url.absoluteString) }

    /// Runs `script` as a function body (use `return` to answer; arguments are `arguments[i]`).
    /// JSON values come back as `String`, `NSNumber`/`Int`/`Double`/`Bool`, arrays and dictionaries;
    /// `null`/`undefined` as nil.
    @discardableResult
    func executeScript(_ script: String, args: [Any] = []) throws -> Any? {
        Self.unwrapNull(try command("POST", "execute/sync", ["script": script, "args": args]))
    }

    /// Runs `script` with a callback as its last argument (`arguments[arguments.length - 1]`) and
    /// answers what the script passes to it, waiting at most `timeout` seconds.
    @discardableResult
    func executeAsyncScript(_ script: String, args: [Any] = [], timeout: TimeInterval = 30) throws -> Any? {
        _ = try command("POST", "timeouts", ["script": Int(timeout * 1000)])
        return Self.unwrapNull(try command("POST", "execute/async", ["script": script, "args": args],
                                           timeout: timeout + 30))
    }

    /// Polls the JavaScript expression `jsCondition` (or a function body with `return`) until it
    /// is truthy; throws after `timeout` seconds with the condition and the last script error.
    func waitUntil(timeout: TimeInterval = 10, _ jsCondition: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let body = jsCondition.contains("return") ? jsCondition : "return !!(\(jsCondition));"
        let deadline = Date().addingTimeInterval(timeout)
        var lastError: Error?
        repeat {
            do {
                if let value = try executeScript(body), (value as? Bool) == true || (value as? NSNumber)?.boolValue == true {
                    return
                }
                lastError = nil
            } catch {
                lastError = error
            }
            Thread.sleep(forTimeInterval: 0.1)
        } while Date() < deadline
        throw WebDriverError("timed out after \(timeout) s waiting for `\(jsCondition)`"
            + (lastError.map { " (last error: \($0))" } ?? "") + " [\(file):\(line)]")
    }

    /// A PNG of the viewport, also written to `url` when given.
    @discardableResult
    func screenshot(to url: URL? = nil) throws -> Data {
        guard let encoded = try command("GET", "screenshot") as? String,
              let data = Data(base64Encoded: encoded, options: .ignoreUnknownCharacters) else {
            throw WebDriverError("chromedriver answered a screenshot that is not base64")
        }
        if let url { try data.write(to: url) }
        return data
    }

    /// The first element matching `selector`, as a W3C element id.
    func findElement(css selector: String) throws -> String {
        let value = try command("POST", "element", ["using": "css selector", "value": selector])
        guard let id = (value as? [String: Any])?[Self.elementKey] as? String else {
            throw WebDriverError("no element reference for \(selector): \(String(describing: value))")
        }
        return id
    }

    /// Clicks the first element matching `selector` (as a user would: scrolled into view, must be visible).
    func click(css selector: String) throws {
        let id = try findElement(css: selector)
        _ = try command("POST", "element/\(id)/click", [String: Any]())
    }

    /// Types `text` into the first element matching `selector` (it gets the focus).
    func sendKeys(_ text: String, to selector: String) throws {
        let id = try findElement(css: selector)
        _ = try command("POST", "element/\(id)/value", ["text": text])
    }

    /// Presses `keys` (characters or ``Key`` values) one after the other into the focused element,
    /// with `modifiers` held down: `pressKeys(Key.enter.rawValue, holding: [.shift])` is Shift-Enter.
    func pressKeys(_ keys: String, holding modifiers: [Key] = []) throws {
        var actions: [[String: Any]] = []
        for modifier in modifiers { actions.append(["type": "keyDown", "value": modifier.rawValue]) }
        for character in keys.unicodeScalars {
            actions.append(["type": "keyDown", "value": String(character)])
            actions.append(["type": "keyUp", "value": String(character)])
        }
        for modifier in modifiers.reversed() { actions.append(["type": "keyUp", "value": modifier.rawValue]) }
        _ = try command("POST", "actions", ["actions": [["type": "key", "id": "keyboard", "actions": actions]]])
        _ = try command("DELETE", "actions")
    }

    /// The browser console's messages since the last call (levels SEVERE, WARNING, INFO...), as
    /// "LEVEL message" lines; empty when chromedriver does not offer the log.
    func browserLog() -> [String] {
        guard let value = try? command("POST", "se/log", ["type": "browser"]) as? [[String: Any]] else { return [] }
        return value.map { "\($0["level"] as? String ?? "?") \($0["message"] as? String ?? "")" }
    }

    /// Ends the session (Chromium exits) and stops chromedriver. Safe to call twice.
    func quit() {
        guard !closed else { return }
        closed = true
        _ = try? Self.call("DELETE", base.appendingPathComponent("session/\(sessionID)"), body: nil, timeout: 10)
        Self.stop(process)
        try? FileManager.default.removeItem(at: logURL)
    }

    // MARK: Transport

    private func command(_ method: String, _ path: String, _ body: Any? = nil, timeout: TimeInterval = 60) throws -> Any? {
        guard !closed else { throw WebDriverError("the WebDriver session is closed") }
        return try Self.call(method, base.appendingPathComponent("session/\(sessionID)/\(path)"), body: body, timeout: timeout)
    }

    /// A W3C command: answers `value`, or throws its `error` and `message`.
    private static func call(_ method: String, _ url: URL, body: Any?, timeout: TimeInterval) throws -> Any? {
        let answer = try send(method, url, body: body, timeout: timeout)
        let value = (answer.json as? [String: Any])?["value"]
        if answer.status >= 400 || (value as? [String: Any])?["error"] != nil {
            let details = value as? [String: Any]
            let error = details?["error"] as? String ?? "HTTP \(answer.status)"
            let message = (details?["message"] as? String ?? "").split(separator: "\n").prefix(3).joined(separator: " ")
            throw WebDriverError("\(method) \(url.path): \(error): \(message)")
        }
        return value
    }

    /// One HTTP/1.1 exchange with chromedriver over a local TCP socket.
    ///
    /// Not URLSession: chromedriver writes its headers without a space after the colon
    /// (`Content-Length:252`), which FoundationNetworking on Linux rejects ("Failed writing header").
    private static func send(_ method: String, _ url: URL, body: Any?, timeout: TimeInterval) throws -> (status: Int, json: Any?) {
        guard let port = url.port else { throw WebDriverError("\(url) has no port") }
        let payload = try body.map { try JSONSerialization.data(withJSONObject: $0) } ?? Data()
        var head = "\(method) \(url.path.isEmpty ? "/" : url.path) HTTP/1.1\r\n"
        head += "Host: 127.0.0.1:\(port)\r\nConnection: close\r\nAccept: application/json\r\n"
        if body != nil || method == "POST" {
            head += "Content-Type: application/json; charset=utf-8\r\nContent-Length: \(payload.count)\r\n"
        }
        head += "\r\n"

        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw WebDriverError("socket() failed: \(errno)") }
        defer { close(descriptor) }
        var limit = timeval(tv_sec: Int(timeout.rounded(.up)) + 5, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else { throw WebDriverError("\(method) \(url.path): cannot connect to 127.0.0.1:\(port) (errno \(errno))") }

        let request = Data(head.utf8) + payload
        var sent = 0
        while sent < request.count {
            let written = request.withUnsafeBytes { bytes in
                write(descriptor, bytes.baseAddress! + sent, request.count - sent)
            }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { throw WebDriverError("\(method) \(url.path): write failed (errno \(errno))") }
            sent += written
        }

        var response = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        var expectedLength: Int?
        var bodyStart: Int?
        while true {
            if let start = bodyStart, let length = expectedLength, response.count - start >= length { break }
            let count = read(descriptor, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            if count < 0 {
                throw WebDriverError("\(method) \(url.path): no answer within \(Int(timeout)) s (errno \(errno))")
            }
            if count == 0 { break }
            response.append(contentsOf: buffer[0..<count])
            if bodyStart == nil, let range = response.range(of: Data("\r\n\r\n".utf8)) {
                bodyStart = range.upperBound - response.startIndex
                let headers = String(decoding: response[response.startIndex..<range.lowerBound], as: UTF8.self)
                for line in headers.split(separator: "\r\n").dropFirst() {
                    let parts = line.split(separator: ":", maxSplits: 1)
                    if parts.count == 2, parts[0].lowercased() == "content-length" {
                        expectedLength = Int(parts[1].trimmingCharacters(in: .whitespaces))
                    }
                }
            }
        }
        guard let start = bodyStart else {
            throw WebDriverError("\(method) \(url.path): incomplete HTTP answer (\(response.count) bytes)")
        }
        let statusLine = String(decoding: response.prefix(while: { $0 != UInt8(ascii: "\r") }), as: UTF8.self)
        let status = statusLine.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        var content = response.dropFirst(start)
        if let length = expectedLength { content = content.prefix(length) }
        let json = content.isEmpty ? nil : try? JSONSerialization.jsonObject(with: Data(content), options: [.fragmentsAllowed])
        return (status, json)
    }

    private static func unwrapNull(_ value: Any?) -> Any? {
        value is NSNull ? nil : value
    }

    /// A TCP port nobody listens on now (the kernel's pick for port 0).
    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw WebDriverError("socket() failed: \(errno)") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 }
        }
        guard bound else { throw WebDriverError("bind() failed: \(errno)") }
        let named = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) == 0 }
        }
        guard named else { throw WebDriverError("getsockname() failed: \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// SIGTERM, then SIGKILL if the process is still there after 5 s.
    private static func stop(_ process: Process) {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    private static func tail(of url: URL) -> String {
        let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(8).joined(separator: " | ")
    }
}
