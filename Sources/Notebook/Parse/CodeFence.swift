import Foundation

/// CommonMark's rule for fenced code blocks, shared by every pass that must skip code (maths
/// protection, d2l's extensions) and by the parser's own checks, so they agree with cmark.
///
/// A fence opens with three or more backticks or tildes indented by at most three spaces, and
/// closes on a line holding only at least as many of the same character.
struct CodeFence: Equatable {
    let character: Character
    let length: Int

    /// The fence `line` opens, or nil when it opens none.
    init?(opening line: Substring) {
        let trimmed = line.drop { $0 == " " }
        guard line.count - trimmed.count < 4, let first = trimmed.first, first == "`" || first == "~" else { return nil }
        let length = trimmed.prefix { $0 == first }.count
        guard length >= 3 else { return nil }
        character = first
        self.length = length
    }

    /// Whether `line` closes this fence.
    func isClosed(by line: Substring) -> Bool {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        return trimmed.count >= length && trimmed.allSatisfy { $0 == character }
    }
}
