// CHUNKING (RFC 3030) and DSN (RFC 3461): BDAT content arrives byte for byte, BDAT and DATA don't mix, and a
// delivery-notice request travels with the stored message.
import Testing
@testable import SMTPCore

private func mxWithRecipient() throws -> Harness {
    var h = try Harness(profile: .mx, preamble: .greeted)
    h.send("MAIL FROM:<a@example.org>")
    h.send("RCPT TO:<bob@domain.com>")
    return h
}

private func delivered(_ outputs: [SessionOutput]) -> StoredMessage? {
    for case .delivered(let message) in outputs { return message }
    return nil
}

@Suite("CHUNKING: BDAT (RFC 3030)")
struct ChunkingTests {
    /// Two chunks of content no DATA could carry unchanged: NUL, 0xFF, bare CR, bare LF, a lone dot line, a
    /// leading dot, and a CRLF.CRLF that would end a DATA message.
    static let chunk1: [UInt8] = Array("Subject: binary\r\n\r\n".utf8) + [0x00, 0xFF, 0x0D, 0x41, 0x0A, 0x2E, 0x0D, 0x0A]
    static let chunk2: [UInt8] = Array("\r\n.\r\n..leading dot\rbare CR\nbare LF".utf8) + [0x80, 0xFE, 0x00]

    static var script: [UInt8] {
        Array("BDAT \(chunk1.count)\r\n".utf8) + chunk1 + Array("BDAT \(chunk2.count) LAST\r\n".utf8) + chunk2
            + Array("QUIT\r\n".utf8)
    }

    @Test("RFC 3030 §2: pipelined BDAT chunks with binary content arrive byte-identical, in any chunking")
    func pipelinedBinaryChunksArriveByteIdentical() throws {
        for size in [Self.script.count, 1, 2, 5, 13, 64] {
            var h = try mxWithRecipient()
            var outputs: [SessionOutput] = []
            var i = 0
            while i < Self.script.count {
                outputs += h.session.receive(Self.script[i..<min(Self.script.count, i + size)])
                i += size
            }
            let total = Self.chunk1.count + Self.chunk2.count
            let lines = wire(replies(outputs))
            #expect(lines.count == 3, "chunking \(size)")
            #expect(lines.first == "250 2.0.0 Ok: \(Self.chunk1.count) bytes")
            #expect(lines.dropFirst().first?.hasPrefix("250 2.0.0 Ok: \(total) bytes queued as ") == true)
            #expect(lines.last == "221 2.0.0 Bye")
            let message = try #require(delivered(outputs))
            #expect(message.rawContent == Self.chunk1 + Self.chunk2, "chunking \(size)")
            #expect(message.size == total)
            #expect(message.header("Subject") == "binary")
            // The mailbox copy is the server's trace headers, then the client's octets untouched.
            #expect(Array(message.fileBytes.suffix(total)) == Self.chunk1 + Self.chunk2)
            #expect(h.session.store.inbox("bob@domain.com").first?.rawContent == Self.chunk1 + Self.chunk2)
        }
    }

    @Test("RFC 3030 §2: the example exchange: chunk sizes count the CRLF of every typed line")
    func typedChunksCountTheirLineEnds() throws {
        var h = try mxWithRecipient()
        h.send("BDAT 13")
        #expect(wire(h.send("Subject: Hi")) == ["250 2.0.0 Ok: 13 bytes"])
        #expect(h.session.chunkOctetsRemaining == nil && h.session.phase == .rcpt)
        h.send("BDAT 13 LAST")
        #expect(h.session.chunkOctetsRemaining == 13)
        h.send("")
        let outputs = h.session.receiveLine("Hello Bob")
        #expect(wire(replies(outputs)).first?.hasPrefix("250 2.0.0 Ok: 26 bytes queued as ") == true)
        let message = try #require(delivered(outputs))
        #expect(message.body == ["Hello Bob"])
        #expect(h.session.phase == .greeted)
    }

    @Test("RFC 3030 §1: EHLO lists CHUNKING (last, as Postfix) and DSN")
    func ehloAdvertisesChunkingAndDSN() throws {
        var h = try Harness(profile: .mx)
        let lines = wire(h.send("EHLO client.example.com"))
        #expect(lines.last == "250 CHUNKING")
        #expect(lines.contains("250-DSN"))
    }

