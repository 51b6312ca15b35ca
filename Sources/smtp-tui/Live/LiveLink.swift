// The app's own SMTP listener (live mode). It runs in a child process, smtp-tui-net (the network side is not linked
// into the app: see Package.swift), which serves real clients and reports each exchange as a line of JSON on a pipe.
// The main loop polls that pipe with the terminal and turns the reports into `.live` actions for `update`; the
// Maildir the listener stores into is read here directly.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import MailStore
import SMTPCore
import TUI
#if canImport(Glibc)
import Glibc
#endif

final class LiveLink {
    /// Where the listener listens, and how to stop it.
    let server: Listener
    let maildir: Maildir?
    let settings: Settings
    /// The main loop polls this with the terminal: the listener's reports arrive on it.
    var wakeFD: Int32 { server.reports }
    /// The directed failures new connections get (a live mission's injections), handed to the listener.
    var failures: Failures { Failures(server: server) }

    struct StartError: Error, CustomStringConvertible { let description: String }

    /// How the app's listener serves: which server it plays and its limits (the options `--listen` shares with
    /// `smtp-tui serve`).
    struct Settings: Sendable {
        var profile: ServerProfile = .submission
        var maildir: String?
        var tlsHandshakeTimeout = LiveListener.defaultTLSHandshakeTimeout
        var maxConnectionsPerClient = LiveListener.defaultMaxConnectionsPerClient
        /// Where the generated certificate is kept; nil: the network side's default ($XDG_DATA_HOME/smtp-tui).
        var dataDirectory: String?
    }

    /// The child process and its two pipes.
    final class Listener {
        let host: String
        let port: Int
        let pid: pid_t
        /// The child's standard output (non-blocking) and standard input.
        let reports: Int32, commands: Int32
        private var stopped = false

        init(host: String, port: Int, pid: pid_t, reports: Int32, commands: Int32) {
            self.host = host; self.port = port; self.pid = pid; self.reports = reports; self.commands = commands
        }

        /// Ends the listener: end of input tells it to stop; SIGTERM makes sure; then it is reaped.
        func stop() {
            guard !stopped else { return }
            stopped = true
            close(commands)
            kill(pid, SIGTERM)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            close(reports)
        }

        deinit { stop() }
    }

    struct Failures {
        let server: Listener
        func set(_ failures: [DirectedFailure]) {
            guard let json = try? JSONEncoder().encode(failures) else { return }
            LiveLink.writeAll(server.commands, Array("failures ".utf8) + json + [0x0A])
        }
    }

