// Delivery status notifications as RFC 3461 asks: NOTIFY decides which notices are sent at all, ENVID comes back
// as Original-Envelope-Id, ORCPT as Original-Recipient (and only then), RET chooses the whole message or its
// header, and a relay passes every parameter on. Each case is a small story played through the whole world.
import Testing
@testable import SMTPCore

@Suite("DSN honoured: RFC 3461 in the world's notices")
struct DSNHonouredTests {
    /// Plays a submission to smtp.example.com with the given MAIL and RCPT lines and returns the end of the world.
    func play(mail: String, rcpts: [String], body: String = "Hello?") throws -> DemoRecord {
        var text = """
            title: t
            step: connect
            caption: c
            step: EHLO client.example.com
            caption: c
            step: STARTTLS
            caption: c
            step: EHLO client.example.com
            caption: c
            step: AUTH PLAIN \(SampleCredentials.plainInitialResponse)
            expect: 235
            caption: c
            step: \(mail)
            expect: 250
            caption: c

            """
        for r in rcpts { text += "step: \(r)\nexpect: 250\ncaption: c\n" }
        text += "step: DATA\nexpect: 354\ncaption: c\nstep: Subject: test\nalso:\nalso: \(body)\nalso: .\nexpect: 250\ncaption: c\n"
        text += "step: QUIT\nexpect: 221\ncaption: c\nstep: (wait)\nwait: idle\ncaption: c\n"
        let record = DemoPlayer.play(try DemoScenarioParser.parse(text, name: "t", file: "t.scenario"))
        try #require(record.failures.isEmpty, "\(record.failures)")
        return record
    }

    func notices(_ r: DemoRecord) -> [Arrival] { r.sim.mailbox("alice@example.com").filter { $0.notice != nil } }
    func text(_ a: Arrival) -> String { a.message.body.joined(separator: "\n") }
    func notes(_ r: DemoRecord) -> [String] {
        r.steps.flatMap(\.lines).compactMap { if case .note(let n) = $0 { return n }; return nil }
    }

    @Test func notifyNeverLeavesNoBounce() throws {
        let r = try play(mail: "MAIL FROM:<alice@example.com> ENVID=lesson-7", rcpts: ["RCPT TO:<nobody@elsewhere.org> NOTIFY=NEVER"])
        #expect(notices(r).isEmpty)
        #expect(r.sim.hopLines.contains { $0.text.hasPrefix("550 5.1.1") }, "the MX did refuse it")
        #expect(notes(r).contains { $0.contains("NOTIFY=NEVER") && $0.contains("no bounce") })
    }

    @Test func theBounceCarriesEnvidAndOrcptWhenGiven() throws {
        let r = try play(mail: "MAIL FROM:<alice@example.com> ENVID=lesson-7",
                         rcpts: ["RCPT TO:<nobody@elsewhere.org> NOTIFY=FAILURE ORCPT=rfc822;nobody@elsewhere.org"])
        let bounce = try #require(notices(r).first)
        #expect(bounce.notice == .failed)
        let report = text(bounce)
        #expect(report.contains("Original-Envelope-Id: lesson-7"))
        #expect(report.contains("Original-Recipient: rfc822;nobody@elsewhere.org"))
        #expect(report.contains("Action: failed"))
        // RFC 3464 §2.2: Original-Envelope-Id leads the per-message fields.
        let lines = bounce.message.body
        let envid = try #require(lines.firstIndex(of: "Original-Envelope-Id: lesson-7"))
        #expect(lines[envid + 1].hasPrefix("Reporting-MTA: dns; smtp.example.com"))
    }

