// `smtp-tui serve --stdio`: the engine on stdin/stdout with CRLF, as an inetd service would run it.
import ArgumentParser
import SMTPCore
#if canImport(Glibc)
import Glibc
#endif

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the simulated SMTP server on standard input and output.",
        discussion: """
        Speaks SMTP with CRLF line ends on stdin/stdout, like a server started by inetd, so real clients and \
        scripts can talk to it, e.g.:
          swaks --pipe 'smtp-tui serve --stdio --profile mx' --from alice@example.com --to bob@domain.com

        STARTTLS is only simulated over stdio: the server answers 220 and behaves as if a handshake happened, \
        but no real TLS is spoken, so a real TLS client cannot get past it here. Use the mx profile (no TLS or \
        AUTH needed for mail to domain.com) for real clients.
        """
    )

    @Flag(help: "Serve on standard input and output (the only transport so far).")
    var stdio = false

    @Option(help: "submission: port 587, STARTTLS then AUTH required. mx: port 25, mail for domain.com only.")
    var profile: ServerProfile = .submission

    @Option(help: "Write each delivered message to DIR/<recipient>/<queue-id>.eml.")
    var deliverTo: String?

    @Option(help: "Scenario to start in (see `smtp-tui world`).")
    var scenario: String = "normal"

    func validate() throws {
        guard stdio else { throw ValidationError("only --stdio is available for now: add --stdio") }
        guard World.standard.scenario(named: scenario) != nil else {
            throw ValidationError("unknown scenario '\(scenario)'; known: \(World.standard.scenarios.map(\.name).joined(separator: ", "))")
        }
    }

    func run() throws {
        var world = World.standard
        world.scenario = world.scenario(named: scenario)!
        var session = ServerSession(world: world, profile: profile)
        write(session.start())
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while !session.isClosed {
            let n = read(0, &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { write(session.endOfInput()); break }
            write(session.receive(buffer[0..<n]))
        }
    }

    private func write(_ outputs: [SessionOutput]) {
        var text = ""
        for output in outputs {
            switch output {
            case .reply(let reply, _):
                if reply.delayTicks > 0 {
                    // Past the soft error limit the server waits before answering, as Postfix sleeps.
                    writeOut(text); text = ""
                    usleep(useconds_t(reply.delayTicks * 1_000_000 / SimulatedTime.ticksPerSecond))
                }
                text += reply.wire
            case .delivered(let message): save(message)
            case .tlsStarted, .authenticated, .closed: break
            }
        }
        writeOut(text)
    }

    private func writeOut(_ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { Glibc.write(1, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 && errno == EINTR { continue }
            if written <= 0 { return }
            offset += written
        }
    }

    private func save(_ message: StoredMessage) {
        guard let dir = deliverTo else { return }
        for rcpt in message.recipients {
            let folder = "\(dir)/\(rcpt.lowercased())"
            mkdirAll(folder)
            // fileBytes keeps a BDAT message's octets exactly as received (NUL included), so write bytes, not a C string.
            let bytes = message.fileBytes
            if let file = fopen("\(folder)/\(message.id).eml", "w") {
                _ = bytes.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, file) }
                fclose(file)
            }
        }
    }

    private func mkdirAll(_ path: String) {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/\(part)"
            mkdir(current, 0o755)
        }
    }
}

extension ServerProfile: ExpressibleByArgument {}
