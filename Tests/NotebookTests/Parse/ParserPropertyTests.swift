import XCTest
@testable import Notebook

/// Properties of the chapter parser on chapters generated at random (a seeded generator, so a
/// failure is reproducible) from the grammar's building blocks: prose with maths, code and
/// d2l's marks, display maths, fences of backticks and tildes of random lengths, indentation and
/// info strings, lists, block quotes, tabs, and odd characters or bytes sprinkled in.
///
/// - the parse never traps: it gives a chapter or a ``ChapterError``;
/// - LF, CRLF and CR line endings, with or without a UTF-8 byte-order mark, give the same
///   chapter (cells, ids, sources, lines, prose) or the same error on the same line;
/// - every cell's line is the editor's line after its opening fence, and its source holds `\n`
///   line breaks only;
/// - a chapter built only of well-formed blocks gives exactly the cells it was built with.
final class ParserPropertyTests: XCTestCase {
    /// SplitMix64: small, seedable, the same on every platform.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func int(_ range: ClosedRange<Int>) -> Int {
            range.lowerBound + Int(next() % UInt64(range.upperBound - range.lowerBound + 1))
        }
        mutating func chance(_ percent: Int) -> Bool { int(1...100) <= percent }
        mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }
    }

    /// A generated chapter: its lines (bytes, no line breaks), the cells it was built with (id
    /// and the 1-based line of the source's first line) when it is well formed, and the first
    /// line holding bytes that are not UTF-8.
    struct Sample {
        var lines: [[UInt8]] = []
        var expectedCells: [(id: String, line: Int, source: String)]? = []
        var invalidLine: Int?
        var finalLineBreak = true

        mutating func add(_ line: String) { lines.append(Array(line.utf8)) }

        /// The file's bytes with `ending` after each line (but the last when there is no final
        /// break) and an optional UTF-8 byte-order mark.
        func bytes(ending: String, byteOrderMark: Bool) -> [UInt8] {
            var bytes: [UInt8] = byteOrderMark ? [0xEF, 0xBB, 0xBF] : []
            for (n, line) in lines.enumerated() {
                bytes += line
                if n < lines.count - 1 || finalLineBreak { bytes += Array(ending.utf8) }
            }
            return bytes
        }
    }

    static let words = ["the", "model", "RNN", "state", "x", "gradient", "é", "naïve", "数学", "😀", "a_b", "*c*", "_d_"]
    static let oddPieces = ["\u{0}", "\t", "\u{301}", "\u{FEFF}", "\u{2028}", "\u{85}", "\u{0B}", "\u{0C}", "\\", "$", "$$",
                            "`", "``", "```", "~~~", "*", "**", "_", "<div>", "</div>", "&amp;", "[", "]", "(", ")", "{", "}",
                            "#", ":", ":label:`", ":numref:`", ":begin_tab:`", ":end_tab:", "(**", "**)", "[**", "**]",
                            "D2LMATHSPAN0X", "> ", "- ", "1. ", "    ", "\u{10FFFF}", "\u{FFFD}"]
    static let tags = [".save", ".norun", ".fails", ".exercise"]

    static func prose(_ g: inout Generator, clean: Bool) -> String {
        var parts: [String] = []
        for _ in 0..<g.int(1...8) {
            switch g.int(0...9) {
            case 0: parts.append("$\(g.pick(words))_{i}$")
            case 1: parts.append("`code $x$`")
            case 2: parts.append("\\$5")
            case 3: parts.append(":label:`sec_\(g.pick(["a", "b", "c"]))`")
            case 4: parts.append(":numref:`sec_\(g.pick(["a", "b", "z"]))`")
            case 5: parts.append("(**\(g.pick(words))**)")
            case 6 where !clean: parts.append(g.pick(oddPieces))
            default: parts.append(g.pick(words))
            }
        }
        // Prose never starts like a block that could swallow what follows.
        return "P " + parts.joined(separator: g.chance(90) ? " " : "")
    }

    /// A chapter of random blocks; `clean` keeps to well-formed ones, separated by blank lines.
    static func sample(_ g: inout Generator, clean: Bool) -> Sample {
        var sample = Sample()
        sample.finalLineBreak = g.chance(80)
        var ids = Set<String>()
        var cellCount = 0
        for _ in 0..<g.int(1...12) {
            switch g.int(0...9) {
            case 0...2:
                sample.add(prose(&g, clean: clean))
                if g.chance(30) { sample.add(prose(&g, clean: clean)) }
            case 3:
                sample.add("$$")
                for _ in 0..<g.int(0...3) { sample.add("x_\(g.int(0...9)) + \\|W\\|") }
                if clean || g.chance(80) { sample.add("$$") }
            case 4 where !clean:
                sample.add(g.pick(["> ", "- ", "1. ", "  - ", ">> ", "\t", "    "]) + prose(&g, clean: false))
                if g.chance(50) { sample.add(g.pick(["> ```swift {#q}", "- ```swift", "  ~~~"])) }
            case 5 where !clean:
                var line = Array(prose(&g, clean: false).utf8)
                for _ in 0..<g.int(1...3) {
                    line.insert(UInt8(g.int(0...255)), at: g.int(0...line.count))
                }
                line.removeAll { $0 == 10 || $0 == 13 }
                if String(validating: line, as: UTF8.self) == nil, sample.invalidLine == nil {
                    sample.invalidLine = sample.lines.count + 1
                }
                sample.lines.append(line)
            default:
                let character = g.chance(70) ? "`" : "~"
                let length = g.int(3...6)
                let indentation = clean ? g.int(0...3) : g.pick([0, 0, 1, 2, 3, 4])
                var id = "c\(g.int(0...40))"
                var items: [String] = []
                let runnable: Bool
                let info: String
                switch g.int(0...5) {
                case 0...2:
                    if ids.contains(id) { id += "-\(sample.lines.count)" }
                    items = [g.chance(80) ? "#\(id)" : nil].compactMap { $0 } + tags.filter { _ in g.chance(20) }
                    info = "swift {\(items.shuffled(using: &g).joined(separator: " "))}"
                    runnable = true
                case 3:
                    if ids.contains(id) { id += "-\(sample.lines.count)" }
                    items = ["#\(id)"]
                    info = "{.swift .input #\(id)}"
                    runnable = true
                case 4:
                    info = g.pick(["swift", "python", "", "text {x}"])
                    runnable = false
                default:
                    info = clean ? "swift" : g.pick(["swift {.bogus}", "swift {#x", "{.swift .input .nope}", "swift {#a}`"])
                    runnable = false
                }
                let fence = String(repeating: character, count: length)
                sample.add(String(repeating: " ", count: indentation) + fence + (g.chance(50) ? "" : " ") + info)
                let openingLine = sample.lines.count
                var body: [String] = []
                for _ in 0..<g.int(0...4) {
                    var line = g.pick(["let x = 1", "print(\"$x$ `y`\")", "", "    indented()", "\tlet t = 2",
                                       "// :label:`inside`", "```", "~~~", "$$"])
                    if line == String(repeating: character, count: 3), length == 3 { line = "// fence-like" }
                    if !clean && g.chance(15) { line += g.pick(oddPieces) }
                    body.append(line)
                }
                for line in body {
                    sample.add((line.isEmpty ? "" : String(repeating: " ", count: indentation)) + line)
                }
                if clean || g.chance(90) {
                    sample.add(String(repeating: " ", count: clean ? 0 : g.int(0...3))
                        + String(repeating: character, count: length + g.int(0...2)))
                }
                if clean && runnable && indentation < 4 {
                    cellCount += 1
                    let cellID = items.first { $0.hasPrefix("#") }.map { String($0.dropFirst()) } ?? "cell-\(cellCount)"
                    ids.insert(cellID)
                    sample.expectedCells?.append((cellID, openingLine + 1, body.joined(separator: "\n")))
                }
            }
            sample.add("")
        }
        if !clean { sample.expectedCells = nil }
        return sample
    }

    func parse(_ bytes: [UInt8]) -> Result<Chapter, ChapterError> {
        do { return .success(try ChapterParser.parse(data: Data(bytes), path: "gen.md")) } catch {
            guard let chapterError = error as? ChapterError else {
                XCTFail("not a ChapterError: \(error)")
                return .failure(ChapterError(path: "gen.md", message: "\(error)"))
            }
            return .failure(chapterError)
        }
    }

    func testLineEndingsAndByteOrderMarkNeverChangeTheParse() {
        var g = Generator(state: 20_240_611)
        var parsed = 0, failed = 0, cells = 0
        for round in 0..<400 {
            let clean = round % 4 == 0
            let sample = Self.sample(&g, clean: clean)
            let reference = parse(sample.bytes(ending: "\n", byteOrderMark: false))
            let context = "round \(round):\n" + String(decoding: sample.bytes(ending: "\n", byteOrderMark: false), as: UTF8.self)
            for ending in ["\n", "\r\n", "\r"] {
                for byteOrderMark in [false, true] where ending != "\n" || byteOrderMark {
                    let other = parse(sample.bytes(ending: ending, byteOrderMark: byteOrderMark))
                    switch (reference, other) {
                    case let (.success(a), .success(b)):
                        XCTAssertEqual(a, b, "\(ending.debugDescription) BOM \(byteOrderMark) " + context)
                    case let (.failure(a), .failure(b)):
                        XCTAssertEqual(a, b, "\(ending.debugDescription) BOM \(byteOrderMark) " + context)
                    default:
                        XCTFail("\(ending.debugDescription) BOM \(byteOrderMark): \(reference) vs \(other) " + context)
                    }
                }
            }
            switch reference {
            case let .success(chapter):
                parsed += 1
                cells += chapter.cells.count
                XCTAssertNil(sample.invalidLine, context)
                for cell in chapter.cells {
                    XCTAssertFalse(cell.source.contains("\r"), context)
                    // The editor's line before the cell's first line opens a fence whose info
                    // string makes a cell.
                    guard cell.line >= 2, cell.line - 2 < sample.lines.count else {
                        XCTFail("cell \(cell.id) on line \(cell.line) " + context)
                        continue
                    }
                    let opening = Substring(String(decoding: sample.lines[cell.line - 2], as: UTF8.self))
                    XCTAssertNotNil(CodeFence(opening: opening), "cell \(cell.id) line \(cell.line) " + context)
                    XCTAssertTrue(opening.contains("swift"), "cell \(cell.id) line \(cell.line) " + context)
                    if let first = cell.source.split(separator: "\n", omittingEmptySubsequences: false).first,
                       !first.isEmpty, cell.line - 1 < sample.lines.count {
                        let line = String(decoding: sample.lines[cell.line - 1], as: UTF8.self)
                            .replacingOccurrences(of: "\u{0}", with: "\u{FFFD}")
                        XCTAssertTrue(line.utf8.reversed().starts(with: first.utf8.reversed()), "cell \(cell.id): '\(first)' is not line \(cell.line) " + context)
                    }
                }
                if let expected = sample.expectedCells {
                    XCTAssertEqual(chapter.cells.map(\.id), expected.map(\.id), context)
                    XCTAssertEqual(chapter.cells.map(\.line), expected.map(\.line), context)
                    XCTAssertEqual(chapter.cells.map(\.source), expected.map(\.source), context)
                }
            case let .failure(error):
                failed += 1
                if let line = sample.invalidLine {
                    XCTAssertEqual(error.line, line, context)
                    XCTAssertEqual(error.message, "is not valid UTF-8", context)
                }
                XCTAssertNil(sample.expectedCells, "a well-formed chapter fails: \(error) " + context)
                if let line = error.line { XCTAssertTrue((1...max(sample.lines.count, 1)).contains(line), context) }
            }
        }
        // The generator reaches both outcomes, and cells.
        XCTAssertGreaterThan(parsed, 100)
        XCTAssertGreaterThan(failed, 10)
        XCTAssertGreaterThan(cells, 300)
    }

    /// The same chapters cut short at every byte of a few of them: truncation anywhere (in a
    /// fence, in maths, in a multi-byte character, between `\r` and `\n`) never traps, and the
    /// error lines stay within the file.
    func testEveryPrefixParses() {
        var g = Generator(state: 7)
        for _ in 0..<6 {
            let sample = Self.sample(&g, clean: false)
            let bytes = sample.bytes(ending: g.pick(["\n", "\r\n", "\r"]), byteOrderMark: g.chance(50))
            for end in stride(from: 0, through: bytes.count, by: max(1, bytes.count / 300)) {
                if case let .failure(error) = parse(Array(bytes[..<end])), let line = error.line {
                    XCTAssertTrue((1...max(sample.lines.count, 1)).contains(line), "\(error)")
                }
            }
        }
    }
}

extension ParserPropertyTests.Generator: RandomNumberGenerator {}
