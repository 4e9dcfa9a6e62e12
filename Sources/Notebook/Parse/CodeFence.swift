import Foundation

/// CommonMark's rule for fenced code blocks, shared by every pass that must skip code (maths
/// protection, d2l's extensions) and by the parser's own checks, so they agree with cmark.
///
/// A fence opens with three or more backticks or tildes indented by at most three spaces (a tab
/// makes the line indented code); a backtick fence's info string holds no backtick. It closes
/// on a line indented by at most three spaces holding at least as many of the same character
/// and then only spaces and tabs.
///
/// Lines are read as UTF-8 bytes, as cmark reads them: every character the rule looks at is
/// ASCII, and a combining mark after a backtick does not hide it (it would in a Swift
/// `Character`).
struct CodeFence: Equatable {
    let character: Character
    let length: Int

    /// The fence `line` opens, or nil when it opens none.
    init?(opening line: Substring) {
        self.init(openingBytes: line.utf8)
    }

    init?<Bytes: Collection>(openingBytes line: Bytes) where Bytes.Element == UInt8 {
        let space = UInt8(ascii: " "), backtick = UInt8(ascii: "`"), tilde = UInt8(ascii: "~")
        var index = line.startIndex
        var indentation = 0
        while index != line.endIndex, line[index] == space, indentation < 4 {
            indentation += 1
            line.formIndex(after: &index)
        }
        guard indentation < 4, index != line.endIndex else { return nil }
        let first = line[index]
        guard first == backtick || first == tilde else { return nil }
        var length = 0
        while index != line.endIndex, line[index] == first {
            length += 1
            line.formIndex(after: &index)
        }
        guard length >= 3 else { return nil }
        // "``` a`b" is a paragraph with inline code, not a fence.
        if first == backtick, line[index...].contains(backtick) { return nil }
        character = first == backtick ? "`" : "~"
        self.length = length
    }

    /// Whether `line` closes this fence.
    func isClosed(by line: Substring) -> Bool {
        isClosed(byBytes: line.utf8)
    }

    func isClosed<Bytes: Collection>(byBytes line: Bytes) -> Bool where Bytes.Element == UInt8 {
        let space = UInt8(ascii: " "), tab = UInt8(ascii: "\t")
        let fenceByte = character == "`" ? UInt8(ascii: "`") : UInt8(ascii: "~")
        var index = line.startIndex
        var indentation = 0
        while index != line.endIndex, line[index] == space, indentation < 4 {
            indentation += 1
            line.formIndex(after: &index)
        }
        guard indentation < 4 else { return false }
        var run = 0
        while index != line.endIndex, line[index] == fenceByte {
            run += 1
            line.formIndex(after: &index)
        }
        return run >= length && line[index...].allSatisfy { $0 == space || $0 == tab }
    }
}
