// The app's own listener (live mode) as the app starts it: --profile, the Maildir made at start, and the
// mailboxes list read back from the files with their names, From and Subject.
import Foundation
import Testing
import SMTPCore
@testable import smtp_tui
import TestLanes

@Suite("The app's listener", .blocking, .serialized, .timeLimit(.minutes(2)))
struct LiveLinkTests {
    @Test func withProfileMXALoadToolDeliversWithoutTLSAndTheMailboxesListShowsTheFile() throws {
        let dir = TempDir("live-mx")
        let started = try LiveLink.start(host: "127.0.0.1", port: 0,
                                         settings: LiveLink.Settings(profile: .mx, maildir: dir.path + "/mail", dataDirectory: dir.path + "/data"))
        let link = started.link
        defer { link.server.stop() }
        #expect(started.notes == ["created \(dir.path)/mail for --maildir"])
        let r = try Child.python(pythonPrelude + #"""
s = smtplib.SMTP("127.0.0.1", PORT, timeout=20)
print(s.ehlo("load.test")[1].decode().split("\n")[0])
s.sendmail("alice@example.com", ["bob@domain.com"], b"From: Alice <alice@example.com>\r\nSubject: plain load\r\n\r\nhi\r\n")
s.quit()
"""#, ["\(link.server.port)"])
        #expect(r.status == 0, "\(r.out)\(r.err)")
        #expect(r.out.hasPrefix("mx.domain.com Hello load.test"), "\(r.out)")
        let files = link.mailFiles()
        let file = try #require(files.first, "nothing listed")
        #expect(files.count == 1)
        #expect(file.mailbox == "bob@domain.com" && file.folder == "new")
        #expect(newFiles(dir, "mail/bob@domain.com") == [file.file])
        #expect(file.from == "Alice <alice@example.com>")
        #expect(file.subject == "plain load")
    }

    @Test func bothHelpsNameTheListenerLimits() throws {
        let serve = try Child.run(Child.binary, ["serve", "--help"]).out
        let app = try Child.run(Child.binary, ["--help"]).out
        for option in ["--tls-handshake-timeout <seconds>", "--max-connections-per-client <n>"] {
            #expect(serve.contains(option), "serve --help: \(option)")
            #expect(app.contains(option), "--help: \(option)")
        }
        #expect(app.contains("--profile <profile>"))
        #expect(serve.contains("(default: 10.0)") && serve.contains("(default: 50)"))
    }
}
