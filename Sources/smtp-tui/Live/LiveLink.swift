// The app's own SMTP listener (live mode): SMTPNetwork serves real clients on its event-loop thread and reports each
// exchange here; the main loop is woken through a pipe and turns the reports into `.live` actions for `update`.
import SMTPCore
import SMTPNetwork
import Synchronization
import TUI
#if canImport(Glibc)
import Glibc
#endif

final class LiveLink: Sendable {
    let server: SMTPServer.Running
    let maildir: Maildir?
    /// The main loop polls this with the terminal; a byte on it means events are waiting.
    let wakeFD: Int32
    private let inbox: Inbox

    /// Reports from the event loop, waiting for the main loop. Never blocks the event loop for long.
    final class Inbox: Sendable {
        let events = Mutex<[LiveEvent]>([])
        let writeFD: Int32
        init(writeFD: Int32) { self.writeFD = writeFD }
        func push(_ event: LiveEvent) {
            let wasEmpty = events.withLock { list in
                let empty = list.isEmpty
                // A flood of connections must not eat memory while the app draws: beyond this, forget the oldest
                // exchanges (never a connection's opening or closing, or its tab would stay open for ever).
                if list.count >= 20_000 {
                    var dropped = 0
                    list.removeAll { e in
                        guard dropped < 1_000, case .exchange = e else { return false }
                        dropped += 1
                        return true
                    }
                }
                list.append(event)
                return empty
            }
            var byte: UInt8 = 1
            // Non-blocking: when the pipe is full a wake-up is already pending.
            if wasEmpty { _ = write(writeFD, &byte, 1) }
        }
    }

    struct StartError: Error, CustomStringConvertible { let description: String }

    /// Listens on host:port (port 0 picks a free one) as smtp.example.com's submission service with real STARTTLS,
    /// storing into `maildir` when given.
    static func start(host: String, port: Int, maildir: String?) throws -> LiveLink {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw StartError(description: "pipe: \(String(cString: strerror(errno)))") }
        for fd in fds {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        let inbox = Inbox(writeFD: fds[1])
        var (configuration, notes) = SMTPServerConfiguration.make(world: World.standard, profile: .submission, tls: .generated,
                                                                   maildir: maildir, logLevel: "critical", silent: true)
        _ = notes   // without TLS the listener still works; STARTTLS is then answered 454 and not advertised
        configuration.observer = { inbox.push($0) }
        // The listener's threads inherit this mask: quit signals and resizes must reach the main thread, whose
        // wait they interrupt (a thread that took SIGTERM would leave the app asleep until the next key).
        var blocked = sigset_t(), previous = sigset_t()
        sigemptyset(&blocked)
        for s in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGWINCH, SIGCONT, SIGTSTP] { sigaddset(&blocked, s) }
        pthread_sigmask(SIG_BLOCK, &blocked, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        do {
            let server = try SMTPServer.start(host: host, port: port, configuration: configuration)
            return LiveLink(server: server, maildir: configuration.maildir, wakeFD: fds[0], inbox: inbox)
        } catch {
            close(fds[0]); close(fds[1])
            throw StartError(description: "cannot listen on \(host):\(port): \(error)")
        }
    }

    private init(server: SMTPServer.Running, maildir: Maildir?, wakeFD: Int32, inbox: Inbox) {
        self.server = server; self.maildir = maildir; self.wakeFD = wakeFD; self.inbox = inbox
    }

    var address: String { server.host.contains(":") ? "[\(server.host)]:\(server.port)" : "\(server.host):\(server.port)" }

    /// Everything reported since the last call, in order.
    func drain() -> [LiveEvent] {
        var sink = [UInt8](repeating: 0, count: 256)
        while read(wakeFD, &sink, sink.count) > 0 {}
        return inbox.events.withLock { list in
            let all = list
            list.removeAll(keepingCapacity: true)
            return all
        }
    }

    /// What the Maildir holds, for the mailboxes popup.
    func mailFiles() -> [MailFileSummary] {
        guard let maildir else { return [] }
        return maildir.listing().map { entry in
            let headers = HeaderPeek(entry.head)
            return MailFileSummary(mailbox: entry.mailbox.removingPercentEscapes, file: entry.file,
                                   from: headers["from"] ?? "?", subject: headers["subject"] ?? "(no subject)",
                                   date: headers["date"] ?? "", size: entry.size)
        }
    }
}

/// The first header fields of a stored message, unfolded, for a one-line summary (not a full RFC 5322 parser).
struct HeaderPeek {
    private var fields: [String: String] = [:]
    init(_ head: [UInt8]) {
        let text = String(decoding: head, as: UTF8.self)
        var name: String?
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw[...]
            if line.isEmpty { break }
            if line.first == " " || line.first == "\t" {
                if let name { fields[name, default: ""] += " " + line.trimmingSpaces }
                continue
            }
            guard let colon = line.firstIndex(of: ":") else { name = nil; continue }
            let key = line[..<colon].lowercased()
            name = fields[key] == nil ? key : nil   // the first occurrence wins (Received: repeats)
            if let name { fields[name] = String(line[line.index(after: colon)...]).trimmingSpaces }
        }
    }
    subscript(_ key: String) -> String? {
        fields[key].map { String($0.unicodeScalars.map { $0.value < 0x20 ? "?" : Character($0) }.prefix(120)) }
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return String(s)
    }

    /// Maildir folder names write unusual octets as %XX; shown to a learner they read better decoded.
    var removingPercentEscapes: String {
        var out: [UInt8] = []
        let bytes = Array(utf8)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "%"), i + 2 < bytes.count, let v = UInt8(String(decoding: bytes[i + 1...i + 2], as: UTF8.self), radix: 16) {
                out.append(v); i += 3
            } else { out.append(bytes[i]); i += 1 }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
