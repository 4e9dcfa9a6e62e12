import JupyterKernel
import XCTest

final class WireCodecTests: XCTestCase {
    static let key = "a0436f6c-1916-498b-8eb9-e81ab9368e84"
    static let header = MessageHeader(messageID: "5a1f0c3e-0000-4000-8000-000000000001", session: "s1",
                                      username: "tester", date: "2026-12-06T06:00:00.000000Z",
                                      messageType: "kernel_info_request")

    /// The expected frames and signature were computed once with Python, as jupyter_client
    /// would sign them:
    ///     d = lambda o: json.dumps(o, sort_keys=True, separators=(',', ':')).encode()
    ///     hmac.new(key, d(header) + d({}) + d({}) + d({}), hashlib.sha256).hexdigest()
    func testEncodesAndSignsAsJupyterClient() {
        let frames = WireCodec(key: Self.key).encode(Message(identities: [Data("client".utf8)], header: Self.header))
        XCTAssertEqual(frames.map { String(decoding: $0, as: UTF8.self) }, [
            "client", "<IDS|MSG>", "f3d9cacd395790e5530bade9a3ca4d2d79a04cc83752d0af92d2e96780848299",
            #"{"date":"2026-12-06T06:00:00.000000Z","msg_id":"5a1f0c3e-0000-4000-8000-000000000001","msg_type":"kernel_info_request","session":"s1","username":"tester","version":"5.3"}"#,
            "{}", "{}", "{}",
        ])
    }

    func testRoundTrip() throws {
        let message = Message(identities: [Data("a".utf8), Data([0, 1, 2])], header: Self.header,
                              parentHeader: ["msg_id": "p"], metadata: ["cell": 3],
                              content: ["code": "print(\"é\")\n", "silent": false, "list": [1, .double(2.5), nil]],
                              buffers: [Data([9, 8, 7])])
        let codec = WireCodec(key: Self.key)
        XCTAssertEqual(try codec.decode(codec.encode(message)), message)
    }

    func testDropsForgedMessages() {
        let message = Message(header: Self.header, content: ["code": "1"])
        let forged = WireCodec(key: "another key").encode(message)
        XCTAssertThrowsError(try WireCodec(key: Self.key).decode(forged)) { XCTAssertEqual($0 as? WireError, .badSignature) }

        var unsigned = WireCodec(key: "").encode(message)
        XCTAssertEqual(unsigned[1], Data())
        XCTAssertThrowsError(try WireCodec(key: Self.key).decode(unsigned)) { XCTAssertEqual($0 as? WireError, .unsigned) }

        // A signed message whose content was changed on the way.
        var tampered = WireCodec(key: Self.key).encode(message)
        tampered[5] = Data(#"{"code":"2"}"#.utf8)
        XCTAssertThrowsError(try WireCodec(key: Self.key).decode(tampered)) { XCTAssertEqual($0 as? WireError, .badSignature) }

        unsigned.removeFirst()
        XCTAssertThrowsError(try WireCodec(key: Self.key).decode(unsigned)) { XCTAssertEqual($0 as? WireError, .noDelimiter) }
    }

    func testRefusesAReplayedMessage() throws {
        let codec = WireCodec(key: Self.key)
        let frames = codec.encode(Message(header: Self.header))
        XCTAssertNoThrow(try codec.decode(frames))
        XCTAssertThrowsError(try codec.decode(frames)) { XCTAssertEqual($0 as? WireError, .replayed) }
    }

    /// With no key, jupyter_client neither signs nor checks: any signature frame is accepted.
    func testEmptyKeyAcceptsUnsignedMessages() throws {
        let frames = WireCodec(key: "").encode(Message(header: Self.header))
        XCTAssertEqual(try WireCodec(key: "").decode(frames).header, Self.header)
    }
}
