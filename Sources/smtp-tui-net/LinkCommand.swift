// `smtp-tui-net link`: the listener of the app's live mode, in a process of its own. The app starts it with pipes
// on its standard input and output (and /dev/null as standard error: nothing may reach the full-screen terminal).
//
// Standard output, one line each:
//   note TEXT        something done on the way (a Maildir folder made)
//   ready PORT HOST  listening; or
//   error TEXT       could not start (the process then exits with 2)
//   event JSON       one LiveEvent, as the listener reports them, in order
// Standard input, one line each:
//   failures JSON    the directed failures new connections get from now on (a live mission's injections)
// End of input (the app quit, or died) ends the process.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import ArgumentParser
import Dispatch
import SMTPCore
import ServeOptions
import SMTPNetwork
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

struct LinkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "link",
        abstract: "The listener of smtp-tui's live mode, started by the app (not meant to be run by hand).",
        shouldDisplay: false
    )

    @Option var host: String
    @Option var port: Int
    @Option var profile: ServerProfile = .submission
    @Option var maildir: String?
    @Option var tlsHandshakeTimeout: Double = LiveListener.defaultTLSHandshakeTimeout
    @Option var maxConnectionsPerClient: Int = LiveListener.defaultMaxConnectionsPerClient
    @Option var dataDirectory: String?

    func run() throws {
        // A write to a pipe the app has closed must end this process quietly, not kill it with a signal mid-line.
        signal(SIGPIPE, SIG_IGN)
        let outbox = Outbox()
        var (configuration, _) = SMTPServerConfiguration.make(world: World.serving(profile), profile: profile, tls: .generated,
                                                               maildir: maildir, logLevel: "critical", silent: true,
                                                               dataDirectory: dataDirectory ?? TLSSetup.dataDirectory())
        // (Without TLS the listener still works; STARTTLS is then answered 454 and not advertised.)
        configuration.observer = { outbox.push($0) }
        configuration.tlsHandshakeTimeout = tlsHandshakeTimeout
        configuration.maxConnectionsPerClient = maxConnectionsPerClient
        if let store = configuration.maildir {
            do {
                for folder in try store.prepare() { Self.say("note created \(folder) for --maildir") }
            } catch {
                Self.say("error --maildir \(store.root): \(error)")
                throw ExitCode(NetworkSide.usageError)
            }
        }
        let server: SMTPServer.Running
        do {
            server = try SMTPServer.start(host: host, port: port, configuration: configuration)
        } catch {
            Self.say("error cannot listen on \(host):\(port): \(error)")
            throw ExitCode(NetworkSide.usageError)
        }
        Self.say("ready \(server.port) \(server.host)")
        // Reports leave on a thread of their own: the event loop only hands them over, and a full pipe (an app
        // busy drawing) holds up this thread, never a client.
        DispatchQueue(label: "smtp-tui-net.reports").async { outbox.send() }
        let failures = configuration.directedFailures
        let decoder = JSONDecoder()
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4_096)
        while true {
            let n = read(0, &chunk, chunk.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            pending += chunk[..<n]
            while let end = pending.firstIndex(of: 0x0A) {
                let line = pending[..<end]
                pending.removeSubrange(...end)
                let prefix = Array("failures ".utf8)
                if line.starts(with: prefix), let list = try? decoder.decode([DirectedFailure].self, from: Data(line.dropFirst(prefix.count))) {
                    failures.set(list)
                }
            }
        }
        server.stop()
    }

    /// One line on standard output, written whole.
    static func say(_ line: String) { ServeCommand.writeAll(1, line + "\n") }

    /// Reports waiting for the writer thread. Never blocks the event loop for long.
    final class Outbox: Sendable {
        private let events = Mutex<[LiveEvent]>([])
        private let waiting = DispatchSemaphore(value: 0)

        func push(_ event: LiveEvent) {
            let wasEmpty = events.withLock { list in
                let empty = list.isEmpty
                // A flood of connections must not eat memory while the app is slow to read: beyond this, forget the
                // oldest exchanges (never a connection's opening or closing, or its tab would stay open for ever).
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
            if wasEmpty { waiting.signal() }
        }

        /// The writer: each batch as `event JSON` lines, until the app stops reading.
        func send() {
            let encoder = JSONEncoder()
            while true {
                waiting.wait()
                let batch = events.withLock { list in
                    let all = list
                    list.removeAll(keepingCapacity: true)
                    return all
                }
                var out: [UInt8] = []
                for event in batch {
                    guard let json = try? encoder.encode(event) else { continue }
                    out += Array("event ".utf8)
                    out += json
                    out.append(0x0A)
                }
                if !ServeCommand.writeAll(1, out) { Glibc.exit(0) }  // the app has gone
            }
        }
    }
}
