import SwiftParser
import SwiftSyntax

/// Answers `is_complete_request`: whether pressing Enter in a console should run the code or
/// continue it on a new line.
///
/// Code is incomplete when everything the parser finds missing is at its very end: an open
/// `{`, `(` or `[`, an unterminated string, or an operator or `=` still waiting for its
/// operand. Anything else is "complete", even code with a syntax error: running it shows the
/// compiler's error, which is what the user needs to see.
public enum CodeCompleteness: Equatable, Sendable {
    case complete
    /// Incomplete; the next line should start with `indent`.
    case incomplete(indent: String)

    /// Judges `code`.
    public init(code: String) {
        let tree = Parser.parse(source: code)
        guard tree.hasError else {
            self = .complete
            return
        }
        var missingSeen = false
        var openBlocks = 0
        for token in tree.tokens(viewMode: .all) {
            if token.presence == .missing {
                missingSeen = true
                if [.rightBrace, .rightParen, .rightSquare].contains(token.tokenKind) { openBlocks += 1 }
            } else if token.tokenKind != .endOfFile && (missingSeen || Self.isUnexpected(token)) {
                // Something missing before text that follows, or text the parser could not
                // place: more lines cannot mend this.
                self = .complete
                return
            }
        }
        self = missingSeen ? .incomplete(indent: String(repeating: " ", count: 4 * openBlocks)) : .complete
    }

    /// Whether `token` sits in an `Unexpected…` node: text the grammar has no place for.
    private static func isUnexpected(_ token: TokenSyntax) -> Bool {
        var node: Syntax? = Syntax(token).parent
        while let current = node {
            if current.is(UnexpectedNodesSyntax.self) { return true }
            node = current.parent
        }
        return false
    }

    /// The reply's `status` field.
    public var status: String {
        switch self {
        case .complete: return "complete"
        case .incomplete: return "incomplete"
        }
    }
}
