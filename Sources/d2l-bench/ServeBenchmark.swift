import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `d2l-bench --serve CHAPTER`: how fast `d2l-run serve` answers. Starts it on a fresh output
/// folder (so the chapter trains), times start-up until the snapshot is ready, then posts
/// five different edits of ex-sampling and times each answer.
enum ServeBenchmark {
    static func run(chapter: String, runner d2lRun: String) throws {
        guard FileManager.default.isExecutableFile(atPath: d2lRun) else { throw BenchError("no d2l-run at \(d2lRun): run `make build`") }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("d2l-bench-serve-\(getpid())")
        let server = Process()
        server.executableURL = URL(fileURLWithPath: d2lRun)
        server.arguments = ["serve", chapter, "--output", output.path]
        let pipe = Pipe()
        server.standardOutput = pipe
        server.standardError = FileHandle.nullDevice
        let start = Date()
        try server.run()
        defer {
            server.terminate()
            server.waitUntilExit()
            try? FileManager.default.removeItem(at: output)
        }
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let byte = pipe.fileHandleForReading.readData(ofLength: 1)
            guard !byte.isEmpty else { throw BenchError("d2l-run serve ended before printing its address") }
            line.append(byte)
        }
        let address = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let url = URL(string: address)!
        let token = String(address.split(separator: "=").last!)
        let base = "http://127.0.0.1:\(url.port!)"
        print("d2l-bench --serve: \(chapter), served at \(base)")
        print(String(format: "listening after     %.2f s", Date().timeIntervalSince(start)))
        var state: [String: Any] = [:]
        repeat {
            Thread.sleep(forTimeInterval: 0.1)
            state = try request("GET", "\(base)/api/chapter", token: token, body: nil)
        } while ["starting", "compiling", "training"].contains(state["snapshot"] as? String ?? "")
        print(String(format: "snapshot %@ after  %.2f s (compile, train, main cells)", state["snapshot"] as? String ?? "?",
                     Date().timeIntervalSince(start)))
        let cells = state["cells"] as? [[String: Any]] ?? []
        guard let source = cells.first(where: { $0["id"] as? String == "ex-sampling" })?["source"] as? String,
              source.contains("[1, 2, 4, 10]") else { throw BenchError("the chapter has no ex-sampling cell with alphas [1, 2, 4, 10]") }
        var times: [Double] = []
        for alphas in ["[1, 3]", "[2, 5, 8]", "[0.5, 1]", "[3, 6, 9, 12]", "[1.5, 20]"] {
            let edited = source.replacingOccurrences(of: "[1, 2, 4, 10]", with: alphas)
            let posted = Date()
            let answer = try request("POST", "\(base)/api/cells/ex-sampling/run", token: token, body: ["source": edited])
            let seconds = Date().timeIntervalSince(posted)
            times.append(seconds)
            let rows = ((answer["outputs"] as? [[String: Any]])?.first { $0["type"] as? String == "table" }?["rows"] as? [[String]])?.count ?? 0
            // The cell's own seconds: compiling it and running it, as the session measured them.
            let cell = answer["seconds"] as? Double ?? 0
            print(String(format: "ex-sampling alphas %-14@ %.3f s (the cell %.3f s)  %@, %d rows", alphas, seconds, cell,
                         answer["status"] as? String ?? "?", rows))
        }
        print(String(format: "median answer       %.3f s over %d edits", times.sorted()[times.count / 2], times.count))
    }

    private static func request(_ method: String, _ address: String, token: String, body: [String: String]?) throws -> [String: Any] {
        var request = URLRequest(url: URL(string: address)!)
        request.httpMethod = method
        request.timeoutInterval = 600
        request.setValue("token \(token)", forHTTPHeaderField: "Authorization")
        if let body {
            request.httpBody = try JSONSerialization.data(withJSONObject: body)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        nonisolated(unsafe) var result: Result<Data, Error> = .failure(BenchError("no answer"))
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { data, _, error in
            result = data.map { .success($0) } ?? .failure(error ?? BenchError("no answer"))
            done.signal()
        }.resume()
        done.wait()
        return try JSONSerialization.jsonObject(with: try result.get()) as? [String: Any] ?? [:]
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension CommandLine {
    /// This executable's path, symlinks resolved.
    static var executablePath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? arguments[0]
    }
}
