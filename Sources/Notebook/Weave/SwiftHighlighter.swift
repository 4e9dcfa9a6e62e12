/// Splits Swift source into classified tokens and renders them as HTML spans.
///
/// A small lexer, not a pattern list: it follows nested block comments, string literals with
/// escapes and interpolations (single-line, multi-line and raw), numbers with underscores and
/// exponents, attributes and compiler directives, so a `//` inside a string stays a string.
public enum SwiftHighlighter {
    public enum Kind: String, Equatable, Sendable {
        case keyword, type, string, number, comment, attribute, directive, identifier, plain
    }

    public struct Token: Equatable, Sendable {
        public var kind: Kind
        public var text: String
    }

    static let keywords: Set<String> = [
        "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import", "init", "inout",
        "internal", "let", "open", "operator", "private", "protocol", "public", "static", "struct", "subscript",
        "typealias", "var", "break", "case", "continue", "default", "defer", "do", "else", "fallthrough", "for",
        "guard", "if", "in", "repeat", "return", "switch", "where", "while", "as", "catch", "false", "is", "nil",
        "rethrows", "super", "self", "Self", "throw", "throws", "true", "try", "async", "await", "override",
        "final", "mutating", "convenience", "required", "lazy", "weak", "some", "any",
    ]

    /// The tokens of `source`; concatenating their texts gives `source` back.
    public static func tokenize(_ source: String) -> [Token] {
        let s = Array(source.unicodeScalars)
        var tokens: [Token] = []
        var i = 0
        func emit(_ kind: Kind, _ start: Int) {
            var text = ""
            text.unicodeScalars.append(contentsOf: s[start..<i])
            if let last = tokens.last, last.kind == kind, kind == .plain {
                tokens[tokens.count - 1].text += text
            } else {
                tokens.append(Token(kind: kind, text: text))
            }
        }
        func isIdentifierStart(_ c: Unicode.Scalar) -> Bool { c == "_" || c.properties.isAlphabetic }
        func isIdentifierPart(_ c: Unicode.Scalar) -> Bool { isIdentifierStart(c) || ("0"..."9").contains(c) }
        while i < s.count {
            let start = i
            let c = s[i]
            let next: Unicode.Scalar? = i + 1 < s.count ? s[i + 1] : nil
            if c == "/" && next == "/" {
                while i < s.count && s[i] != "\n" { i += 1 }
                emit(.comment, start)
            } else if c == "/" && next == "*" {
                var depth = 0
                repeat {
                    if s[i] == "/" && i + 1 < s.count && s[i + 1] == "*" { depth += 1; i += 2 }
                    else if s[i] == "*" && i + 1 < s.count && s[i + 1] == "/" { depth -= 1; i += 2 }
                    else { i += 1 }
                } while depth > 0 && i < s.count
                emit(.comment, start)
            } else if c == "\"" || (c == "#" && next == "\"") {
                i = endOfString(s, from: i)
                emit(.string, start)
            } else if ("0"..."9").contains(c) {
                while i < s.count && (isIdentifierPart(s[i]) || s[i] == "." && i + 1 < s.count && ("0"..."9").contains(s[i + 1])) {
                    if (s[i] == "e" || s[i] == "E" || s[i] == "p") && i + 1 < s.count && (s[i + 1] == "-" || s[i + 1] == "+") { i += 1 }
                    i += 1
                }
                emit(.number, start)
            } else if c == "@" && next.map(isIdentifierStart) == true {
                i += 1
                while i < s.count && isIdentifierPart(s[i]) { i += 1 }
                emit(.attribute, start)
            } else if c == "#" && next.map(isIdentifierStart) == true {
                i += 1
                while i < s.count && isIdentifierPart(s[i]) { i += 1 }
                emit(.directive, start)
            } else if isIdentifierStart(c) || c == "`" {
                if c == "`" { i += 1 }
                while i < s.count && isIdentifierPart(s[i]) { i += 1 }
                if c == "`" && i < s.count && s[i] == "`" { i += 1 }
                var word = ""
                word.unicodeScalars.append(contentsOf: s[start..<i])
                let previous = tokens.last?.text.unicodeScalars.last
                let isMember = previous == "."
                emit(keywords.contains(word) && !isMember ? .keyword
                     : (word.first?.isUppercase == true ? .type : .identifier), start)
            } else {
                i += 1
                emit(.plain, start)
            }
        }
        return tokens
    }

    /// The index just past the string literal starting at `start` (`"`, `"""`, or raw `#"`).
    private static func endOfString(_ s: [Unicode.Scalar], from start: Int) -> Int {
        var i = start
        var hashes = 0
        while i < s.count && s[i] == "#" { hashes += 1; i += 1 }
        let multiline = i + 2 < s.count && s[i] == "\"" && s[i + 1] == "\"" && s[i + 2] == "\""
        i += multiline ? 3 : 1
        var depth = 0
        while i < s.count {
            let c = s[i]
            if c == "\\" && hashes == 0 {
                if i + 1 < s.count && s[i + 1] == "(" { depth += 1; i += 2; continue }
                i += 2
                continue
            }
            if depth > 0 {
                if c == "(" { depth += 1 } else if c == ")" { depth -= 1 }
                i += 1
                continue
            }
            if c == "\n" && !multiline { return i }
            if c == "\"" {
                let closes = multiline ? (i + 2 < s.count && s[i + 1] == "\"" && s[i + 2] == "\"") : true
                if closes {
                    var end = i + (multiline ? 3 : 1)
                    var closing = 0
                    while closing < hashes && end < s.count && s[end] == "#" { closing += 1; end += 1 }
                    if closing == hashes { return end }
                }
            }
            i += 1
        }
        return s.count
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
