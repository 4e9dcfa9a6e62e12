import SwiftParser
import SwiftSyntax

/// What a cell's source declares at its top level, read with swift-syntax: the analysis behind
/// ``LiveCellProgram``.
struct CellDeclarations {
    /// Where a top-level item of a live cell goes in the generated file.
    enum Placement: Equatable {
        /// At file scope: imports, types, extensions, operators, and functions that do not use
        /// the cell's own variables.
        case fileScope
        /// In the entry point's body, in order: statements, variables, and the functions that
        /// capture them.
        case body
    }

    /// One top-level item of the cell with the text that belongs to it.
    struct Item: Equatable {
        var placement: Placement
        /// The item's text, from the start of its leading comments (doc comments stay with their
        /// declaration) to the start of the next item; UTF-8 offsets into the source.
        var start: Int
        var end: Int
        /// The 0-based line of `start` within the source, and its 0-based column when the item
        /// does not start its line (`a(); b()`).
        var line: Int
        var column: Int
        /// Whether the item can throw to the top level: a `try` or `throw` outside any nested
        /// function or closure.
        var throwsAtTopLevel: Bool
    }

    /// A member added by an `extension` of a type the chapter does not declare (a D2LSwift or
    /// standard library type).
    struct ExtensionMember {
        var name: String
        var extensionDecl: ExtensionDeclSyntax
        var member: DeclSyntax
    }

    let source: String
    let tree: SourceFileSyntax

    init(_ source: String) {
        self.source = source
        tree = Parser.parse(source: source)
    }

    private var topLevelDecls: [DeclSyntax] {
        tree.statements.compactMap { $0.item.as(DeclSyntax.self) }
    }

    // MARK: Names

    /// Types declared at top level: classes, structs, enums, actors, protocols, type aliases.
    var typeNames: [String] {
        topLevelDecls.compactMap(\.declaredTypeName)
    }

    /// Top-level functions named by an identifier (operators excluded), that other files can see.
    var functionNames: [String] {
        topLevelDecls.compactMap { decl in
            guard let function = decl.as(FunctionDeclSyntax.self), !function.modifiers.isFilePrivate,
                  case .identifier = function.name.tokenKind else { return nil }
            return function.name.identifierText
        }
    }

    /// Names bound by top-level `let`/`var` (tuple patterns included) and top-level `guard let`.
    var variableNames: [String] {
        var names: [String] = []
        for item in tree.statements {
            if let variable = item.item.as(VariableDeclSyntax.self), !variable.modifiers.isFilePrivate {
                for binding in variable.bindings { names += binding.pattern.boundNames }
            } else if let guardStatement = item.item.as(GuardStmtSyntax.self) {
                for condition in guardStatement.conditions {
                    if let binding = condition.condition.as(OptionalBindingConditionSyntax.self) {
                        names += binding.pattern.boundNames
                    }
                }
            }
        }
        return names
    }

    /// Every name declared at top level, whatever its kind.
    var declaredNames: Set<String> {
        Set(typeNames + variableNames + topLevelDecls.compactMap { $0.as(FunctionDeclSyntax.self)?.name.identifierText })
    }

    /// Every identifier the cell mentions, anywhere (`x`, `.member`, labels, type names).
    var mentionedIdentifiers: Set<String> {
        Set(tree.tokens(viewMode: .sourceAccurate).compactMap { token in
            if case .identifier = token.tokenKind { return token.identifierText }
            return nil
        })
    }

    /// Members added by top-level extensions of types not in `chapterTypes`, identifier-named
    /// functions and variables only.
    func extensionMembers(excludingExtensionsOf chapterTypes: Set<String>) -> [ExtensionMember] {
        var members: [ExtensionMember] = []
        for decl in topLevelDecls {
            guard let ext = decl.as(ExtensionDeclSyntax.self), !chapterTypes.contains(ext.extendedType.baseName) else { continue }
            for member in ext.memberBlock.members {
                if let function = member.decl.as(FunctionDeclSyntax.self), case .identifier = function.name.tokenKind {
                    members.append(ExtensionMember(name: function.name.identifierText, extensionDecl: ext, member: member.decl))
                } else if let variable = member.decl.as(VariableDeclSyntax.self) {
                    for binding in variable.bindings {
                        for name in binding.pattern.boundNames {
                            members.append(ExtensionMember(name: name, extensionDecl: ext, member: member.decl))
                        }
                    }
                }
            }
        }
        return members
    }

