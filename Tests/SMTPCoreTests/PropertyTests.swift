// Random command sequences and random bytes: the engine never crashes, every reply line is well formed and at most
// 512 octets, RSET and a finished DATA always return to the greeted state, and no transaction spans a STARTTLS.
import Testing
import PropertyBased
@testable import SMTPCore

enum Fragments {
    static let lines: [String] = [
        "EHLO client.example.com", "HELO x", "EHLO", "STARTTLS", "AUTH PLAIN \(SampleCredentials.plainInitialResponse)",
        "AUTH LOGIN", "YWxpY2VAZXhhbXBsZS5jb20=", "d29uZGVybGFuZA==", "*", "AUTH PLAIN", "AUTH CRAM-MD5",
        "MAIL FROM:<alice@example.com>", "MAIL FROM:<>", "MAIL FROM:alice@example.com", "MAIL FROM:<a@b> SIZE=99999999",
        "RCPT TO:<bob@domain.com>", "RCPT TO:<nobody@domain.com>", "RCPT TO:<dave@domain.com>", "RCPT TO:<carol@domain.com>",
        "RCPT TO:<postmaster>", "RCPT TO:<x@elsewhere.org>", "RCPT TO:<bad name@domain.com>", "DATA", "hello", "..dots", ".",
        "RSET", "NOOP", "VRFY bob", "HELP", "HELP STATUS", "EXPN x", "QUIT", "", "\u{0}\u{1}", "MAIL", "RCPT", "dAtA x",
        String(repeating: "A", count: 600), "Subject: GTUBE",
    ]
}

@Suite("Property-based")
struct PropertyTests {
    static func check(_ outputs: [SessionOutput]) {
        for case .reply(let reply, _) in outputs {
            for line in reply.wireLines {
                let bytes = Array(line.utf8)
                #expect(bytes.count + 2 <= 512, "reply line too long: \(line.prefix(60))")
                let ok = bytes.count >= 4 && (UInt8(ascii: "2")...UInt8(ascii: "5")).contains(bytes[0])
                    && (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[1])
                    && (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[2])
                    && (bytes[3] == UInt8(ascii: " ") || bytes[3] == UInt8(ascii: "-"))
                #expect(ok, "malformed reply line: \(line)")
            }
        }
    }

    @Test func randomCommandSequences() async {
        let gen = Gen.int(in: 0...(Fragments.lines.count - 1)).array(of: 1...60)
        await propertyCheck(count: 300, input: gen, Gen.bool) { picks, mx in
            Self.runSequence(picks, mx: mx)
        }
    }

    static func runSequence(_ picks: [Int], mx: Bool) {
        var session = ServerSession(profile: mx ? .mx : .submission)
        check(session.start())
        for pick in picks {
            let line = Fragments.lines[pick]
            let wasInTransaction = session.inTransaction
            let before = session.phase
            let outputs = session.receiveLine(line)
            check(outputs)
            if outputs.contains(.tlsStarted) {
                #expect(!wasInTransaction, "STARTTLS accepted inside a transaction")
                #expect(!session.inTransaction && session.authenticatedUser == nil)
            }
            let codes = replies(outputs).map(\.code)
            if before != .data, before != .auth, line.uppercased() == "RSET", codes == [250] {
                #expect(session.phase == .greeted || session.phase == .connected)
                #expect(session.recipients.isEmpty)
            }
            if before == .data, line == ".", !session.isClosed {
                #expect(session.phase == .greeted)
            }
        }
    }

    @Test func randomBytes() async {
        await propertyCheck(count: 300, input: Gen.uint8(in: 0...255).array(of: 0...3000), Gen.int(in: 1...97)) { bytes, chunk in
            var session = ServerSession(profile: .mx)
            _ = session.start()
            var i = 0
            while i < bytes.count {
                Self.check(session.receive(bytes[i..<min(bytes.count, i + chunk)]))
                i += chunk
            }
            Self.check(session.endOfInput())
            #expect(session.isClosed)
        }
    }

    @Test func randomBytesInsideData() async {
        await propertyCheck(count: 200, input: Gen.uint8(in: 0...255).array(of: 0...5000)) { bytes in
            var session = ServerSession(profile: .mx)
            _ = session.start()
            _ = session.receive(Array("EHLO a\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<bob@domain.com>\r\nDATA\r\n".utf8))
            Self.check(session.receive(bytes))
            Self.check(session.receive(Array("\r\n.\r\n".utf8)))
            #expect(session.phase == .greeted || session.isClosed)
        }
    }
}