    @Test func withoutOrcptOrEnvidThoseFieldsAreAbsent() throws {
        // RFC 3461 §6.3: Original-Recipient MUST NOT appear without ORCPT, nor Original-Envelope-Id without ENVID.
        let r = try play(mail: "MAIL FROM:<alice@example.com>", rcpts: ["RCPT TO:<nobody@elsewhere.org> NOTIFY=FAILURE"])
        let report = text(try #require(notices(r).first))
        #expect(report.contains("Final-Recipient: rfc822; nobody@elsewhere.org"))
        #expect(!report.contains("Original-Recipient:"))
        #expect(!report.contains("Original-Envelope-Id:"))
    }

    @Test func noNotifyMeansAFailureNoticeAndNoDelayWarning() throws {
        let failed = try play(mail: "MAIL FROM:<alice@example.com>", rcpts: ["RCPT TO:<nobody@domain.com>"])
        #expect(notices(failed).map(\.notice) == [.failed])
        let grey = try play(mail: "MAIL FROM:<alice@example.com>", rcpts: ["RCPT TO:<dave@domain.com>"])
        #expect(notices(grey).isEmpty)
        #expect(grey.sim.mailbox("dave@domain.com").count == 1)
    }

    @Test func retFullReturnsTheWholeMessageAndHdrsOnlyItsHeader() throws {
        let full = try play(mail: "MAIL FROM:<alice@example.com> RET=FULL", rcpts: ["RCPT TO:<nobody@domain.com>"], body: "the secret body line")
        let fullText = text(try #require(notices(full).first))
        #expect(fullText.contains("Content-Type: message/rfc822"))
        #expect(fullText.contains("the secret body line"))
        let hdrs = try play(mail: "MAIL FROM:<alice@example.com> RET=HDRS", rcpts: ["RCPT TO:<nobody@domain.com>"], body: "the secret body line")
        let hdrsText = text(try #require(notices(hdrs).first))
        #expect(hdrsText.contains("Content-Type: text/rfc822-headers"))
        #expect(hdrsText.contains("Subject: test"))
        #expect(!hdrsText.contains("the secret body line"))
    }

    @Test func theRelayPassesEveryParameterOn() throws {
        let r = try play(mail: "MAIL FROM:<alice@example.com> RET=HDRS ENVID=a+2Bb",
                         rcpts: ["RCPT TO:<bob@domain.com> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;Bob+40domain.com"])
        // RFC 3461 §5.2.1: the same values, xtext-encoded again on the wire.
        #expect(r.sim.hopLines.contains { $0.text == "MAIL FROM:<alice@example.com> RET=HDRS ENVID=a+2Bb" })
        #expect(r.sim.hopLines.contains { $0.text == "RCPT TO:<bob@domain.com> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;Bob@domain.com" },
                "the same value; xtext needs no +XX for an @")
        let stored = try #require(r.sim.stores["mx.domain.com"]?.inbox("bob@domain.com").first)
        #expect(stored.dsn?.envid == "a+b")
        #expect(stored.dsn?.ret == .headers)
        #expect(stored.dsn?.recipient("bob@domain.com")?.orcpt?.address == "Bob@domain.com")
    }

    @Test func notifySuccessBringsADeliveredNoticeFromTheMX() throws {
        let r = try play(mail: "MAIL FROM:<alice@example.com> ENVID=lunch",
                         rcpts: ["RCPT TO:<bob@domain.com> NOTIFY=SUCCESS"])
        #expect(r.sim.mailbox("bob@domain.com").count == 1)
        let receipt = try #require(notices(r).first)
        #expect(receipt.notice == .delivered)
        let report = text(receipt)
        #expect(report.contains("Action: delivered"))
        #expect(report.contains("Reporting-MTA: dns; mx.domain.com"))
        #expect(report.contains("Original-Envelope-Id: lunch"))
        #expect(receipt.message.header("Subject") == "Successful Mail Delivery Report")
        #expect(receipt.message.headers.contains("Return-Path: <>"))
    }

    @Test func notifyDelayBringsADelayWarningWhileGreylisted() throws {
        let r = try play(mail: "MAIL FROM:<alice@example.com>", rcpts: ["RCPT TO:<dave@domain.com> NOTIFY=DELAY,FAILURE"])
        let warning = try #require(notices(r).first)
        #expect(warning.notice == .delayed)
        #expect(text(warning).contains("Action: delayed"))
        #expect(text(warning).contains("Status: 4.2.0"))
        #expect(r.sim.mailbox("dave@domain.com").count == 1, "and the retry still delivers")
        #expect(notices(r).count == 1, "no receipt: SUCCESS was not asked for")
    }

    @Test func theReceiptStoryEndsWithTheReceipt() throws {
        let text = try #require(BuiltinScenarios.all.first { $0.name == "receipt" }).text
        let r = DemoPlayer.play(try DemoScenarioParser.parse(text, name: "receipt", file: "receipt.scenario"))
        #expect(r.failures.isEmpty)
        let receipt = try #require(notices(r).first)
        #expect(receipt.notice == .delivered)
        #expect(self.text(receipt).contains("Original-Envelope-Id: lunch-friday"))
        #expect(self.text(receipt).contains("Original-Recipient: rfc822;bob@domain.com"))
    }

    @Test func xtextRoundTrips() throws {
        for s in ["plain", "a+b", "x=y", "ü", "sp ace", "+2B"] {
            #expect(XText.decode(Substring(XText.encode(s))) == s, "\(s)")
        }
        #expect(XText.encode("a+b=c") == "a+2Bb+3Dc")
    }
}
