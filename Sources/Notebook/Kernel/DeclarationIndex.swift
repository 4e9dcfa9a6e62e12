import Foundation
import SwiftParser
import SwiftSyntax

/// Declarations by name with their doc comments, read with swift-syntax: what the kernel's
/// `inspect` shows (Jupyter's Shift+Tab, the contextual help panel) for the name under the
/// cursor. It holds the executed cells' declarations, latest last, and the library's public
/// API (D2LSwift, the code earlier chapters built).
public struct DeclarationIndex: Equatable, Sendable {
    /// One declaration: its header without a body, its doc comment and where it comes from.
    public struct Entry: Equatable, Sendable {
        public var signature: String
        public var documentation: String
        public var origin: String
    }

    public private(set) var entries: [String: [Entry]] = [:]

    public init() {}

    /// Adds what `source` declares, marked as coming from `origin`; with `publicOnly`, only its
    /// public and open declarations (a library's API).
    public mutating func add(source: String, origin: String, publicOnly: Bool = false) {
        let collector = DeclarationCollector(origin: origin, publicOnly: publicOnly)
        collector.walk(Parser.parse(source: source))
        for (name, entry) in collector.found { entries[name, default: []].append(entry) }
    }

    /// What is known of `name`: each declaration, latest first, with its documentation; nil if
    /// nothing is.
    public func describe(_ name: String) -> String? {
        guard let found = entries[name], !found.isEmpty else { return nil }
        return found.reversed().map { entry in
            ([entry.signature + "    (\(entry.origin))"] + (entry.documentation.isEmpty ? [] : [entry.documentation]))
                .joined(separator: "\n")
        }.joined(separator: "\n\n")
    }

    /// The identifier at `cursor` (an offset in Unicode scalars) in `code`: the one the cursor
    /// is in or just after, or the callee of a call whose `(` the cursor follows.
    public static func identifier(in code: String, at cursor: Int) -> String? {
        let scalars = Array(code.unicodeScalars)
        func isIdentifier(_ scalar: Unicode.Scalar) -> Bool {
            scalar == "_" || scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
        }
        var end = min(max(cursor, 0), scalars.count)
        if end > 0, end <= scalars.count, scalars[end - 1] == "(" { end -= 1 }
        var start = end
        while start > 0, isIdentifier(scalars[start - 1]) { start -= 1 }
        while end < scalars.count, isIdentifier(scalars[end]) { end += 1 }
        guard start < end, !("0"..."9").contains(scalars[start]) else { return nil }
        return String(String.UnicodeScalarView(scalars[start..<end]))
    }
}

/// Walks a file and keeps, for each declared name, its header and doc comment.
private final class DeclarationCollector: SyntaxAnyVisitor {
    let origin: String
    let publicOnly: Bool
    var found: [(String, DeclarationIndex.Entry)] = []
    /// The types being walked through (`Trainer` for its `init`), innermost last.
    private var typeNames: [String] = []

    init(origin: String, publicOnly: Bool) {
        self.origin = origin
        self.publicOnly = publicOnly
        super.init(viewMode: .sourceAccurate)
    }

    private func isVisible(_ modifiers: DeclModifierListSyntax) -> Bool {
        !publicOnly || modifiers.contains { $0.name.tokenKind == .keyword(.public) || $0.name.tokenKind == .keyword(.open) }
    }

    /// The text of `node` from its first token to `end` (its body's start), on one line.
    private func header(_ node: some SyntaxProtocol, upTo end: AbsolutePosition?) -> String {
        let text = node.trimmedDescription
        guard let end else { return text }
        let length = end.utf8Offset - node.positionAfterSkippingLeadingTrivia.utf8Offset
        let cut = String(decoding: Array(text.utf8).prefix(max(0, length)), as: UTF8.self)
        return cut.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
            .trimmingCharacters(in: .whitespaces)
    }

    private func documentation(_ trivia: Trivia) -> String {
        trivia.compactMap { piece -> String? in
            switch piece {
            case let .docLineComment(text): return String(text.dropFirst(3)).trimmingCharacters(in: .whitespaces)
            case let .docBlockComment(text): return String(text.dropFirst(3).dropLast(2)).trimmingCharacters(in: .whitespacesAndNewlines)
            default: return nil
            }
        }.joined(separator: "\n")
    }

    private func record(_ name: String, _ signature: String, trivia: Trivia) {
        let qualified = typeNames.last.map { "\($0)." } ?? ""
        found.append((name, DeclarationIndex.Entry(signature: signature, documentation: documentation(trivia),
                                                   origin: origin + (qualified.isEmpty ? "" : ", member of \(typeNames.last!)"))))
    }

    /// A type or an extension: its members are recorded as its type's.
    override func visitAny(_ node: Syntax) -> SyntaxVisitorContinueKind {
        guard let group = node.asProtocol(DeclGroupSyntax.self) else { return .visitChildren }
        if let named = node.asProtocol(NamedDeclSyntax.self) {
            if isVisible(group.modifiers) {
                record(named.name.text, header(node, upTo: group.memberBlock.positionAfterSkippingLeadingTrivia),
                       trivia: node.leadingTrivia)
            }
            typeNames.append(named.name.text)
        } else {
            // An extension declares no name of its own.
            typeNames.append(node.as(ExtensionDeclSyntax.self)?.extendedType.trimmedDescription ?? "")
        }
        return .visitChildren
    }

    override func visitAnyPost(_ node: Syntax) {
        if node.isProtocol(DeclGroupSyntax.self) { typeNames.removeLast() }
    }

    override func visit(_ node: FunctionDeclSyntax) -> SyntaxVisitorContinueKind {
        if isVisible(node.modifiers) {
            record(node.name.text, header(node, upTo: node.body?.positionAfterSkippingLeadingTrivia), trivia: node.leadingTrivia)
        }
        return .skipChildren
    }

    override func visit(_ node: InitializerDeclSyntax) -> SyntaxVisitorContinueKind {
        if isVisible(node.modifiers), let type = typeNames.last {
            // Shown under the type's name: `Trainer(` is how a reader meets an initialiser.
            record(type, header(node, upTo: node.body?.positionAfterSkippingLeadingTrivia), trivia: node.leadingTrivia)
        }
        return .skipChildren
    }

    override func visit(_ node: VariableDeclSyntax) -> SyntaxVisitorContinueKind {
        guard isVisible(node.modifiers) else { return .skipChildren }
        let prefix = header(node, upTo: node.bindings.positionAfterSkippingLeadingTrivia)
        for binding in node.bindings {
            var text = binding.pattern.trimmedDescription + (binding.typeAnnotation?.trimmedDescription ?? "")
            if let value = binding.initializer?.value.trimmedDescription {
                let line = value.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
                text += " = " + (line.count > 80 || line != value ? String(line.prefix(80)) + "…" : line)
            }
            for name in binding.pattern.boundNames { record(name, prefix + " " + text, trivia: node.leadingTrivia) }
        }
        return .skipChildren
    }
}
