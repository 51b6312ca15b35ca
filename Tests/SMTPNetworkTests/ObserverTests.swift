// Live mode's feed: a listener started in-process with an observer reports every real session, line by line, with
// what was answered as it was sent — the TLS switch, and a message's 250 only after its file is in the Maildir.
import Foundation
import Logging
import SMTPCore
@testable import SMTPNetwork
import Synchronization
import Testing

@Suite("The listener's reports for the app", .serialized, .timeLimit(.minutes(2)))
struct ObserverTests {
    final class Collector: Sendable {
        let events = Mutex<[LiveEvent]>([])
        /// When each "." exchange was reported, how many files were already in the Maildir.
        let filesAtReport = Mutex<[Int]>([])
        let maildir: String
        init(maildir: String) { self.maildir = maildir }
        func add(_ event: LiveEvent) {
            if case .exchange(_, ".", true, _, _, _) = event {
                let box = maildir + "/bob@domain.com/new"
                let n = (try? FileManager.default.contentsOfDirectory(atPath: box).count) ?? 0
                filesAtReport.withLock { $0.append(n) }
            }
            events.withLock { $0.append(event) }
        }
        func waitForClose(seconds: Double = 20) -> [LiveEvent] {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                let all = events.withLock { $0 }
                if all.contains(where: { if case .closed = $0 { return true }; return false }) { return all }
                usleep(10_000)
            }
            return events.withLock { $0 }
        }
    }

    static func start(maildir: String, data: TempDir, collector: Collector) throws -> SMTPServer.Running {
        let tls = try TLSSetup.makeContext(serverName: "smtp.example.com", certPath: nil, keyPath: nil, dataDirectory: data.path).0
        var configuration = SMTPServerConfiguration(world: World.standard, profile: .submission, tlsContext: tls,
                                                    maildir: Maildir(root: maildir),
                                                    logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        configuration.observer = { collector.add($0) }
        return try SMTPServer.start(host: "127.0.0.1", port: 0, configuration: configuration)
    }

    static func lines(_ events: [LiveEvent]) -> [String] {
        events.compactMap { if case .exchange(_, let line?, _, _, _, _) = $0 { return line }; return nil }
    }

    @Test func aPythonSessionIsReportedLineByLineThroughTLS() throws {
        let maildir = TempDir("observed"), data = TempDir("observed-data")
        let collector = Collector(maildir: maildir.path)
        let server = try Self.start(maildir: maildir.path, data: data, collector: collector)
        defer { server.stop() }
        let r = try Child.python(pythonPrelude + #"""
s = smtplib.SMTP("127.0.0.1", PORT, timeout=20)
s.ehlo("client.test")
s.starttls(context=insecure())
s.ehlo("client.test")
s.login("alice@example.com", "wonderland")
s.sendmail("alice@example.com", ["bob@domain.com"], b"Subject: watched\r\n\r\nline one\r\n.dot line\r\n")
s.quit()
"""#, ["\(server.port)"])
        #expect(r.status == 0, "python failed: \(r.out)\(r.err)")
        let events = collector.waitForClose()
        guard case .opened(let id, let peer)? = events.first else { Issue.record("first event: \(String(describing: events.first))"); return }
        #expect(peer.hasPrefix("127.0.0.1:"))
        #expect(events.last == .closed(connection: id))
        // The greeting first, then every line the client sent, in order, in plaintext even after STARTTLS.
        guard case .exchange(_, nil, false, false, false, let greeting)? = events.dropFirst().first else {
            Issue.record("no greeting: \(events.prefix(3))"); return
        }
        #expect(greeting.contains { if case .reply(let r, .greeting) = $0 { return r.code == 220 }; return false })
        let sent = Self.lines(events)
        #expect(Array(sent.prefix(3)) == ["ehlo client.test", "STARTTLS", "ehlo client.test"], "\(sent)")
        #expect(sent.dropFirst(3).first?.hasPrefix("AUTH PLAIN ") == true, "\(sent)")
        #expect(sent.contains { $0.hasPrefix("mail FROM:<alice@example.com>") } && sent.contains("rcpt TO:<bob@domain.com>"), "\(sent)")
        // Body lines are reported as sent on the wire (dot-stuffed), flagged as DATA.
        #expect(sent.contains("..dot line"))
        #expect(sent.last == "quit")   // smtplib's own spelling, reported as sent
        let tls = events.contains { if case .exchange(_, "STARTTLS"?, _, _, _, let o) = $0 { return o.contains(.tlsStarted) }; return false }
        #expect(tls)
        // The message's 250 is reported with the message, and only once its file was in new/.
        let end = events.first { if case .exchange(_, "."?, true, _, _, _) = $0 { return true }; return false }
        guard case .exchange(_, _, _, _, _, let outputs)? = end else { Issue.record("no end of data reported"); return }
        #expect(outputs.contains { if case .reply(let r, .messageEnd) = $0 { return r.code == 250 }; return false })
        #expect(outputs.contains { if case .delivered(let m) = $0 { return m.header("Subject") == "watched" }; return false })
        #expect(collector.filesAtReport.withLock { $0 } == [1])
    }

    @Test func aFailedWriteIsReportedAs451WithoutTheMessage() throws {
        let outer = TempDir("observed-broken"), data = TempDir("observed-broken-data")
        FileManager.default.createFile(atPath: outer.path + "/file", contents: Data("x".utf8))
        let collector = Collector(maildir: outer.path + "/file/maildir")
        let server = try Self.start(maildir: outer.path + "/file/maildir", data: data, collector: collector)
        defer { server.stop() }
        let r = try Child.python(pythonPrelude + #"""
s = smtplib.SMTP("127.0.0.1", PORT, timeout=20)
s.starttls(context=insecure())
s.login("alice@example.com", "wonderland")
try:
    s.sendmail("alice@example.com", ["bob@domain.com"], b"Subject: lost\r\n\r\nbody\r\n")
except smtplib.SMTPDataError as e:
    print("refused", e.smtp_code)
s.quit()
"""#, ["\(server.port)"])
        #expect(r.out.contains("refused 451"), "\(r.out)\(r.err)")
        let events = collector.waitForClose()
        let end = events.first { if case .exchange(_, "."?, true, _, _, _) = $0 { return true }; return false }
        guard case .exchange(_, _, _, _, _, let outputs)? = end else { Issue.record("no end of data reported"); return }
        #expect(outputs.contains { if case .reply(let r, _) = $0 { return r.code == 451 }; return false })
        #expect(!outputs.contains { if case .delivered = $0 { return true }; return false })
        #expect(!outputs.contains { if case .reply(let r, _) = $0 { return r.code == 250 }; return false })
    }
}
