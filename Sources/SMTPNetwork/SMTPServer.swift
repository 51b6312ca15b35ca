// `serve --listen` and `serve --stdio` on one pipeline: SwiftNIO with an event loop per core, storage on a small
// thread pool. Both transports build the same handlers, so they behave the same.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import Synchronization
import NIOPosix
import NIOSSL
import Logging
import SMTPCore
// Maildir storage lives in its own target (the app reads it without the network); users of the listener get it too.
@_exported import MailStore

public struct SMTPServerConfiguration: Sendable {
    public var world: World
    public var profile: ServerProfile
    /// Nil where TLS cannot be offered: STARTTLS is then neither advertised nor accepted (454 4.7.0).
    public var tlsContext: NIOSSLContext?
    /// Nil: messages are accepted but not kept (as before, for the catalogue examples).
    public var maildir: Maildir?
    /// Seconds a client may stay silent, or leave its replies unread, before 421 4.4.2 (Postfix's smtpd_timeout,
    /// 300 s, which also bounds each write).
    public var idleTimeout: Double = 300
    /// Seconds from the 220 to STARTTLS until the TLS handshake must be done; then the connection is closed.
    /// Shorter than the idle timeout: a handshake is a few round trips, and a client stalled in one holds a slot.
    public var tlsHandshakeTimeout: Double = SMTPServerConfiguration.defaultTLSHandshakeTimeout
    /// Connections served at once; the next one gets 421 4.7.0.
    public var maxConnections = 1000
    /// Connections served at once from one client address (Postfix's smtpd_client_connection_count_limit, 50);
    /// the next one from that address gets 421 4.7.0.
    public var maxConnectionsPerClient = SMTPServerConfiguration.defaultMaxConnectionsPerClient
    /// Event-loop threads for the listener (each connection stays on one of them): one per two cores, since the
    /// storage threads and the clients want the others. Measured on 2 cores: a second loop cost about 10% more
    /// CPU per message for no more messages per second.
    public var eventLoops = max(1, System.coreCount / 2)
    public var logger: Logger
    /// Told about every session's exchanges as they happen (the app's live mode), on an event loop's thread:
    /// it must only hand them over, never block.
    public var observer: (@Sendable (LiveEvent) -> Void)?
    /// Replies given on purpose (`serve --fail`, a live mission's injections). Read when a connection opens, so
    /// the app can change them while the listener runs.
    public let directedFailures = DirectedFailureBoard()
    let threadPool: NIOThreadPool

    public static let defaultTLSHandshakeTimeout = LiveListener.defaultTLSHandshakeTimeout
    public static let defaultMaxConnectionsPerClient = LiveListener.defaultMaxConnectionsPerClient

    public init(world: World, profile: ServerProfile, tlsContext: NIOSSLContext?, maildir: Maildir?, logger: Logger) {
        self.world = world; self.profile = profile; self.tlsContext = tlsContext; self.maildir = maildir
        self.logger = logger
        // Storage: the Maildir's writer and committer each hold one thread while they have work (group commit:
        // concurrent deliveries share their syncs instead of each waiting on its own).
        self.threadPool = NIOThreadPool(numberOfThreads: 2)
    }
}

/// The directed failures new sessions get, changeable from any thread.
public final class DirectedFailureBoard: Sendable {
    private let current = Mutex<[DirectedFailure]>([])
    public init() {}
    public func set(_ failures: [DirectedFailure]) { current.withLock { $0 = failures } }
    public var failures: [DirectedFailure] { current.withLock { $0 } }
}

public enum SMTPServer {
    /// Listens on host:port until the process is stopped. `ready` gets the bound address (port 0 picks one).
    public static func listen(host: String, port: Int, configuration: SMTPServerConfiguration,
                              ready: @Sendable (String, Int) -> Void) throws {
        let server = try start(host: host, port: port, configuration: configuration)
        configuration.logger.notice("listening", metadata: ["address": "\(server.host):\(server.port)"])
        ready(server.host, server.port)
        try server.channel.closeFuture.wait()
    }

    /// A listener running on its own event-loop thread (the app's live mode keeps its own main loop).
    public final class Running: Sendable {
        public let host: String
        public let port: Int
        let channel: Channel
        let group: MultiThreadedEventLoopGroup
        init(host: String, port: Int, channel: Channel, group: MultiThreadedEventLoopGroup) {
            self.host = host; self.port = port; self.channel = channel; self.group = group
        }
        /// Closes the listening socket (open sessions end with the process).
        public func stop() { channel.close(promise: nil) }
    }

