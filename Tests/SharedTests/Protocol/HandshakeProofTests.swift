import Testing

@testable import ATSShared

/// The handshake proofs: the documented construction (docs/PROTOCOL.md), pinned by values computed
/// independently with Python's `hmac` module, and bound to every input.
struct HandshakeProofTests {
    let secret = "0123456789abcdef"
    let coordinatorNonce = Array(UInt8(0)..<32)
    let workerNonce = Array(UInt8(32)..<64)

    func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    @Test func matchesTheDocumentedConstruction() {
        // python3: hmac.new(secret, T("ATS-HELLO", 2, "w-1", Nc, Nw), hashlib.sha256).hexdigest()
        #expect(
            hex(
                HandshakeProof.worker(
                    secret: secret, version: 2, workerId: "w-1", coordinatorNonce: coordinatorNonce,
                    workerNonce: workerNonce))
                == "c7b307af694036680f8aa25f41124559aae20e550ae143aa788c117184c5f3c7")
        #expect(
            hex(
                HandshakeProof.coordinator(
                    secret: secret, version: 2, workerId: "w-1", coordinatorNonce: coordinatorNonce,
                    workerNonce: workerNonce))
                == "3742a7037de3b853199506aeca3faa203349b5e922cabd2875844597beba7023")
    }

    @Test func aProofVerifiesOnlyForExactlyItsInputs() {
        let proof = HandshakeProof.worker(
            secret: secret, version: 2, workerId: "w-1", coordinatorNonce: coordinatorNonce, workerNonce: workerNonce)
        func valid(
            secret: String? = nil, version: UInt32 = 2, id: String = "w-1", nc: [UInt8]? = nil, nw: [UInt8]? = nil
        ) -> Bool {
            HandshakeProof.isValidWorker(
                proof, secret: secret ?? self.secret, version: version, workerId: id,
                coordinatorNonce: nc ?? coordinatorNonce, workerNonce: nw ?? workerNonce)
        }
        #expect(valid())
        #expect(!valid(secret: "0123456789abcdeF"))
        #expect(!valid(version: 1))
        #expect(!valid(id: "w-2"))
        #expect(!valid(nc: Array(coordinatorNonce.reversed())))
        #expect(!valid(nw: coordinatorNonce))
        // The worker's proof is not the coordinator's (different labels).
        #expect(
            !HandshakeProof.isValidCoordinator(
                proof, secret: secret, version: 2, workerId: "w-1", coordinatorNonce: coordinatorNonce,
                workerNonce: workerNonce))
        #expect(
            !HandshakeProof.isValidWorker(
                [], secret: secret, version: 2, workerId: "w-1", coordinatorNonce: [], workerNonce: []))
    }

    @Test func noncesAreFreshAndFullLength() {
        let nonces = (0..<100).map { _ in HandshakeProof.nonce() }
        #expect(nonces.allSatisfy { $0.count == 32 })
        #expect(Set(nonces).count == 100)
    }

    @Test func constantTimeEqualityComparesWholeValues() {
        #expect(ConstantTime.equal(Array("secret-token".utf8), Array("secret-token".utf8)))
        #expect(!ConstantTime.equal(Array("secret-token".utf8), Array("secret-tokeN".utf8)))
        #expect(!ConstantTime.equal(Array("secret".utf8), Array("secret-token".utf8)))
        #expect(!ConstantTime.equal([UInt8](), [0]))
    }
}
