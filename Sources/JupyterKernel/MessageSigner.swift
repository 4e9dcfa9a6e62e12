import COpenSSLCrypto
import Foundation

/// Signs and checks messages with the connection file's key: the hex HMAC-SHA256 of the header,
/// parent header, metadata and content frames, in that order.
///
/// An empty key means "no signing", as in jupyter_client: messages go out with an empty
/// signature and incoming signatures are not checked.
public struct MessageSigner: Sendable {
    private let key: [UInt8]

    public init(key: String) {
        self.key = Array(key.utf8)
    }

    /// Whether messages are signed at all.
    public var isSigning: Bool { !key.isEmpty }

    /// The hex signature of `frames` (the four JSON frames); empty when not signing.
    public func signature(of frames: [Data]) -> String {
        guard isSigning else { return "" }
        var signed = Data()
        for frame in frames { signed.append(frame) }
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        key.withUnsafeBufferPointer { keyBytes in
            signed.withUnsafeBytes { data in
                _ = HMAC(EVP_sha256(), keyBytes.baseAddress, Int32(keyBytes.count),
                         data.bindMemory(to: UInt8.self).baseAddress, data.count, &digest, &length)
            }
        }
        return digest.prefix(Int(length)).map { String(format: "%02x", $0) }.joined()
    }

    /// Whether `signature` is the signature of `frames`, compared in constant time so that a
    /// forger learns nothing from how long a wrong guess took. Always true when not signing.
    public func isValid(signature: Data, for frames: [Data]) -> Bool {
        guard isSigning else { return true }
        let expected = Data(self.signature(of: frames).utf8)
        // The length is public (64 hex digits); only the contents must not leak.
        guard signature.count == expected.count else { return false }
        return signature.withUnsafeBytes { given in
            expected.withUnsafeBytes { wanted in
                CRYPTO_memcmp(given.baseAddress, wanted.baseAddress, wanted.count) == 0
            }
        }
    }
}
