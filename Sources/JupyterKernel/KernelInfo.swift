/// What `kernel_info_reply` says about this kernel and its language.
public struct KernelInfo: Equatable, Sendable {
    /// The version of the program that implements the kernel.
    public var implementationVersion: String
    /// The Swift version cells are compiled with.
    public var languageVersion: String
    /// Shown by consoles when they connect.
    public var banner: String

    public init(implementationVersion: String, languageVersion: String, banner: String) {
        self.implementationVersion = implementationVersion
        self.languageVersion = languageVersion
        self.banner = banner
    }

    /// The reply's content.
    public var replyContent: JSONValue {
        [
            "status": "ok",
            "protocol_version": .string(MessageHeader.protocolVersion),
            "implementation": "d2l-swift",
            "implementation_version": .string(implementationVersion),
            "language_info": [
                "name": "swift",
                "version": .string(languageVersion),
                "mimetype": "text/x-swift",
                "file_extension": ".swift",
                "codemirror_mode": "swift",
                "pygments_lexer": "swift",
            ],
            "banner": .string(banner),
            "help_links": [],
            "debugger": false,
        ]
    }
}
