/// A problem the user can fix (the chapter, a flag, the toolchain, a folder): a command prints
/// it in one line and exits with its ``exitStatus``. A new kind of such error adopts this
/// protocol and gets both, instead of being reported as a crash of the runner.
public protocol UserFacingError: Error, CustomStringConvertible {
    /// What is wrong, in the user's terms.
    var message: String { get }
    /// The file and line the problem is at, when it is in a file.
    var location: SourceLocation? { get }
    /// The command's exit status: 2 (the input cannot be used) unless the error says otherwise.
    var exitStatus: Int32 { get }
}

/// A place in a file, written `path:line` as compilers do, so that editors jump to it.
public struct SourceLocation: Equatable, Sendable, CustomStringConvertible {
    public var path: String
    public var line: Int?

    public init(path: String, line: Int? = nil) {
        self.path = path
        self.line = line
    }

    public var description: String { path + (line.map { ":\($0)" } ?? "") }
}

extension UserFacingError {
    public var location: SourceLocation? { nil }
    public var exitStatus: Int32 { 2 }

    /// The one line `command` prints: `path:line: error: message` for a problem in a file,
    /// `command: message` otherwise.
    public func report(by command: String) -> String {
        location.map { "\($0): error: \(message)" } ?? "\(command): \(message)"
    }
}