    /// Listens on host:port (port 0 picks a free one) as smtp.example.com's submission service, or with
    /// `--profile mx` as mx.domain.com, with real STARTTLS, storing into the Maildir when one is given. Returns the
    /// link and what was done on the way (folders made for the Maildir).
    static func start(host: String, port: Int, settings: Settings) throws -> (link: LiveLink, notes: [String]) {
        let program = try networkSide()
        var arguments = ["smtp-tui-net", "link", "--host", host, "--port", "\(port)", "--profile", settings.profile.rawValue,
                         "--tls-handshake-timeout", "\(settings.tlsHandshakeTimeout)",
                         "--max-connections-per-client", "\(settings.maxConnectionsPerClient)"]
        if let maildir = settings.maildir { arguments += ["--maildir", maildir] }
        if let data = settings.dataDirectory { arguments += ["--data-directory", data] }
        var toChild: [Int32] = [0, 0], fromChild: [Int32] = [0, 0]
        // Close-on-exec in this process (the child gets them as 0 and 1 by dup2): a Run it example must not inherit
        // them. pipe2(2) is not visible to Swift's Glibc module; nothing else is spawned meanwhile on this thread.
        func makePipe(_ fds: inout [Int32]) -> Bool {
            guard pipe(&fds) == 0 else { return false }
            for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            return true
        }
        guard makePipe(&toChild) else { throw StartError(description: "pipe: \(String(cString: strerror(errno)))") }
        guard makePipe(&fromChild) else {
            close(toChild[0]); close(toChild[1])
            throw StartError(description: "pipe: \(String(cString: strerror(errno)))")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, toChild[0], 0)
        posix_spawn_file_actions_adddup2(&actions, fromChild[1], 1)
        // Nothing the listener might print may reach the full-screen terminal.
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        // Its own process group: a terminal's signals go to the app, which stops it.
        var attributes = ChildProcess.attributes()
        defer { posix_spawnattr_destroy(&attributes) }
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, program, &actions, &attributes, argv, environ)
        close(toChild[0]); close(fromChild[1])
        guard spawned == 0 else {
            close(toChild[1]); close(fromChild[0])
            throw StartError(description: "cannot start \(program): \(String(cString: strerror(spawned)))")
        }
        // The child's first lines: notes, then ready or error (a certificate made on first use takes a moment).
        var notes: [String] = []
        var reader = LineReader(fd: fromChild[0])
        while true {
            guard let line = reader.next(timeoutMs: 30_000) else {
                kill(pid, SIGKILL); _ = waitpid(pid, nil, 0)
                close(toChild[1]); close(fromChild[0])
                throw StartError(description: "cannot listen on \(host):\(port): the network side (\(program)) did not start")
            }
            if line.hasPrefix("note ") { notes.append(String(line.dropFirst(5))); continue }
            if line.hasPrefix("ready "), let parts = Optional(line.split(separator: " ", maxSplits: 2)), parts.count == 3,
               let bound = Int(parts[1]) {
                _ = fcntl(fromChild[0], F_SETFL, fcntl(fromChild[0], F_GETFL) | O_NONBLOCK)
                let listener = Listener(host: String(parts[2]), port: bound, pid: pid, reports: fromChild[0], commands: toChild[1])
                let link = LiveLink(server: listener, maildir: settings.maildir.map { Maildir(root: $0) }, settings: settings)
                link.pending = reader.rest
                return (link, notes)
            }
            _ = waitpid(pid, nil, 0)
            close(toChild[1]); close(fromChild[0])
            throw StartError(description: line.hasPrefix("error ") ? String(line.dropFirst(6)) : "cannot listen on \(host):\(port): \(line)")
        }
    }

    /// smtp-tui-net, next to this program (as `swift build` and Scripts/install leave them).
    static func networkSide() throws -> String {
        var path = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/exe", &path, path.count - 1)
        guard n > 0 else { throw StartError(description: "cannot find this program's folder (/proc/self/exe)") }
        let me = String(decoding: path[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let program = String(me[..<(me.lastIndex(of: "/") ?? me.startIndex)]) + "/smtp-tui-net"
        guard access(program, X_OK) == 0 else {
            throw StartError(description: "the network side, \(program), is missing: `swift build` builds it and Scripts/install installs it next to smtp-tui")
        }
        return program
    }

    private init(server: Listener, maildir: Maildir?, settings: Settings) {
        self.server = server; self.maildir = maildir; self.settings = settings
    }

    var address: String { server.host.contains(":") ? "[\(server.host)]:\(server.port)" : "\(server.host):\(server.port)" }

    /// Bytes read from the listener that do not make a whole line yet.
    private var pending: [UInt8] = []
    private let decoder = JSONDecoder()

    /// Everything reported since the last call, in order.
    func drain() -> [LiveEvent] {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = read(server.reports, &chunk, chunk.count)
            if n > 0 { pending += chunk[..<n]; continue }
            if n < 0 && errno == EINTR { continue }
            break
        }
        var events: [LiveEvent] = []
        var start = pending.startIndex
        let prefix = Array("event ".utf8)
        while let end = pending[start...].firstIndex(of: 0x0A) {
            let line = pending[start..<end]
            start = end + 1
            if line.starts(with: prefix), let event = try? decoder.decode(LiveEvent.self, from: Data(line.dropFirst(prefix.count))) {
                events.append(event)
            }
        }
        pending.removeSubrange(..<start)
        return events
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

    /// Stops the listener (its process ends; open sessions with it).
    func stop() { server.stop() }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        var rest = bytes[...]
        while !rest.isEmpty {
            let n = rest.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            rest = rest.dropFirst(n)
        }
    }

    /// Lines from a blocking descriptor, for the child's first words.
    struct LineReader {
        let fd: Int32
        var rest: [UInt8] = []
        init(fd: Int32) { self.fd = fd }

        mutating func next(timeoutMs: Int32) -> String? {
            var chunk = [UInt8](repeating: 0, count: 4_096)
            while true {
                if let end = rest.firstIndex(of: 0x0A) {
                    let line = String(decoding: rest[..<end], as: UTF8.self)
                    rest.removeSubrange(...end)
                    return line
                }
                var probe = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                let ready = poll(&probe, 1, timeoutMs)
                if ready < 0 && errno == EINTR { continue }
                guard ready > 0 else { return nil }
                let n = read(fd, &chunk, chunk.count)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { return nil }
                rest += chunk[..<n]
            }
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
