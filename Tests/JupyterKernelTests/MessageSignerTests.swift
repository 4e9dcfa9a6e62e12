import JupyterKernel
import XCTest

final class MessageSignerTests: XCTestCase {
    /// RFC 4231, test case 2 (key "Jefe"): the frames are signed as one concatenated text, so
    /// splitting the test's data into four frames must give the RFC's digest.
    func testRFC4231Vector() {
        let frames = ["what do ya ", "want ", "for ", "nothing?"].map { Data($0.utf8) }
        XCTAssertEqual(MessageSigner(key: "Jefe").signature(of: frames),
                       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    func testChecksSignatures() {
        let signer = MessageSigner(key: "Jefe")
        let frames = [Data("{}".utf8), Data("{}".utf8)]
        let good = Data(signer.signature(of: frames).utf8)
        XCTAssertTrue(signer.isValid(signature: good, for: frames))
        var flipped = good
        flipped[flipped.count - 1] ^= 1
        XCTAssertFalse(signer.isValid(signature: flipped, for: frames))
        XCTAssertFalse(signer.isValid(signature: good.dropLast(), for: frames))
        XCTAssertFalse(signer.isValid(signature: Data(), for: frames))
        XCTAssertFalse(signer.isValid(signature: good, for: [Data("{}".utf8), Data("{ }".utf8)]))
    }

    /// jupyter_client: an empty key turns signing off in both directions.
    func testEmptyKeySignsNothingAndChecksNothing() {
        let signer = MessageSigner(key: "")
        XCTAssertFalse(signer.isSigning)
        XCTAssertEqual(signer.signature(of: [Data("{}".utf8)]), "")
        XCTAssertTrue(signer.isValid(signature: Data("anything".utf8), for: [Data("{}".utf8)]))
    }
}
