import Foundation

/// Turns messages into ZeroMQ frames and back:
/// `[identities..., "<IDS|MSG>", signature, header, parent_header, metadata, content, buffers...]`.
///
/// Decoding checks the signature before parsing anything, and refuses a signature it has seen
/// before (a replayed message), as jupyter_client's Session does.
public final class WireCodec: @unchecked Sendable {  // its lock guards the seen signatures
    /// The frame between the routing identities and the signature.
    public static let delimiter = Data("<IDS|MSG>".utf8)

    private let signer: MessageSigner
    // Guarded by `lock`: decoding may happen on the shell and control threads at once.
    private let lock = NSLock()
    private var seenSignatures = Set<Data>()
    private var seenOrder: [Data] = []
    /// jupyter_client keeps 2^16 signatures; enough to catch a replay within a session's burst.
    private let seenLimit = 1 << 16

    public init(key: String) {
        signer = MessageSigner(key: key)
    }

    /// Whether messages are signed (the key is not empty).
    public var isSigning: Bool { signer.isSigning }

    /// The frames that carry `message`, signed.
    public func encode(_ message: Message) -> [Data] {
        let parts = [message.header.json.encoded(), message.parentHeader.encoded(),
                     message.metadata.encoded(), message.content.encoded()]
        return message.identities + [Self.delimiter, Data(signer.signature(of: parts).utf8)] + parts + message.buffers
    }

    /// The message in `frames`, after checking its signature.
    ///
    /// - Throws: `WireError` for a message that must be dropped: malformed, unsigned or
    ///   wrongly signed, or a replay.
    public func decode(_ frames: [Data]) throws -> Message {
        guard let split = frames.firstIndex(of: Self.delimiter) else { throw WireError.noDelimiter }
        let rest = frames[(split + 1)...]
        guard rest.count >= 5 else { throw WireError.tooFewFrames(rest.count) }
        let signature = rest[rest.startIndex]
        let parts = Array(rest.dropFirst().prefix(4))
        if signer.isSigning {
            guard !signature.isEmpty else { throw WireError.unsigned }
            guard signer.isValid(signature: signature, for: parts) else { throw WireError.badSignature }
            guard remember(signature) else { throw WireError.replayed }
        }
        let json: [JSONValue]
        do {
            json = try parts.map(JSONValue.decode)
        } catch {
            throw WireError.invalidJSON
        }
        guard let header = MessageHeader(json[0]) else { throw WireError.invalidHeader }
        return Message(identities: Array(frames[..<split]), header: header, parentHeader: json[1],
                       metadata: json[2], content: json[3], buffers: Array(rest.dropFirst(5)))
    }

    /// Records a signature; false if it was already seen.
    private func remember(_ signature: Data) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard seenSignatures.insert(signature).inserted else { return false }
        seenOrder.append(signature)
        if seenOrder.count > seenLimit {
            // Forget the oldest tenth at once, as jupyter_client culls its digest history.
            let forgotten = seenOrder.prefix(seenLimit / 10)
            seenSignatures.subtract(forgotten)
            seenOrder.removeFirst(forgotten.count)
        }
        return true
    }
}

/// Why incoming frames were dropped instead of handled.
public enum WireError: Error, Equatable, CustomStringConvertible {
    case noDelimiter
    case tooFewFrames(Int)
    case unsigned
    case badSignature
    case replayed
    case invalidJSON
    case invalidHeader

    public var description: String {
        switch self {
        case .noDelimiter: return "no <IDS|MSG> delimiter"
        case .tooFewFrames(let count): return "\(count) frames after the delimiter, 5 needed"
        case .unsigned: return "no signature, and the connection file has a key"
        case .badSignature: return "its signature does not match the connection file's key"
        case .replayed: return "its signature was already used (a replayed message)"
        case .invalidJSON: return "a JSON frame does not parse"
        case .invalidHeader: return "its header has no msg_id or msg_type"
        }
    }
}
