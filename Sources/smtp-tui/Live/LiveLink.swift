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
    let settings: Settings
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

    /// How the app's listener serves: which server it plays and its limits (the options `--listen` shares with
    /// `smtp-tui serve`).
    struct Settings: Sendable {
        var profile: ServerProfile = .submission
        var maildir: String?
        var tlsHandshakeTimeout = SMTPServerConfiguration.defaultTLSHandshakeTimeout
        var maxConnectionsPerClient = SMTPServerConfiguration.defaultMaxConnectionsPerClient
        /// Where the generated certificate is kept.
        var dataDirectory = TLSSetup.dataDirectory()
    }

    /// Listens on host:port (port 0 picks a free one) as smtp.example.com's submission service, or with
    /// `--profile mx` as mx.domain.com, with real STARTTLS, storing into the Maildir when one is given. Returns the
    /// link and what was done on the way (folders made for the Maildir).
    static func start(host: String, port: Int, settings: Settings) throws -> (link: LiveLink, notes: [String]) {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw StartError(description: "pipe: \(String(cString: strerror(errno)))") }
        for fd in fds {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        let inbox = Inbox(writeFD: fds[1])
        var (configuration, _) = SMTPServerConfiguration.make(world: World.serving(settings.profile), profile: settings.profile,
                                                               tls: .generated, maildir: settings.maildir, logLevel: "critical", silent: true,
                                                               dataDirectory: settings.dataDirectory)
        // (Without TLS the listener still works; STARTTLS is then answered 454 and not advertised.)
        configuration.observer = { inbox.push($0) }
        configuration.tlsHandshakeTimeout = settings.tlsHandshakeTimeout
        configuration.maxConnectionsPerClient = settings.maxConnectionsPerClient
        var notes: [String] = []
        if let store = configuration.maildir {
            do {
                notes = try store.prepare().map { "created \($0) for --maildir" }
            } catch {
                close(fds[0]); close(fds[1])
                throw StartError(description: "--maildir \(store.root): \(error)")
            }
        }
        // The listener's threads inherit this mask: quit signals and resizes must reach the main thread, whose
        // wait they interrupt (a thread that took SIGTERM would leave the app asleep until the next key).
        var blocked = sigset_t(), previous = sigset_t()
        sigemptyset(&blocked)
        for s in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGWINCH, SIGCONT, SIGTSTP] { sigaddset(&blocked, s) }
        pthread_sigmask(SIG_BLOCK, &blocked, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        do {
            let server = try SMTPServer.start(host: host, port: port, configuration: configuration)
            return (LiveLink(server: server, maildir: configuration.maildir, settings: settings, wakeFD: fds[0], inbox: inbox,
                             failures: configuration.directedFailures), notes)
        } catch {
            close(fds[0]); close(fds[1])
            throw StartError(description: "cannot listen on \(host):\(port): \(error)")
        }
    }

    private init(server: SMTPServer.Running, maildir: Maildir?, settings: Settings, wakeFD: Int32, inbox: Inbox,
                 failures: DirectedFailureBoard) {
        self.server = server; self.maildir = maildir; self.settings = settings; self.wakeFD = wakeFD; self.inbox = inbox
        self.failures = failures
    }

    /// The directed failures new connections get (a live mission's injections).
    let failures: DirectedFailureBoard

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
            return MailFileSummary(mailbox: entry.mailbox.removingPercentEscapes, folder: entry.folder, file: entry.file,
                                   from: headers["from"] ?? "?", subject: headers["subject"] ?? "(no subject)",
                                   date: headers["date"] ?? "", size: entry.size)
        }
    }
}

extension StringProtocol {
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