    /// The names of members this cell adds in its own extensions, whatever the type.
    var ownExtensionMemberNames: Set<String> {
        Set(extensionMembers(excludingExtensionsOf: []).map(\.name))
    }

    // MARK: Placement

    /// The cell's top-level items, in order, with their placement; together their texts are the
    /// whole source.
    var items: [Item] {
        let statements = Array(tree.statements)
        let bytes = Array(source.utf8)
        guard !statements.isEmpty else {
            return bytes.isEmpty ? [] : [Item(placement: .body, start: 0, end: bytes.count, line: 0, column: 0, throwsAtTopLevel: false)]
        }
        let localFunctions = Self.localFunctions(in: statements, cellVariables: Set(variableNames))
        var starts: [Int] = []
        for (index, statement) in statements.enumerated() {
            starts.append(index == 0 ? 0 : Self.start(of: statement, in: bytes))
        }
        var result: [Item] = []
        for (index, statement) in statements.enumerated() {
            let start = starts[index]
            let end = index + 1 < starts.count ? starts[index + 1] : bytes.count
            let (line, column) = Self.lineAndColumn(of: start, in: bytes)
            let placement: Placement
            if let function = statement.item.as(FunctionDeclSyntax.self) {
                placement = localFunctions.contains(function.id) ? .body : .fileScope
            } else if let decl = statement.item.as(DeclSyntax.self), Self.belongsAtFileScope(decl) {
                placement = .fileScope
            } else {
                placement = .body
            }
            let finder = TopLevelThrowFinder(viewMode: .sourceAccurate)
            finder.walk(statement)
            result.append(Item(placement: placement, start: start, end: end, line: line, column: column,
                               throwsAtTopLevel: placement == .body && finder.found))
        }
        return result
    }

    /// Declarations that can only, or best, live at file scope.
    private static func belongsAtFileScope(_ decl: DeclSyntax) -> Bool {
        decl.is(ImportDeclSyntax.self) || decl.is(ExtensionDeclSyntax.self) || decl.is(ClassDeclSyntax.self)
            || decl.is(StructDeclSyntax.self) || decl.is(EnumDeclSyntax.self) || decl.is(ActorDeclSyntax.self)
            || decl.is(ProtocolDeclSyntax.self) || decl.is(TypeAliasDeclSyntax.self)
            || decl.is(OperatorDeclSyntax.self) || decl.is(PrecedenceGroupDeclSyntax.self)
    }

    /// The top-level functions that must stay in the body: those referring to a cell variable,
    /// and, transitively, those referring to such a function (a file-scope function could not
    /// see a local one).
    private static func localFunctions(in statements: [CodeBlockItemSyntax], cellVariables: Set<String>) -> Set<SyntaxIdentifier> {
        let functions = statements.compactMap { $0.item.as(FunctionDeclSyntax.self) }
        var localNames = cellVariables
        var local: Set<SyntaxIdentifier> = []
        var changed = true
        while changed {
            changed = false
            for function in functions where !local.contains(function.id) {
                let finder = ReferenceFinder(names: localNames)
                finder.walk(function)
                if finder.found {
                    local.insert(function.id)
                    localNames.insert(function.name.identifierText)
                    changed = true
                }
            }
        }
        return local
    }

    /// Where the text of a top-level item starts: its first comment, else its first token; at the
    /// start of that line when only blanks precede it there.
    private static func start(of statement: CodeBlockItemSyntax, in bytes: [UInt8]) -> Int {
        var offset = statement.position.utf8Offset
        var start = statement.positionAfterSkippingLeadingTrivia.utf8Offset
        for piece in statement.leadingTrivia {
            if !piece.isWhitespace {
                start = offset
                break
            }
            offset += piece.sourceLength.utf8Length
        }
        var lineStart = start
        while lineStart > 0, bytes[lineStart - 1] == UInt8(ascii: " ") || bytes[lineStart - 1] == UInt8(ascii: "\t") {
            lineStart -= 1
        }
        return lineStart == 0 || bytes[lineStart - 1] == UInt8(ascii: "\n") ? lineStart : start
    }

    private static func lineAndColumn(of offset: Int, in bytes: [UInt8]) -> (line: Int, column: Int) {
        var line = 0, lineStart = 0
        for index in 0..<offset where bytes[index] == UInt8(ascii: "\n") {
            line += 1
            lineStart = index + 1
        }
        return (line, offset - lineStart)
    }
}

