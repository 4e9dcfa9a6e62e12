import Foundation

/// What a cell's info string says about it.
///
/// The grammar (documented in the README):
///
///     info      = "swift" [attributes] | "{.swift .input" items "}"
///     attributes = "{" items "}"
///     items     = { "#" id | "." tag }
///     tag       = "save" | "norun" | "fails" | "exercise"
///
/// A plain ```` ```swift ```` fence (no braces) is a listing: shown, not run.
public struct CellTags: Equatable, Sendable {
    /// `#@save` in d2lbook: the cell's code is the source of the library's copy.
    public var save = false
    /// Shown but not run.
    public var noRun = false
    /// Expected to fail: its error is shown and the chapter goes on.
    public var expectedToFail = false
    /// An exercise: run only when asked for (`--exercises`), each on its own.
    public var exercise = false

    public init(save: Bool = false, noRun: Bool = false, expectedToFail: Bool = false, exercise: Bool = false) {
        self.save = save
        self.noRun = noRun
        self.expectedToFail = expectedToFail
        self.exercise = exercise
    }

    /// The tag names accepted after a dot.
    public static let known = ["save", "norun", "fails", "exercise"]

    /// Whether the cell runs in a forked copy of the program so that its failure stops nothing.
    public var isIsolated: Bool { expectedToFail || exercise }
}

/// How a fenced block's info string classifies it.
public enum FenceKind: Equatable, Sendable {
    /// A Swift cell to run, with its optional id and tags.
    case cell(id: String?, tags: CellTags)
    /// Code shown as is, in `language` (may be empty).
    case listing(language: String)
}

/// Reads info strings; throws on a tag it does not know.
public enum InfoStringParser {
    /// Why an info string was rejected.
    public enum Problem: Error, Equatable {
        case unknownTag(String)
        case malformed(String)
    }

    public static func parse(_ info: String) throws -> FenceKind {
        let text = info.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("{") {
            let items = try attributeItems(text)
            guard items.contains(".swift") else {
                return .listing(language: items.first { $0.hasPrefix(".") }.map { String($0.dropFirst()) } ?? "")
            }
            // d2lbook marks runnable cells `.input`; accept it alongside our own tags.
            return try cell(items.filter { $0 != ".swift" && $0 != ".input" })
        }
        let language = String(text.prefix { !$0.isWhitespace && $0 != "{" })
        let rest = text.dropFirst(language.count).trimmingCharacters(in: .whitespaces)
        guard language == "swift", !rest.isEmpty else { return .listing(language: language) }
        return try cell(attributeItems(rest))
    }

    private static func attributeItems(_ text: String) throws -> [String] {
        guard text.hasPrefix("{"), text.hasSuffix("}") else { throw Problem.malformed(text) }
        return text.dropFirst().dropLast().split(whereSeparator: \.isWhitespace).map(String.init)
    }

    private static func cell(_ items: [String]) throws -> FenceKind {
        var id: String?
        var tags = CellTags()
        for item in items {
            if item.hasPrefix("#"), item.count > 1 {
                id = String(item.dropFirst())
                continue
            }
            switch item {
            case ".save": tags.save = true
            case ".norun": tags.noRun = true
            case ".fails": tags.expectedToFail = true
            case ".exercise": tags.exercise = true
            default: throw Problem.unknownTag(item)
            }
        }
        return .cell(id: id, tags: tags)
    }
}