    @Test("RFC 3030 §2/§4: BDAT and DATA must not be mixed: DATA after BDAT is 503 5.5.1; so are MAIL and RCPT")
    func dataAfterBDATIsRefused() throws {
        var h = try mxWithRecipient()
        h.sendRaw("BDAT 4\r\nabcd")
        #expect(wire(h.send("DATA")) == ["503 5.5.1 Error: DATA after BDAT"])
        #expect(wire(h.send("RCPT TO:<postmaster>")) == ["503 5.5.1 Error: RCPT after BDAT"])
        #expect(wire(h.send("MAIL FROM:<a@example.org>")) == ["503 5.5.1 Error: MAIL after BDAT"])
        // RSET clears the transaction; then DATA is a fresh, ordinary sequence.
        #expect(h.send("RSET").first?.code == 250)
        h.send("MAIL FROM:<a@example.org>"); h.send("RCPT TO:<bob@domain.com>")
        #expect(h.send("DATA").first?.code == 354)
    }

    @Test("RFC 3030 §2: a refused BDAT still has its octets read, so they are never taken for commands")
    func refusedChunksAreSkipped() throws {
        var h = try Harness(profile: .mx, preamble: .greeted)
        #expect(wire(h.sendRaw("BDAT 6\r\nNOOP\r\nNOOP\r\n")) == ["503 5.5.1 Error: need MAIL command", "250 2.0.0 Ok"])
        h.send("MAIL FROM:<a@example.org>")
        #expect(wire(h.sendRaw("BDAT 6 LAST\r\nRSET\r\n")) == ["503 5.5.1 Error: need RCPT command"])
        var helo = try Harness(profile: .mx)
        helo.send("HELO x")
        #expect(helo.sendRaw("BDAT 2\r\nxy").map(\.code) == [503])
    }

    @Test("Postfix: 552 5.3.4 Chunk exceeds message size limit, for that chunk and every later one until LAST")
    func oversizedChunksFailTheTransaction() throws {
        var world = World.standard
        world.scenario = world.scenario(named: "tight-limits") ?? world.scenario
        var h = try Harness(profile: .mx, world: world, preamble: .greeted)
        h.send("MAIL FROM:<a@example.org>"); h.send("RCPT TO:<bob@domain.com>")
        let big = String(repeating: "x", count: 3000)
        #expect(wire(h.sendRaw("BDAT 3000\r\n" + big)) == ["552 5.3.4 Chunk exceeds message size limit"])
        #expect(wire(h.sendRaw("BDAT 1 LAST\r\nx")) == ["552 5.3.4 Chunk exceeds message size limit"])
        #expect(h.session.phase == .greeted && h.session.store.inbox("bob@domain.com").isEmpty)
    }

    @Test("Postfix: BDAT 0 without LAST is 551 5.7.1 Null BDAT request; BDAT 0 LAST ends the message")
    func nullChunks() throws {
        var h = try mxWithRecipient()
        #expect(wire(h.send("BDAT 0")) == ["551 5.7.1 Null BDAT request"])
        h.sendRaw("BDAT 5\r\nhello")
        #expect(wire(h.send("BDAT 0 LAST")).first?.hasPrefix("250 2.0.0 Ok: 5 bytes queued as ") == true)
    }

    @Test("Postfix: a BDAT without a valid size is 521 5.5.4 and the server hangs up (it can't find the chunk's end)")
    func malformedBDATHangsUp() throws {
        for line in ["BDAT", "BDAT x", "BDAT 5 NOW", "BDAT -1", "BDAT 99999999999999999999"] {
            var h = try mxWithRecipient()
            let outputs = h.session.receiveLine(line)
            #expect(wire(replies(outputs)) == ["521 5.5.4 Syntax: BDAT count [LAST]"], "\(line)")
            #expect(outputs.last == .closed && h.session.isClosed)
        }
    }

    @Test("The content filter sees BDAT messages too (554 5.7.1 at LAST)")
    func contentRuleAppliesToChunks() throws {
        var h = try mxWithRecipient()
        #expect(wire(h.sendRaw("BDAT 9 LAST\r\nGTUBE!\r\n\r\n")).first?.hasPrefix("554 5.7.1") == true)
        #expect(h.session.phase == .greeted)
    }
}

