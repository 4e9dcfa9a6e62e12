import Foundation

/// Re-runs a chapter when its file changes, as `--watch` asks: it polls the modification time
/// twice a second (portable, and cheap for one file) and runs once at the start.
struct ChapterWatcher {
    let path: String
    var interval: Double = 0.5

    func watch(_ onChange: () throws -> Void) throws -> Never {
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
