/// A problem with the chapter file itself: it names the file and line, and `d2l-run` exits
/// with status 2.
public struct ChapterError: UserFacingError, Equatable {
    public var path: String
    public var line: Int?
    public var message: String

    public init(path: String, line: Int? = nil, message: String) {
        self.path = path
        self.line = line
        self.message = message
    }

    public var location: SourceLocation? { SourceLocation(path: path, line: line) }

    /// `path:line: error: message`, the form editors jump to.
    public var description: String { report(by: "d2l-run") }
}
