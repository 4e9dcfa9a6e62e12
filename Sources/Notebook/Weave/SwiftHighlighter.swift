import SwiftIDEUtils
import SwiftParser
import SwiftSyntax

/// Splits Swift source into classified tokens and renders them as HTML spans.
///
/// The classification is swift-syntax's (`SwiftIDEUtils`, as SourceKit-LSP colours code): the
/// source is parsed, so every keyword the language has (`actor`, `nonisolated`, `consuming`,
/// `sending`, `macro`...), regex literals, raw strings and the code inside an interpolation are
/// what the compiler takes them for. One convention is ours: a name that starts with a capital
/// letter is shown as a type wherever it is used (`Tensor.zeros`), as the page always did.
public enum SwiftHighlighter {
    /// The page's token classes (`tok-KIND`).
    public enum Kind: String, Equatable, Sendable {
        case keyword, type, string, number, comment, attribute, directive, identifier, plain
    }

    public struct Token: Equatable, Sendable {
        public var kind: Kind
        public var text: String
    }

    /// The tokens of `source`; concatenating their texts gives `source` back.
    public static func tokenize(_ source: String) -> [Token] {
        let bytes = Array(source.utf8)
        var tokens: [Token] = []
        var position = 0
        func append(_ kind: Kind, _ range: Range<Int>) {
            guard !range.isEmpty else { return }
            var text = String(decoding: bytes[range], as: UTF8.self)
            // A raw string's `#` delimiters are punctuation to swift-syntax; the page shows
            // them as part of the string.
            if kind == .string, text.hasPrefix("\""), let last = tokens.last, last.kind == .plain, last.text.hasSuffix("#") {
                let pounds = last.text.reversed().prefix { $0 == "#" }.count
                tokens[tokens.count - 1].text.removeLast(pounds)
                if tokens[tokens.count - 1].text.isEmpty { tokens.removeLast() }
                text = String(repeating: "#", count: pounds) + text
            } else if kind == .plain, text.hasPrefix("#"), let last = tokens.last, last.kind == .string, last.text.hasSuffix("\"") {
                let pounds = text.prefix { $0 == "#" }.count
                tokens[tokens.count - 1].text += text.prefix(pounds)
                text.removeFirst(pounds)
                if text.isEmpty { return }
            }
            // An attribute's `@` and a macro's `#` are punctuation to swift-syntax; the page
            // shows `@main` and `#fileID` as one.
            if let sign = kind == .attribute ? "@" : (kind == .identifier || kind == .keyword) ? "#" : nil,
               let last = tokens.last, last.kind == .plain, last.text.hasSuffix(sign) {
                tokens[tokens.count - 1].text.removeLast()
                if tokens[tokens.count - 1].text.isEmpty { tokens.removeLast() }
                tokens.append(Token(kind: kind == .attribute ? .attribute : .directive, text: sign + text))
            } else if let last = tokens.last, last.kind == kind, kind == .plain || kind == .string || kind == .comment {
                tokens[tokens.count - 1].text += text
            } else {
                tokens.append(Token(kind: kind, text: text))
            }
        }
        for classified in Parser.parse(source: source).classifications {
            let start = classified.range.lowerBound.utf8Offset, end = classified.range.upperBound.utf8Offset
            guard start >= position, end <= bytes.count else { continue }
            append(.plain, position..<start)
            append(kind(of: classified.kind, text: bytes[start..<end]), start..<end)
            position = end
        }
        append(.plain, position..<bytes.count)
        return tokens
    }

    /// The page's class for one of swift-syntax's classifications.
    private static func kind(of classification: SyntaxClassification, text: ArraySlice<UInt8>) -> Kind {
        switch classification {
        case .keyword: return .keyword
        case .type: return .type
        case .stringLiteral, .regexLiteral: return .string
        case .integerLiteral, .floatLiteral: return .number
        case .lineComment, .blockComment, .docLineComment, .docBlockComment: return .comment
        case .attribute: return .attribute
        case .ifConfigDirective: return .directive
        case .identifier, .dollarIdentifier:
            let first = text.first { $0 != UInt8(ascii: "`") }
            return first.map { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) } == true ? .type : .identifier
        default: return .plain  // operators, argument labels, placeholders, whitespace
        }
    }

    /// The source as HTML: escaped text in spans named after their token kinds.
    public static func html(_ source: String) -> String {
        tokenize(source).map { token in
            let text = HTMLEscaping.escape(token.text)
            switch token.kind {
            case .plain, .identifier: return text
            default: return "<span class=\"tok-\(token.kind.rawValue)\">\(text)</span>"
            }
        }.joined()
    }
}
