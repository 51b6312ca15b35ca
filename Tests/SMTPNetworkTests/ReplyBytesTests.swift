// Replies are written straight into the connection's buffer; the octets must be exactly `Reply.wire`'s.
import NIOCore
import SMTPCore
@testable import SMTPNetwork
import Testing

@Suite("Reply octets")
struct ReplyBytesTests {
    static let replies: [Reply] = [
        Reply(220, nil, "mx.domain.com ESMTP smtp-tui (simulated mail server)"),
        Reply(250, nil, ["mx.domain.com Hello x", "PIPELINING", "SIZE 10240000", "CHUNKING"]),
        Reply(334, nil, ""),
        Reply(334, nil, "VXNlcm5hbWU6"),
        Reply(250, EnhancedStatusCode(2, 0, 0), "Ok: queued as 0123456789"),
        Reply(538, EnhancedStatusCode(5, 7, 11), "Encryption required for requested authentication mechanism"),
        Reply(214, EnhancedStatusCode(2, 0, 0), ["Commands: EHLO", "", "End of HELP info"]),
        Reply(553, EnhancedStatusCode(5, 1, 7), "<jürgen@example.com>: Sender address rejected: ünïcödé"),
        Reply(421, EnhancedStatusCode(4, 4, 2), "mx.domain.com Error: timeout exceeded"),
        Reply(599, EnhancedStatusCode(5, 999, 999), String(repeating: "x", count: 600)),
    ]

    @Test(arguments: replies)
    func writtenInPlaceTheyAreTheWireOctets(reply: Reply) {
        var buffer = ByteBufferAllocator().buffer(capacity: 0)
        buffer.writeReply(reply)
        #expect(buffer.readableBytesView.elementsEqual(Array(reply.wire.utf8)), "\(reply.wire.debugDescription)")
    }

    @Test func aWholeSessionsRepliesInOneBufferAreTheirWireOctetsInOrder() {
        var session = ServerSession(world: .serving(.submission), profile: .submission)
        var outputs = session.start()
        for line in ["EHLO c.test", "HELP", "HELP STATUS", "NOOP", "MAIL FROM:<a@b.c>", "STARTTLS", "EHLO c.test",
                     "AUTH PLAIN \(SampleCredentials.plainInitialResponse)", "MAIL FROM:<alice@example.com>",
                     "RCPT TO:<bob@domain.com>", "RCPT TO:<nobody@domain.com>", "VRFY bob", "BOGUS", "QUIT"] {
            outputs += session.receiveLine(line)
        }
        var buffer = ByteBufferAllocator().buffer(capacity: 0)
        var expected: [UInt8] = []
        for case .reply(let reply, _) in outputs {
            buffer.writeReply(reply)
            expected += Array(reply.wire.utf8)
        }
        #expect(expected.count > 500)
        #expect(buffer.readableBytesView.elementsEqual(expected))
    }
}
