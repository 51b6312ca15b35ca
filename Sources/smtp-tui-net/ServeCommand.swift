// `smtp-tui serve`: the engine for real clients, on a TCP listener (--listen) or on stdin/stdout (--stdio, as
// inetd would run it). Both go through SMTPNetwork's SwiftNIO pipeline: real STARTTLS, Maildir, real time.
// smtp-tui hands `serve` over to this program (smtp-tui-net) with its arguments unchanged.
import ArgumentParser
import SMTPCore
import SMTPNetwork
#if canImport(Glibc)
import Glibc
#endif

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        // Run through `smtp-tui serve`, whose usage line this keeps.
        _superCommandName: "smtp-tui",
        abstract: "Run the SMTP server for real clients, on a TCP port or on standard input and output.",
        discussion: """
        --listen HOST:PORT serves TCP (loopback only unless --allow-remote); --stdio serves one session on \
        stdin/stdout, like a server started by inetd, e.g.
          swaks --pipe 'smtp-tui serve --stdio --profile mx' --from alice@example.com --to bob@domain.com

        STARTTLS is real on both: a self-signed certificate for the server name is made on first use and kept \
        under $XDG_DATA_HOME/smtp-tui/ (default ~/.local/share/smtp-tui/), or give --cert and --key. Clients \
        must be told to trust it or not to verify it. With --maildir DIR every accepted message is stored in \
        DIR/<recipient>/new/ before the 250 is sent (DIR is made if missing; if it cannot be, serve exits with 2).

        A client is read no faster than it reads its replies, is disconnected when it leaves them unread for \
        --idle-timeout, when its TLS handshake takes longer than --tls-handshake-timeout, and is refused (421 4.7.0) \
        beyond --max-connections-per-client connections from its address.
        """
    )

    @Flag(help: "Serve one session on standard input and output.")
    var stdio = false

    @Option(help: ArgumentHelp("Listen on HOST:PORT (e.g. 127.0.0.1:2525, [::1]:2525; port 0 picks a free one).", valueName: "host:port"))
    var listen: String?

    @Flag(help: "Allow --listen on an address other than loopback (anyone who can reach it can talk to the server).")
    var allowRemote = false

    @Option(help: "submission: smtp.example.com, port 587, STARTTLS then AUTH required; mail from example.com is DKIM-signed with the world's public TEST key. mx: mx.domain.com, port 25, mail for domain.com only.")
    var profile: ServerProfile = .submission

    @Option(help: ArgumentHelp("Store every accepted message in this Maildir: DIR/<recipient>/{tmp,new,cur}.", valueName: "dir"))
    var maildir: String?

    @Option(help: ArgumentHelp("The same as --maildir (kept for older scripts).", valueName: "dir"))
    var deliverTo: String?

    @Option(help: ArgumentHelp("PEM certificate (chain) for STARTTLS; needs --key.", valueName: "file"))
    var cert: String?

    @Option(help: ArgumentHelp("PEM private key for --cert.", valueName: "file"))
    var key: String?

    @Flag(help: "Offer no TLS: STARTTLS is not advertised and is answered 454 4.7.0.")
    var noTLS = false

    @Option(help: ArgumentHelp("Close a connection silent for this many seconds with 421 4.4.2, or without a word when it left its replies unread that long (Postfix: 300).", valueName: "seconds"))
    var idleTimeout: Double = 300

    @Option(help: ArgumentHelp("Close a connection whose TLS handshake after STARTTLS is not done within this many seconds.", valueName: "seconds"))
    var tlsHandshakeTimeout: Double = SMTPServerConfiguration.defaultTLSHandshakeTimeout

    @Option(help: ArgumentHelp("Connections served at once; the next one is answered 421 4.7.0.", valueName: "n"))
    var maxConnections: Int = 1000

    @Option(help: ArgumentHelp("Connections served at once from one client address; the next one from it is answered 421 4.7.0 (Postfix: 50).", valueName: "n"))
    var maxConnectionsPerClient: Int = SMTPServerConfiguration.defaultMaxConnectionsPerClient

    @Option(help: ArgumentHelp("How long dave@domain.com's greylisting makes a sender wait.", valueName: "seconds"))
    var greylistDelay: Double = 5

    @Option(help: ArgumentHelp("trace, debug, info, notice, warning, error or critical (to standard error).", valueName: "level"))
    var logLevel: String = "info"

    @Option(help: "Scenario to start in (see `smtp-tui world`).")
    var scenario: String = "normal"

    @Option(help: ArgumentHelp("""
        A directed failure, for testing a client's error handling deterministically: VERB[#N] CODE [X.Y.Z] [TEXT] \
        replaces the reply to the Nth VERB (MAIL and RCPT counted per transaction, anything else per session; no #N: \
        every one) and the command is not run; "." stands for the end of a message. Repeat for more, e.g. \
        --fail 'RCPT#2 452 4.5.3 Error: too many recipients' --fail 'DATA#1 451 4.3.0 Error: try again later'.
        """, valueName: "rule"))
    var fail: [String] = []

    func validate() throws {
        guard stdio != (listen != nil) else { throw ValidationError("choose one transport: --stdio or --listen HOST:PORT") }
        if let listen {
            let (host, _) = try Self.parse(listen)
            if !isLoopback(host) && !allowRemote {
                throw ValidationError("\(host) is not a loopback address: add --allow-remote to serve other machines")
            }
        }
        guard World.standard.scenario(named: scenario) != nil else {
            throw ValidationError("unknown scenario '\(scenario)'; known: \(World.standard.scenarios.map(\.name).joined(separator: ", "))")
        }
        guard SMTPServerConfiguration.logLevelNames.contains(logLevel) else {
            throw ValidationError("unknown log level '\(logLevel)'; known: \(SMTPServerConfiguration.logLevelNames.joined(separator: ", "))")
        }
        guard (cert == nil) == (key == nil) else { throw ValidationError("--cert and --key go together") }
        for rule in fail where DirectedFailure(parsing: rule) == nil {
            throw ValidationError("--fail '\(rule)': expected VERB[#N] CODE [X.Y.Z] [TEXT] with a 4xx or 5xx code, e.g. 'RCPT#2 452 4.5.3 Error: too many recipients'")
        }
        if maildir != nil && deliverTo != nil && maildir != deliverTo { throw ValidationError("give --maildir or --deliver-to, not both") }
        guard idleTimeout > 0, tlsHandshakeTimeout > 0, maxConnections > 0, maxConnectionsPerClient > 0, greylistDelay >= 0 else {
            throw ValidationError("--idle-timeout, --tls-handshake-timeout, --max-connections and --max-connections-per-client must be positive, --greylist-delay not negative")
        }
    }

    /// "127.0.0.1:2525", "[::1]:2525", "localhost:2525".
    static func parse(_ text: String) throws -> (String, Int) {
        do { return try LiveListener.parse(text) } catch { throw ValidationError("\(error)") }
    }

    func run() throws {
        var world = World.serving(profile)
        world.scenario = world.scenario(named: scenario)!
        let delayTicks = Int(greylistDelay * Double(SimulatedTime.ticksPerSecond))
        for i in world.mailboxes.indices {
            if case .greylisted = world.mailboxes[i].behaviour { world.mailboxes[i].behaviour = .greylisted(retryAfterTicks: delayTicks) }
        }
        let tls: SMTPServerConfiguration.TLSChoice = noTLS ? .off : cert.map { .files(cert: $0, key: key!) } ?? .generated
        SMTPServerConfiguration.bootstrapLogging()
        var (configuration, notes) = SMTPServerConfiguration.make(world: world, profile: profile, tls: tls,
                                                                   maildir: maildir ?? deliverTo, logLevel: logLevel)
        configuration.idleTimeout = idleTimeout
        configuration.tlsHandshakeTimeout = tlsHandshakeTimeout
        configuration.maxConnections = maxConnections
        configuration.maxConnectionsPerClient = maxConnectionsPerClient
        let failures = fail.compactMap { DirectedFailure(parsing: $0) }
        configuration.directedFailures.set(failures)
        for f in failures { warn("on purpose: \(f.explanation)") }
        for note in notes { warn(note) }
        if let store = configuration.maildir {
            // Before serving: a Maildir that cannot be made or written would turn every message into a 451.
            do {
                for folder in try store.prepare() { warn("created \(folder) for --maildir") }
            } catch {
                warn("--maildir \(store.root): \(error)")
                throw ExitCode(NetworkSide.usageError)
            }
        }
        if let listen {
            // A parent (a test runner, a service manager) may have left SIGTERM/SIGINT blocked or ignored; the
            // listener has no state to save, so both simply end it.
            var signals = sigset_t()
            sigemptyset(&signals); sigaddset(&signals, SIGTERM); sigaddset(&signals, SIGINT)
            sigprocmask(SIG_UNBLOCK, &signals, nil)
            signal(SIGTERM, SIG_DFL); signal(SIGINT, SIG_DFL)
            let (host, port) = try Self.parse(listen)
            if !isLoopback(host) {
                warn("warning: listening on \(host), not loopback: anyone who can reach this port can use the server")
            }
            try SMTPServer.listen(host: host, port: port, configuration: configuration) { address, port in
                // The first line on stdout says where we listen (tests and scripts read the port from it).
                let line = "smtp-tui: listening on \(address.contains(":") ? "[\(address)]" : address):\(port)\n"
                Self.writeAll(1, line)
            }
        } else {
            do {
                try SMTPServer.serveStdio(configuration: configuration)
            } catch {
                // stdin or stdout is a regular file (e.g. `> out.txt`), which the event loop cannot watch.
                SMTPServer.serveBlocking(configuration: configuration)
            }
        }
    }

    private func warn(_ text: String) { Self.writeAll(2, "smtp-tui: \(text)\n") }

    /// Unbuffered, so the line is out before the server blocks (stdio's buffers would hold it).
    static func writeAll(_ fd: Int32, _ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            bytes = bytes.dropFirst(n)
        }
    }
}