    /// Binds host:port and serves in the background; returns once the socket is listening.
    public static func start(host: String, port: Int, configuration: SMTPServerConfiguration) throws -> Running {
        raiseFileLimit()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, configuration.eventLoops))
        configuration.threadPool.start()
        let state = ServerState()
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 1024)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            // (TCP_NODELAY is set on the listening socket by NIO, and accepted sockets inherit it.)
            .childChannelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
            // Backpressure: a connection whose replies are not being read stops being read (SMTPChannelHandler)
            // once 64 KiB wait to be sent (NIO's default high water mark). Reads of at most 32 KiB bound what one
            // read can make the server answer at once: about 28 octets of reply per octet in the worst case (HELP),
            // so under 1 MiB queued however the client behaves.
            .childChannelOption(ChannelOptions.recvAllocator,
                                value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 2048, maximum: SMTPChannelHandler.maxReadSize))
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let ops = channel.pipeline.syncOperations
                    let address = channel.remoteAddress?.ipAddress ?? "unknown"
                    let serverName = configuration.world.serverName
                    switch state.admit(address, limit: configuration.maxConnections, perClient: configuration.maxConnectionsPerClient) {
                    case .tooMany:
                        configuration.logger.warning("connection refused: too many connections", metadata: ["peer": "\(address)"])
                        try ops.addHandler(RefusingHandler(reply: Reply(421, EnhancedStatusCode(4, 7, 0), "\(serverName) Error: too many connections")))
                    case .tooManyFromClient:
                        // Postfix's anvil words when one client holds its whole share.
                        configuration.logger.warning("connection refused: too many connections from one client", metadata: ["peer": "\(address)"])
                        try ops.addHandler(RefusingHandler(reply: Reply(421, EnhancedStatusCode(4, 7, 0), "\(serverName) Error: too many connections from \(address)")))
                    case .admitted(let number):
                        let loopback = address.hasPrefix("127.") || address == "::1"
                        let port = channel.remoteAddress?.port.map { ":\($0)" } ?? ""
                        try ops.addHandler(SMTPChannelHandler(configuration: configuration, state: state, connection: number,
                                                              peer: loopback ? "localhost" : "unknown", peerAddress: address,
                                                              peerLabel: address + port, admittedAddress: address))
                    }
                }
            }
        let channel: Channel
        do {
            channel = try bootstrap.bind(host: host, port: port).wait()
        } catch {
            try? group.syncShutdownGracefully()
            throw error
        }
        let bound = channel.localAddress
        return Running(host: bound?.ipAddress ?? host, port: bound?.port ?? port, channel: channel, group: group)
    }

    /// Serves one session on stdin/stdout (as inetd would start it) and returns when it ends.
    /// Throws when the descriptors cannot be driven by the event loop (e.g. regular files), so the caller can
    /// fall back to plain blocking reads.
    public static func serveStdio(configuration: SMTPServerConfiguration) throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        configuration.threadPool.start()
        defer { try? configuration.threadPool.syncShutdownGracefully() }
        let state = ServerState()
        let input = dup(0), output = dup(1)
        guard input >= 0, output >= 0 else { throw MaildirError(description: "dup: \(errnoText())") }
        let channel = try NIOPipeBootstrap(group: group)
            .channelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        SMTPChannelHandler(configuration: configuration, state: state, connection: 1, peer: "localhost",
                                           peerAddress: "127.0.0.1", inputWaiting: { inputIsWaiting(input) }))
                }
            }
            .takingOwnershipOfDescriptors(input: input, output: output)
            .wait()
        try channel.closeFuture.wait()
    }

    /// The same session with blocking reads and writes, for descriptors the event loop cannot watch (a regular
    /// file as stdin or stdout: epoll refuses them). Storage is synchronous here, still before the 250; TLS is not
    /// offered (454), since a file cannot answer a handshake anyway.
    public static func serveBlocking(configuration: SMTPServerConfiguration) {
        var session = makeServeSession(configuration: configuration, connection: 1, peer: "localhost",
                                       peerAddress: "127.0.0.1", tls: false)
        func send(_ outputs: [SessionOutput]) {
            var bytes: [UInt8] = []
            var index = 0
            func flushBytes() {
                var offset = 0
                while offset < bytes.count {
                    let n = bytes[offset...].withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
                    if n < 0 && errno == EINTR { continue }
                    if n <= 0 { break }
                    offset += n
                }
                bytes.removeAll()
            }
            while index < outputs.count {
                switch outputs[index] {
                case .reply(let reply, let cause):
                    if reply.delayTicks > 0 {
                        // Postfix's smtpd_error_sleep_time past the soft error limit, as on the event loop.
                        flushBytes()
                        usleep(UInt32(reply.delayTicks * 1_000_000 / SimulatedTime.ticksPerSecond))
                    }
                    var answer = reply
                    if cause == .messageEnd, reply.code == 250, index + 1 < outputs.count,
                       case .delivered(let message) = outputs[index + 1], let maildir = configuration.maildir {
                        do { try maildir.deliver(message) } catch {
                            configuration.logger.error("storage failed", metadata: ["id": "\(message.id)", "error": "\(error)"])
                            answer = Reply(451, EnhancedStatusCode(4, 3, 0), "Error: queue file write error")
                        }
                    }
                    bytes += Array(answer.wire.utf8)
                default:
                    break
                }
                index += 1
            }
            flushBytes()
        }
        session.now = wallClockTick()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        if inputIsWaiting(0) {
            // The client spoke before the greeting: 554 5.5.0 instead of it (RFC 2920, Postfix 3.9).
            let n = read(0, &buffer, buffer.count)
            send(session.start(clientSpokeFirst: n > 0 ? Array(buffer[0..<n]) : []))
        } else {
            send(session.start())
        }
        while !session.isClosed {
            let n = read(0, &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            session.now = wallClockTick()
            if n <= 0 { send(session.endOfInput()); break }
            send(session.receive(buffer[0..<n]))
        }
    }

    /// Each connection needs a descriptor; the soft limit (often 1024) is raised to the hard one.
    static func raiseFileLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}

