// `serve --fail`: replies given on purpose, so a client's error handling meets them every time — a real client
// (Python's smtplib) sees the 452 on its second RCPT and still delivers to the first recipient.
import Foundation
import Testing
import TestLanes

@Suite("serve --fail: directed failures", .blocking, .serialized, .timeLimit(.minutes(2)))
struct DirectedFailureTests {
    @Test func theSecondRcptGets452AndTheFirstRecipientStillGetsTheMessage() throws {
        let maildir = TempDir("directed")
        let server = try Listener(["--profile", "mx", "--no-tls", "--maildir", maildir.path,
                                   "--fail", "RCPT#2 452 4.5.3 Error: too many recipients"])
        let r = try Child.python(pythonPrelude + #"""
s = smtplib.SMTP("127.0.0.1", PORT, timeout=20)
refused = s.sendmail("alice@example.com", ["bob@domain.com", "postmaster@domain.com"], b"Subject: two\r\n\r\nhi\r\n")
print("refused", {k: v[0] for k, v in refused.items()})
s.quit()
"""#, ["\(server.port)"])
        #expect(r.status == 0, "\(r.out)\(r.err)")
        #expect(r.out.contains("refused {'postmaster@domain.com': 452}"), "\(r.out)")
        #expect(newFiles(maildir, "bob@domain.com").count == 1)
        #expect(newFiles(maildir, "postmaster@domain.com").isEmpty)
        #expect(server.log.contains("on purpose: the 2nd RCPT of each transaction gets 452 4.5.3 Error: too many recipients"), "\(server.log)")
    }

    @Test func aFailedMessageEndIsRetriedByTheClientOnTheSameConnection() throws {
        // ".#1": the first message of each session is refused after its dot; a client that retries delivers.
        let maildir = TempDir("directed-dot")
        let server = try Listener(["--profile", "mx", "--no-tls", "--maildir", maildir.path, "--fail", ".#1 451 4.3.0 Error: try again"])
        let r = try Child.python(pythonPrelude + #"""
s = smtplib.SMTP("127.0.0.1", PORT, timeout=20)
try:
    s.sendmail("alice@example.com", ["bob@domain.com"], b"Subject: once\r\n\r\nhi\r\n")
except smtplib.SMTPDataError as e:
    print("first", e.smtp_code)
s.sendmail("alice@example.com", ["bob@domain.com"], b"Subject: twice\r\n\r\nhi\r\n")
print("second ok")
s.quit()
"""#, ["\(server.port)"])
        #expect(r.out.contains("first 451") && r.out.contains("second ok"), "\(r.out)\(r.err)")
        #expect(newFiles(maildir, "bob@domain.com").count == 1)
    }

    @Test func aMalformedRuleIsAUsageError() throws {
        let r = try Child.run(Child.binary, ["serve", "--stdio", "--fail", "RCPT 250 fine"])
        #expect(r.status == 2)
        #expect(r.err.contains("--fail 'RCPT 250 fine'"), "\(r.err)")
    }
}
