import Foundation

/// One Jupyter message, decoded: the routing identities, the four JSON parts and any binary
/// buffers.
public struct Message: Equatable, Sendable {
    /// The ROUTER identities of the sender, sent back in front of a reply so it reaches them.
    public var identities: [Data]
    public var header: MessageHeader
    /// The header of the request this message answers, or an empty object.
    public var parentHeader: JSONValue
    public var metadata: JSONValue
    public var content: JSONValue
    public var buffers: [Data]

    public init(identities: [Data] = [], header: MessageHeader, parentHeader: JSONValue = [:],
                metadata: JSONValue = [:], content: JSONValue = [:], buffers: [Data] = []) {
        self.identities = identities
        self.header = header
        self.parentHeader = parentHeader
        self.metadata = metadata
        self.content = content
        self.buffers = buffers
    }

    /// The message's type, as in its header.
    public var type: String { header.messageType }
}
