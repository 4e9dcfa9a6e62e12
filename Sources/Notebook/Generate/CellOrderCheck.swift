import SwiftLexicalLookup
import SwiftParser
import SwiftSyntax

/// The notebook's reading order, enforced before anything runs: a cell may use only what it
/// declares itself or what cells before it declared.
///
/// All cells are one program, and Swift lets any line of it name any top-level declaration: a
/// cell that reads a variable a later cell declares would read it before its initialiser ran
/// (an `Int` reads 0, an object crashes). Functions and types declared later are refused too,
/// since a later function may read a later variable, and a notebook reads top to bottom. Within
/// one cell Swift's own rules apply.
public enum CellOrderCheck {
    /// One error for each place where a running cell names a top-level declaration that only a
    /// later running cell makes, located in the chapter's Markdown.
    public static func diagnostics(for chapter: Chapter, plans: [CellPlan]) -> [Diagnostic] {
        let running = chapter.cells.filter { plans[$0.index].runs }
        let analyses = running.map { CellAnalysis(cell: $0, plan: plans[$0.index]) }
        // Where each name is first declared; only the main flow's declarations are global.
        var declarations: [String: Declaration] = [:]
        var chapterMembers: [String: Set<String>] = [:]
        for analysis in analyses where analysis.plan == .run {
            for declaration in analysis.topLevelDeclarations() where declarations[declaration.name] == nil {
                declarations[declaration.name] = declaration
            }
            for (type, members) in analysis.membersByType() { chapterMembers[type, default: []].formUnion(members) }
        }
        var result: [Diagnostic] = []
        for analysis in analyses {
            for reference in analysis.references() {
                guard let declaration = declarations[reference.name], declaration.cell.index > analysis.cell.index else { continue }
                let resolution = analysis.resolution(of: reference, chapterMembers: chapterMembers)
                switch resolution {
                case .local, .member:
                    continue
                case .global, .memberOrGlobal:
                    let line = analysis.cell.line + reference.line
                    let shown = analysis.excerpt(line: reference.line, column: reference.column)
                    var message = "'\(reference.name)' is declared by cell '\(declaration.cell.id)' (line \(declaration.markdownLine)), "
                        + "which runs after this one"
                    if case let .memberOrGlobal(type) = resolution {
                        message += " (if you mean a member of '\(type)', write 'self.\(reference.name)')"
                    }
                    result.append(Diagnostic(file: chapter.path, line: line, column: reference.column + 1,
                                             severity: .error, message: message, excerpt: shown))
                }
            }
        }
        return result
    }

    /// A top-level name and the cell that declares it.
    struct Declaration {
        var name: String
        var cell: Cell
        /// The 0-based line of the declaration within the cell's source.
        var line: Int
        var markdownLine: Int { cell.line + line }
    }

    /// A name used unqualified in a cell: a variable, a function or a type.
    struct Reference {
        var name: String
        /// The name's token, where lookup starts.
        var token: TokenSyntax
        /// 0-based line and column within the cell's source.
        var line: Int
        var column: Int
    }

    /// What an unqualified name refers to, as far as the cell's own text tells.
    enum Resolution: Equatable {
        /// Declared in an enclosing scope of the cell (a parameter, a local, a generic parameter).
        case local
        /// A member of the enclosing type, declared by the chapter.
        case member
        /// A top-level declaration.
        case global
        /// Inside a type or extension whose members the chapter does not fully show (a library
        /// type, or a type that inherits): a member if the type has one, else the global.
        case memberOrGlobal(type: String)
    }

    /// One cell's parsed source.
    struct CellAnalysis {
        let cell: Cell
        let plan: CellPlan
        let tree: SourceFileSyntax
        let converter: SourceLocationConverter

        init(cell: Cell, plan: CellPlan) {
            self.cell = cell
            self.plan = plan
            tree = Parser.parse(source: cell.source)
            converter = SourceLocationConverter(fileName: "", tree: tree)
        }

        private func location(of node: some SyntaxProtocol) -> (line: Int, column: Int) {
            let location = converter.location(for: node.positionAfterSkippingLeadingTrivia)
            return (location.line - 1, location.column - 1)
        }

        /// Top-level variables, functions and types, with where each is declared.
        func topLevelDeclarations() -> [Declaration] {
            var result: [Declaration] = []
            for item in tree.statements {
                let names: [String]
                if let variable = item.item.as(VariableDeclSyntax.self), !variable.modifiers.isFilePrivate {
                    names = variable.bindings.flatMap { $0.pattern.boundNames }
                } else if let guardStatement = item.item.as(GuardStmtSyntax.self) {
                    names = guardStatement.conditions.flatMap { condition -> [String] in
                        condition.condition.as(OptionalBindingConditionSyntax.self)?.pattern.boundNames ?? []
                    }
                } else if let decl = item.item.as(DeclSyntax.self), let name = Self.declaredTypeOrFunctionName(decl) {
                    names = [name]
                } else {
                    names = []
                }
                let line = location(of: item).line
                result += names.map { Declaration(name: $0, cell: cell, line: line) }
            }
            return result
        }

