// Live mode's feed: a listener started in-process with an observer reports every real session, line by line, with
// what was answered as it was sent — the TLS switch, and a message's 250 only after its file is in the Maildir.
import Foundation
import Logging
import SMTPCore
@testable import SMTPNetwork
import Synchronization
import Testing
import TestLanes

@Suite("The listener's reports for the app", .blocking, .serialized, .timeLimit(.minutes(2)))
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

    static func start(profile: ServerProfile, observed: Bool, data: TempDir) throws -> SMTPServer.Running {
        let tls = try TLSSetup.makeContext(serverName: "smtp.example.com", certPath: nil, keyPath: nil, dataDirectory: data.path).0
        var configuration = SMTPServerConfiguration(world: World.standard, profile: profile, tlsContext: tls, maildir: nil,
                                                    logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        if observed { configuration.observer = { _ in } }
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

    /// Being watched must not change a single byte the server answers: the same client byte streams against a
    /// listener with an observer and one without. Each write waits for the replies it must bring (its count) or for
    /// the server to close, never for a pause: the client keeps to RFC 2920 (EHLO alone, then a group ending in
    /// DATA, the message, QUIT) except where a stream breaks it on purpose.
    @Test(arguments: [
        ("smuggling: the message pipelined behind DATA", "554 5.5.0 Error: SMTP protocol synchronization", #"[(b"EHLO c.test\r\n", 1), (b"MAIL FROM:<a@example.com>\r\nRCPT TO:<bob@domain.com>\r\nDATA\r\nSubject: x\r\n\r\nhi\r\n.\r\nQUIT\r\n", 9)]"#),
        ("a command split across writes", "250 2.0.0 Ok: queued as ID", #"[(b"EHLO c.test\r\n", 1), (b"MAIL FROM:<a@example.com>\r\nRCPT TO:<bob@domain.com>\r\nDAT", 2), (b"A\r\n", 1), (b"Subject: x\r\n\r\nhi\r\n.\r\n", 1), (b"QUIT\r\n", 1)]"#),
        ("a BDAT chunk that ends mid-line", "250 2.0.0 Ok: 24 bytes queued as ID\r\n221", #"[(b"EHLO c.test\r\n", 1), (b"MAIL FROM:<a@example.com>\r\nRCPT TO:<bob@domain.com>\r\nBDAT 24 LAST\r\nSubject: x\r\n\r\nbody he", 2), (b"llo", 1), (b"QUIT\r\n", 1)]"#),
        ("a bare-LF end of data", "521 5.5.2", #"[(b"EHLO c.test\r\n", 1), (b"MAIL FROM:<a@example.com>\r\nRCPT TO:<bob@domain.com>\r\nDATA\r\n", 3), (b"Subject: x\r\n\r\nhi\n.\n", 1), (b"QUIT\r\n", 1)]"#),
        ("plaintext pipelined behind STARTTLS", "--tls--\r\n250-smtp.example.com", #"[(b"EHLO c.test\r\n", 1), (b"STARTTLS\r\nNOOP\r\n", 1), "TLS", (b"EHLO c.test\r\n", 1), (b"NOOP\r\n", 1), (b"QUIT\r\n", 1)]"#),
        ("EHLO with a command behind it (RFC 2920 §3.1)", "554 5.5.0 Error: SMTP protocol synchronization", #"[(b"EHLO c.test\r\nMAIL FROM:<a@example.com>\r\n", 1), (b"QUIT\r\n", 1)]"#),
    ])
    func beingWatchedChangesNothingTheServerAnswers(_ stream: (name: String, expected: String, writes: String)) throws {
        let data = TempDir("same-answers")
        let plain = try Self.start(profile: .mx, observed: false, data: data)
        let watched = try Self.start(profile: .mx, observed: true, data: data)
        defer { plain.stop(); watched.stop() }
        let program = pythonPrelude + "WRITES = " + stream.writes + "\n" + #"""
import re
def run(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=20)  # the timeout only ends a hung run
    got = b""
    def drain(replies):
        """Reads until `replies` more complete replies (final lines) have come, or the server closes."""
        nonlocal got
        finals = lambda: len(re.findall(rb"(?m)^\d{3} .*\r\n", got))
        want = finals() + replies
        while finals() < want:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                return False
            if not chunk: return False
            got += chunk
        return True
    open_ = drain(1)  # the greeting
    for w in WRITES:
        if not open_: break
        if w == "TLS":
            got += b"--tls--\r\n"
            s = insecure().wrap_socket(s, server_hostname="smtp.example.com")
            continue
        data, replies = w
        try:
            s.sendall(data)
        except OSError:
            break
        open_ = drain(replies)
    return re.sub(rb"queued as [0-9A-F]+", b"queued as ID", got).decode("latin-1")
a = run(int(sys.argv[1])); b = run(int(sys.argv[2]))
print(a)
print("=====")
print(b)
print("SAME" if a == b else "DIFFERENT")
"""#
        let r = try Child.python(program, ["\(plain.port)", "\(watched.port)"], seconds: 60)
        #expect(r.status == 0, "python failed: \(r.out)\(r.err)")
        #expect(r.out.hasSuffix("SAME\n"), "\(stream.name): unwatched and watched answers differ:\n\(r.out)")
        #expect(r.out.contains("220 smtp.example.com ESMTP"), "\(r.out)")
        #expect(r.out.contains(stream.expected), "\(stream.name): expected \(stream.expected.debugDescription) in:\n\(r.out)")
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