/// Whether input is already waiting on a descriptor (a zero-timeout poll): before the greeting, that means the
/// client spoke first. End of input counts too, but is then read as nothing.
func inputIsWaiting(_ fd: Int32) -> Bool {
    var probe = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    return poll(&probe, 1, 0) > 0 && probe.revents & Int16(POLLIN) != 0
}

/// Is this listen address on the loopback interface?
public func isLoopback(_ host: String) -> Bool { LiveListener.isLoopback(host) }

extension SMTPServerConfiguration {
    public enum TLSChoice: Sendable { case off, generated, files(cert: String, key: String) }

    /// Builds a configuration from command-line choices. TLS that cannot be set up is reported in `notes` and
    /// left off (so STARTTLS is not advertised) rather than stopping the server.
    public static func make(world: World, profile: ServerProfile, tls: TLSChoice, maildir: String?,
                            logLevel: String, silent: Bool = false,
                            dataDirectory: String = TLSSetup.dataDirectory()) -> (SMTPServerConfiguration, notes: [String]) {
        // Inside the full-screen app nothing may write to the terminal: the log goes nowhere there.
        var logger = silent ? Logger(label: "smtp-tui", factory: { _ in SwiftLogNoOpLogHandler() }) : Logger(label: "smtp-tui")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        var notes: [String] = []
        var context: NIOSSLContext?
        switch tls {
        case .off:
            break
        case .generated:
            do {
                let made = try TLSSetup.makeContext(serverName: world.serverName, certPath: nil, keyPath: nil, dataDirectory: dataDirectory)
                context = made.0
                logger.info("tls certificate", metadata: ["file": "\(made.certificateFile)"])
            } catch {
                notes.append("TLS not available (\(error)); STARTTLS will not be offered")
            }
        case .files(let cert, let key):
            do {
                context = try TLSSetup.makeContext(serverName: world.serverName, certPath: cert, keyPath: key).0
            } catch {
                notes.append("TLS not available: cannot load \(cert) / \(key) (\(error)); STARTTLS will not be offered")
            }
        }
        let configuration = SMTPServerConfiguration(world: world, profile: profile, tlsContext: context,
                                                    maildir: maildir.map(Maildir.init(root:)), logger: logger)
        return (configuration, notes)
    }

    public static let logLevelNames = Logger.Level.allCases.map(\.rawValue)

    /// One line on standard error for every log event (swift-log's stream handler), set up once per process.
    public static func bootstrapLogging() {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
    }
}