/// Finds a reference (`x`, not `.x`) to one of `names`.
private final class ReferenceFinder: SyntaxVisitor {
    let names: Set<String>
    var found = false

    init(names: Set<String>) {
        self.names = names
        super.init(viewMode: .sourceAccurate)
    }

    override func visit(_ node: DeclReferenceExprSyntax) -> SyntaxVisitorContinueKind {
        if names.contains(node.baseName.identifierText) { found = true }
        return found ? .skipChildren : .visitChildren
    }

    override func visit(_ node: MemberAccessExprSyntax) -> SyntaxVisitorContinueKind {
        // `a.x` refers to a member x, not to a variable x: only the base can name one.
        if let base = node.base { walk(base) }
        return .skipChildren
    }
}

/// Finds a `try` or `throw` whose error would reach the top level: not inside a nested function,
/// closure or type.
final class TopLevelThrowFinder: SyntaxVisitor {
    var found = false

    override func visit(_ node: TryExprSyntax) -> SyntaxVisitorContinueKind {
        // `try?` and `try!` handle the error themselves.
        if node.questionOrExclamationMark == nil { found = true }
        return found ? .skipChildren : .visitChildren
    }

    override func visit(_ node: ThrowStmtSyntax) -> SyntaxVisitorContinueKind {
        found = true
        return .skipChildren
    }

    override func visit(_ node: ClosureExprSyntax) -> SyntaxVisitorContinueKind { .skipChildren }
    override func visit(_ node: FunctionDeclSyntax) -> SyntaxVisitorContinueKind { .skipChildren }
    override func visit(_ node: InitializerDeclSyntax) -> SyntaxVisitorContinueKind { .skipChildren }
    override func visit(_ node: AccessorBlockSyntax) -> SyntaxVisitorContinueKind { .skipChildren }
    override func visit(_ node: MemberBlockSyntax) -> SyntaxVisitorContinueKind { .skipChildren }
}

extension String {
    /// The name as an identifier, backticked when it is a keyword-like name such as `default`.
    var escapedIdentifier: String {
        let keywords: Set<String> = ["default", "class", "struct", "enum", "func", "let", "var", "in", "is", "as",
                                     "self", "Self", "init", "return", "if", "else", "for", "while", "do", "try",
                                     "switch", "case", "import", "protocol", "extension", "static", "where"]
        return keywords.contains(self) ? "`\(self)`" : self
    }
}

extension DeclSyntax {
    /// The name of the type this declares: a class, struct, enum, actor, protocol or type alias.
    var declaredTypeName: String? {
        if let d = self.as(ClassDeclSyntax.self) { return d.name.identifierText }
        if let d = self.as(StructDeclSyntax.self) { return d.name.identifierText }
        if let d = self.as(EnumDeclSyntax.self) { return d.name.identifierText }
        if let d = self.as(ActorDeclSyntax.self) { return d.name.identifierText }
        if let d = self.as(ProtocolDeclSyntax.self) { return d.name.identifierText }
        if let d = self.as(TypeAliasDeclSyntax.self) { return d.name.identifierText }
        return nil
    }
}

extension TokenSyntax {
    /// The identifier's name without backticks.
    var identifierText: String {
        let text = self.text
        if text.hasPrefix("`"), text.hasSuffix("`"), text.count >= 2 { return String(text.dropFirst().dropLast()) }
        return text
    }
}

extension PatternSyntax {
    /// The names this pattern binds.
    var boundNames: [String] {
        if let identifier = self.as(IdentifierPatternSyntax.self) { return [identifier.identifier.identifierText] }
        if let tuple = self.as(TuplePatternSyntax.self) { return tuple.elements.flatMap { $0.pattern.boundNames } }
        if let binding = self.as(ValueBindingPatternSyntax.self) { return binding.pattern.boundNames }
        return []
    }
}

extension TypeSyntax {
    /// The name of the type itself: `Tensor` for `Tensor`, `D2LSwift.Tensor` or `Array<Int>`'s `Array`.
    var baseName: String {
        if let identifier = self.as(IdentifierTypeSyntax.self) { return identifier.name.identifierText }
        if let member = self.as(MemberTypeSyntax.self) { return member.name.identifierText }
        return trimmedDescription
    }
}

extension DeclModifierListSyntax {
    /// Whether a `private` or `fileprivate` modifier hides the declaration from other files.
    var isFilePrivate: Bool {
        contains { $0.name.tokenKind == .keyword(.private) || $0.name.tokenKind == .keyword(.fileprivate) }
    }
}
