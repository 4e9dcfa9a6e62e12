import Foundation

/// The runner's voice on standard error: live progress on a terminal (training lines rewrite
/// themselves in place), and only summaries and failures when output goes to a file or a pipe.
struct Terminal: Sendable {
    let isInteractive = isatty(2) != 0
    let start = Date()

    /// A progress line: cell started, compile, training epoch. Silent unless interactive.
    func progress(_ text: String) {
        guard isInteractive else { return }
        let elapsed = String(format: "[%6.1fs] ", Date().timeIntervalSince(start))
        if text.hasPrefix("  epoch ") {
            // Training epochs overwrite each other on one line.
            write("\r\u{1B}[2K" + elapsed + text)
        } else {
            write("\r\u{1B}[2K" + elapsed + text + "\n")
        }
    }

    /// A line shown whatever standard error is.
    func always(_ text: String) {
        write((isInteractive ? "\r\u{1B}[2K" : "") + text + "\n")
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
