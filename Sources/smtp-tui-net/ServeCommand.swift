// `smtp-tui serve`: the engine for real clients, on a TCP listener (--listen) or on stdin/stdout (--stdio, as
// inetd would run it). Both go through SMTPNetwork's SwiftNIO pipeline: real STARTTLS, Maildir, real time.
// smtp-tui hands `serve` over to this program (smtp-tui-net) with its arguments unchanged.
import ArgumentParser
import SMTPCore
import SMTPNetwork
import ServeOptions
#if canImport(Glibc)
import Glibc
#endif

struct ServeCommand: ParsableCommand {
    static let configuration = ServeCommandLine.configuration

    @OptionGroup var options: ServeOptions

    func validate() throws { try options.validateForServe() }

    func run() throws { try options.serve() }

    /// "127.0.0.1:2525", "[::1]:2525", "localhost:2525".
    static func parse(_ text: String) throws -> (String, Int) {
        do { return try LiveListener.parse(text) } catch { throw ValidationError("\(error)") }
    }

    /// Unbuffered, so the line is out before the server blocks (stdio's buffers would hold it).
    static func writeAll(_ fd: Int32, _ text: String) { _ = writeAll(fd, Array(text.utf8)) }

    /// Every byte to `fd`; false once it cannot take more (the reader has gone).
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var rest = bytes[...]
        while !rest.isEmpty {
            let n = rest.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            rest = rest.dropFirst(n)
        }
        return true
    }
}

// What serve does with its options (declared in ServeOptions, which smtp-tui shares for its help).
extension ServeOptions {
    func validateForServe() throws {
        guard stdio != (listen != nil) else { throw ValidationError("choose one transport: --stdio or --listen HOST:PORT") }
        if let listen {
            let (host, _) = try ServeCommand.parse(listen)
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

    func serve() throws {
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
            let (host, port) = try ServeCommand.parse(listen)
            if !isLoopback(host) {
                warn("warning: listening on \(host), not loopback: anyone who can reach this port can use the server")
            }
            try SMTPServer.listen(host: host, port: port, configuration: configuration) { address, port in
                // The first line on stdout says where we listen (tests and scripts read the port from it).
                let line = "smtp-tui: listening on \(address.contains(":") ? "[\(address)]" : address):\(port)\n"
                ServeCommand.writeAll(1, line)
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

    private func warn(_ text: String) { ServeCommand.writeAll(2, "smtp-tui: \(text)\n") }
}
