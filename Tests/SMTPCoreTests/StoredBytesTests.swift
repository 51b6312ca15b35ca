// The octets a stored message is written as: the client's bytes unchanged, CRLF everywhere.
import Testing
@testable import SMTPCore

@Suite("Stored message bytes", .timeLimit(.minutes(1)))
struct StoredBytesTests {
    static func deliver(_ content: [UInt8]) throws -> StoredMessage {
        var h = try Harness(profile: .mx)
        for line in ["EHLO client.example.com", "MAIL FROM:<alice@example.com>", "RCPT TO:<bob@domain.com>", "DATA"] {
            try #require(h.send(line).first.map { $0.code < 400 } == true)
        }
        let outputs = h.session.receive(content + Array("\r\n.\r\n".utf8))
        let message = outputs.compactMap { if case .delivered(let m) = $0 { m } else { nil } }.first
        return try #require(message)
    }

    static func count(_ needle: [UInt8], in hay: [UInt8]) -> Int {
        guard hay.count >= needle.count else { return 0 }
        return (0...(hay.count - needle.count)).filter { Array(hay[$0..<($0 + needle.count)]) == needle }.count
    }

    @Test func nulLatin1And0xFFSurviveInHeadersAndBody() throws {
        let header: [UInt8] = Array("Subject: caf".utf8) + [0xE9, 0x00, 0xFF]
        let body: [UInt8] = Array("a".utf8) + [0x00] + Array("b caf".utf8) + [0xE9] + [0xFF, 0xFE] + Array(" end".utf8)
        let client = header + [0x0D, 0x0A, 0x0D, 0x0A] + body
        let bytes = try Self.deliver(client).messageBytes
        // The server adds its headers (Message-ID, Date, From) after the client's, before the empty line.
        #expect(Self.count([0x0D, 0x0A] + header + [0x0D, 0x0A], in: bytes) == 1, "the client's header octets unchanged")
        #expect(Array(bytes.suffix(body.count + 6)) == [0x0D, 0x0A, 0x0D, 0x0A] + body + [0x0D, 0x0A], "the body unchanged, at the end")
        #expect(Self.count([0xEF, 0xBF, 0xBD], in: bytes) == 0, "no U+FFFD anywhere")
    }

    @Test func everyLineEndsInCRLFIncludingTheFoldedReceivedHeader() throws {
        let message = try Self.deliver(Array("Subject: hi\r\nX-Folded: one\r\n two\r\n\r\nline 1\r\nline 2".utf8))
        let bytes = message.messageBytes
        for (i, byte) in bytes.enumerated() where byte == 0x0A {
            #expect(i > 0 && bytes[i - 1] == 0x0D, "bare LF at \(i)")
        }
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix("Return-Path: <alice@example.com>\r\nReceived: from client.example.com"))
        #expect(text.contains("X-Folded: one\r\n two\r\n"))
        #expect(text.hasSuffix("\r\n\r\nline 1\r\nline 2\r\n"))
    }

    @Test func messageWithoutHeadersGetsTheServersAndABlankLine() throws {
        let bytes = try Self.deliver(Array("just text".utf8)).messageBytes
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasSuffix("\r\n\r\njust text\r\n"))
        // A port-25 server adds no Message-ID: to remote mail (Postfix ≥ 2.6, local_header_rewrite_clients).
        #expect(!text.contains("Message-ID:"))
    }
}
