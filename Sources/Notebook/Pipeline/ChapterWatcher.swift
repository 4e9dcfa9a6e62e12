import Foundation

/// Re-runs a chapter when its file changes, as `--watch` asks: it polls the modification time
/// (portable, and cheap for one file) and runs once at the start.
public struct ChapterWatcher {
    public let path: String
    public var interval: Double

    public init(path: String, interval: Double = 0.5) {
        self.path = path
        self.interval = interval
    }

    /// Calls `onChange` now and after every change of the file, until it throws.
    public func watch(_ onChange: () throws -> Void) throws -> Never {
        var last: Date? = nil
        while true {
            let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
            if modified != last {
                last = modified
                try onChange()
                FileHandle.standardError.write(Data("watching \(path) for changes (Ctrl-C to stop)\n".utf8))
            }
            Thread.sleep(forTimeInterval: interval)
        }
    }
}