@Suite("DSN (RFC 3461)")
struct DSNTests {
    @Test("RFC 3461 §4.1–§4.4: RET, ENVID, NOTIFY and ORCPT are visible in the stored message's envelope data")
    func dsnRequestTravelsWithTheMessage() throws {
        var h = try Harness(profile: .mx, preamble: .greeted)
        #expect(wire(h.send("MAIL FROM:<a@example.org> RET=HDRS ENVID=QQ314159+2Bx")) == ["250 2.1.0 Ok"])
        #expect(wire(h.send("RCPT TO:<postmaster@domain.com>")) == ["250 2.1.5 Ok"])
        #expect(wire(h.send("RCPT TO:<bob@domain.com> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob+40domain.com")) == ["250 2.1.5 Ok"])
        #expect(wire(h.send("RCPT TO:<robert@domain.com> NOTIFY=never")).first?.hasPrefix("251") == true)
        h.send("DATA"); h.send("Subject: dsn"); h.send(""); h.send("hi")
        let message = try #require(delivered(h.session.receiveLine(".")))
        let dsn = try #require(message.dsn)
        #expect(dsn.ret == .headers)
        #expect(dsn.envid == "QQ314159+x")
        #expect(dsn.recipients.map(\.address) == message.recipients)
        #expect(dsn.recipient("postmaster@domain.com") == DSNRecipient(address: "postmaster@domain.com", notify: nil, orcpt: nil))
        let bob = try #require(dsn.recipient("bob@domain.com"))
        #expect(bob.notify == [.success, .failure])
        #expect(bob.orcpt == DSNOriginalRecipient(addressType: "rfc822", address: "bob@domain.com"))
        #expect(dsn.recipient("robert@domain.com")?.notify == .never)
        // What the inbox holds is the same value.
        #expect(h.session.store.inbox("bob@domain.com").first?.dsn == dsn)
    }

    @Test("No DSN parameter, no DSN request")
    func noRequestIsNil() throws {
        var h = try mxWithRecipient()
        h.send("DATA"); h.send("hi")
        let message = try #require(delivered(h.session.receiveLine(".")))
        #expect(message.dsn == nil)
    }

    @Test("RFC 3461 §4.1: NOTIFY is NEVER alone or a list of SUCCESS, FAILURE, DELAY (Postfix's 501 5.5.4 otherwise)")
    func notifySyntax() throws {
        var h = try Harness(profile: .mx, preamble: .greeted)
        h.send("MAIL FROM:<a@example.org>")
        for bad in ["NOTIFY=NEVER,SUCCESS", "NOTIFY=SOMETIMES", "NOTIFY=", "NOTIFY", "NOTIFY=SUCCESS NOTIFY=DELAY"] {
            #expect(wire(h.send("RCPT TO:<bob@domain.com> \(bad)")) == ["501 5.5.4 Error: Bad NOTIFY parameter syntax"], "\(bad)")
        }
        #expect(h.send("RCPT TO:<bob@domain.com> NOTIFY=DELAY,FAILURE").first?.code == 250)
    }

    @Test("RFC 3461 §4.2: ORCPT is addr-type;xtext (Postfix's 501 5.5.4 otherwise)")
    func orcptSyntax() throws {
        var h = try Harness(profile: .mx, preamble: .greeted)
        h.send("MAIL FROM:<a@example.org>")
        for bad in ["ORCPT=bob@domain.com", "ORCPT=;bob", "ORCPT=rfc822;", "ORCPT=rfc822;a+zz", "ORCPT=rfc822;a=b"] {
            #expect(wire(h.send("RCPT TO:<bob@domain.com> \(bad)")) == ["501 5.5.4 Error: Bad ORCPT parameter syntax"], "\(bad)")
        }
    }

    @Test("RFC 3461 §4.3/§4.4: RET is FULL or HDRS, ENVID is xtext of at most 100 characters, each once")
    func retAndEnvidSyntax() throws {
        var h = try Harness(profile: .mx, preamble: .greeted)
        #expect(wire(h.send("MAIL FROM:<a@example.org> RET=BODY")) == ["501 5.5.4 Bad RET parameter syntax"])
        #expect(wire(h.send("MAIL FROM:<a@example.org> RET=FULL RET=HDRS")) == ["501 5.5.4 Bad RET parameter syntax"])
        #expect(wire(h.send("MAIL FROM:<a@example.org> ENVID=a+2")) == ["501 5.5.4 Bad ENVID parameter syntax"])
        #expect(wire(h.send("MAIL FROM:<a@example.org> ENVID=\(String(repeating: "e", count: 101))")) == ["501 5.5.4 Bad ENVID parameter syntax"])
        #expect(wire(h.send("MAIL FROM:<a@example.org> ENVID=+00")) == ["501 5.5.4 Bad ENVID parameter syntax"])
        #expect(h.send("MAIL FROM:<a@example.org> RET=full ENVID=\(String(repeating: "e", count: 100))").first?.code == 250)
    }

    @Test("RFC 5321 §4.1.1.11: after HELO no extension is on, so DSN parameters get 555")
    func dsnNeedsEHLO() throws {
        var h = try Harness(profile: .mx)
        h.send("HELO client.example.com")
        #expect(h.send("MAIL FROM:<a@example.org> RET=HDRS").first?.code == 555)
    }

    @Test("RFC 3461 §4: xtext decoding")
    func xtext() throws {
        #expect(XText.decode("abc+2B+3Dx") == "abc+=x")
        #expect(XText.decode("a+2b") == nil)   // hex digits are upper case
        #expect(XText.decode("a b") == nil)
    }
}