        private static func declaredTypeOrFunctionName(_ decl: DeclSyntax) -> String? {
            if let d = decl.as(FunctionDeclSyntax.self), case .identifier = d.name.tokenKind { return d.name.identifierText }
            return decl.declaredTypeName
        }

        /// The member names of each type the cell declares or extends at top level.
        func membersByType() -> [String: Set<String>] {
            var result: [String: Set<String>] = [:]
            for item in tree.statements {
                guard let decl = item.item.as(DeclSyntax.self), let (type, members) = Self.typeAndMembers(decl) else { continue }
                result[type, default: []].formUnion(members.flatMap(Self.memberNames))
            }
            return result
        }

        private static func typeAndMembers(_ decl: DeclSyntax) -> (String, MemberBlockItemListSyntax)? {
            if let d = decl.as(ClassDeclSyntax.self) { return (d.name.identifierText, d.memberBlock.members) }
            if let d = decl.as(StructDeclSyntax.self) { return (d.name.identifierText, d.memberBlock.members) }
            if let d = decl.as(EnumDeclSyntax.self) { return (d.name.identifierText, d.memberBlock.members) }
            if let d = decl.as(ActorDeclSyntax.self) { return (d.name.identifierText, d.memberBlock.members) }
            if let d = decl.as(ExtensionDeclSyntax.self) { return (d.extendedType.baseName, d.memberBlock.members) }
            return nil
        }

        private static func memberNames(_ member: MemberBlockItemSyntax) -> [String] {
            let decl = member.decl
            if let variable = decl.as(VariableDeclSyntax.self) { return variable.bindings.flatMap { $0.pattern.boundNames } }
            if let cases = decl.as(EnumCaseDeclSyntax.self) { return cases.elements.map { $0.name.identifierText } }
            if let name = declaredTypeOrFunctionName(decl) { return [name] }
            return []
        }

        /// Every unqualified name the cell uses as a value or a type: `x` and `f(...)`, not the
        /// `y` of `x.y`, labels or key-path components.
        func references() -> [Reference] {
            let collector = ReferenceCollector(viewMode: .sourceAccurate)
            collector.walk(tree)
            return collector.found.map { token in
                let (line, column) = location(of: token)
                return Reference(name: token.identifierText, token: token, line: line, column: column)
            }
        }

        func resolution(of reference: Reference, chapterMembers: [String: Set<String>]) -> Resolution {
            for result in reference.token.lookup(Identifier(reference.token)) {
                switch result {
                case let .fromScope(_, names):
                    // Declared in the cell itself: in a scope around the use, or at its top level
                    // (local to an isolated cell; else a redeclaration the compiler reports).
                    if !names.isEmpty { return .local }
                case let .lookForMembers(scope):
                    guard let decl = scope.as(DeclSyntax.self), let (type, _) = Self.typeAndMembers(decl) else { continue }
                    if chapterMembers[type, default: []].contains(reference.name) { return .member }
                    if !Self.membersAreAllInChapter(decl) { return .memberOrGlobal(type: type) }
                case .lookForGenericParameters, .lookForImplicitClosureParameters:
                    continue
                }
            }
            return .global
        }

        /// Whether the chapter declares the type itself and it inherits nothing that could add
        /// members (a class, or a protocol with extensions).
        private static func membersAreAllInChapter(_ decl: DeclSyntax) -> Bool {
            if decl.is(ExtensionDeclSyntax.self) { return false }
            return decl.asProtocol(DeclGroupSyntax.self)?.inheritanceClause == nil
        }

        /// The cell's source line with a caret under `column`, as the compiler shows its errors.
        func excerpt(line: Int, column: Int) -> String {
            let lines = cell.source.split(separator: "\n", omittingEmptySubsequences: false)
            guard line < lines.count else { return "" }
            return String(lines[line]) + "\n" + String(repeating: " ", count: column) + "^"
        }
    }

    /// Collects unqualified references in source order.
    private final class ReferenceCollector: SyntaxVisitor {
        var found: [TokenSyntax] = []

        override func visit(_ node: DeclReferenceExprSyntax) -> SyntaxVisitorContinueKind {
            if case .identifier = node.baseName.tokenKind, !isQualified(node) {
                found.append(node.baseName)
            }
            return .visitChildren
        }

        override func visit(_ node: IdentifierTypeSyntax) -> SyntaxVisitorContinueKind {
            if case .identifier = node.name.tokenKind { found.append(node.name) }
            return .visitChildren
        }

        /// `x.name`, `.name` and `\.name` name a member, not a top-level declaration.
        private func isQualified(_ node: DeclReferenceExprSyntax) -> Bool {
            if let access = node.parent?.as(MemberAccessExprSyntax.self), access.declName.id == node.id { return true }
            return node.parent?.is(KeyPathPropertyComponentSyntax.self) == true
        }
    }
}
