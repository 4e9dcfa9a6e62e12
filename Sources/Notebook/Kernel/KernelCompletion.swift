import SwiftSyntax

/// The names a kernel's cells declared, for completion: every top-level name, and the members
/// of the types and extensions they declared (read with swift-syntax; no types are inferred).
public struct KernelCompletion: Equatable, Sendable {
    /// Top-level names: variables, functions, types.
    public private(set) var names: Set<String> = []
    /// Members of declared types and extensions.
    public private(set) var members: Set<String> = []

    public init() {}

    /// Adds what a cell that ran declared.
    public mutating func add(cellSource source: String) {
        let declarations = CellDeclarations(source)
        names.formUnion(declarations.typeNames + declarations.functionNames + declarations.variableNames)
        for statement in declarations.tree.statements {
            guard let decl = statement.item.as(DeclSyntax.self) else { continue }
            guard let block = Self.memberBlock(of: decl) else { continue }
            for member in block.members {
                let decl = member.decl
                if let function = decl.as(FunctionDeclSyntax.self), case .identifier = function.name.tokenKind {
                    members.insert(function.name.identifierText)
                } else if let variable = decl.as(VariableDeclSyntax.self) {
                    for binding in variable.bindings { members.formUnion(binding.pattern.boundNames) }
                } else if let cases = decl.as(EnumCaseDeclSyntax.self) {
                    for element in cases.elements { members.insert(element.name.identifierText) }
                }
            }
        }
    }

    private static func memberBlock(of decl: DeclSyntax) -> MemberBlockSyntax? {
        if let d = decl.as(ClassDeclSyntax.self) { return d.memberBlock }
        if let d = decl.as(StructDeclSyntax.self) { return d.memberBlock }
        if let d = decl.as(EnumDeclSyntax.self) { return d.memberBlock }
        if let d = decl.as(ActorDeclSyntax.self) { return d.memberBlock }
        if let d = decl.as(ProtocolDeclSyntax.self) { return d.memberBlock }
        if let d = decl.as(ExtensionDeclSyntax.self) { return d.memberBlock }
        return nil
    }

    /// The candidates for the identifier that ends at `cursor` (an offset in Unicode scalars)
    /// in `code`: members after a `.`, else every name. Returns the matches, sorted, and where
    /// the identifier being completed starts.
    public func complete(_ code: String, cursor: Int) -> (matches: [String], start: Int) {
        let scalars = Array(code.unicodeScalars.prefix(max(0, cursor)))
        var start = scalars.count
        func isIdentifier(_ scalar: Unicode.Scalar) -> Bool { scalar == "_" || scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) }
        while start > 0, isIdentifier(scalars[start - 1]) { start -= 1 }
        let prefix = String(String.UnicodeScalarView(scalars[start...]))
        let afterDot = start > 0 && scalars[start - 1] == "."
        let pool = afterDot ? members : names.union(members)
        return (pool.filter { $0.hasPrefix(prefix) && $0 != prefix }.sorted(), start)
    }
}
