// One SMTP connection on a NIO channel (TCP socket or stdin/stdout): whole buffers go to the pure engine, its
// replies go back, and the network side does what the engine cannot: real STARTTLS, storage, time and limits.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import NIOSSL
import Logging
import SMTPCore

/// What every connection of one server shares. Touched only on the server's single event loop.
final class ServerState: @unchecked Sendable {
    /// Greylisting memory shared by all connections, so a retry on a new connection is recognised.
    var greylist: [String: Int] = [:]
    var activeConnections = 0
    var connectionsSoFar = 0
}

/// The wall clock as the engine's ticks: 60 per second since SimulatedTime's epoch, so Date: and Received: carry
/// the real date (SMTPCore never reads a clock; this is the caller setting `now`).
public func wallClockTick() -> Int {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    let seconds = Int(ts.tv_sec) - SimulatedTime.epochSeconds
    return seconds * SimulatedTime.ticksPerSecond + Int(ts.tv_nsec) / (1_000_000_000 / SimulatedTime.ticksPerSecond)
}

/// A session as serve mode runs it: the real peer, a seed no other connection, process or run shares, the
/// Maildir as the only store, TLS as available, Postfix 3.9's smuggling defences on.
func makeServeSession(configuration: SMTPServerConfiguration, connection: Int, peer: String, peerAddress: String,
                      tls: Bool) -> ServerSession {
    var world = configuration.world
    world.clientName = peer
    world.clientAddress = peerAddress
    // Queue ids (and the Message-IDs made from them) must differ across connections, processes and runs:
    // seed each session from the time, the process id and a connection counter. SMTPCore itself stays
    // deterministic; only this caller brings in the clock.
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    let seed = UInt64(truncatingIfNeeded: ts.tv_sec) &* 1_000_000_007 &+ UInt64(truncatingIfNeeded: ts.tv_nsec)
        ^ (UInt64(truncatingIfNeeded: getpid()) << 40) ^ (UInt64(truncatingIfNeeded: connection) &* 0x9E37_79B9)
    var session = ServerSession(world: world, profile: configuration.profile, seed: seed)
    session.storesMessages = false       // the Maildir is the store; memory stays flat however long we run
    session.tlsAvailable = tls
    session.forbidsSmuggling = true
    return session
}

final class SMTPChannelHandler: ChannelInboundHandler, @unchecked Sendable {
    // @unchecked: every method and every future callback below runs on the channel's event loop
    // (`runIfActive(eventLoop:)` completes there), so the mutable state is never shared between threads.
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var session: ServerSession
    private let configuration: SMTPServerConfiguration
    private let state: ServerState
    private var logger: Logger
    private var context: ChannelHandlerContext?
    /// A message is being stored: its reply, and everything the client pipelined behind it, wait.
    private var storing = false
    private var waitingInput: [ByteBuffer] = []
    private var waitingBytes = 0
    /// Reading was turned off because too much arrived while a message was being stored.
    private var readPaused = false
    private static let maxWaitingBytes = 16 * 1024
    private var inputEnded = false
    /// Between the 220 to STARTTLS and the TLS handler taking over, plaintext is thrown away (RFC 3207 §4.2).
    private var switchingToTLS = false
    private var closing = false
    /// The greeting has been sent. Until then, input means the client spoke first (RFC 2920, Postfix 3.9).
    private var greetingSent = false
    /// Says, before the greeting, whether input is already waiting (stdin's poll); nil where only a read can tell.
    private let inputWaiting: (@Sendable () -> Bool)?
    /// This connection's number, as the log and a watching app name it.
    private let connection: Int
    private let peerLabel: String
    /// What is being reported to the observer: the pieces one read was made of (lines, BDAT octets), each with the
    /// index in the engine's outputs where its own outputs end, and the outputs of the first one as actually sent
    /// (a message's 250 only once stored, 451 when storing failed, delayed replies when they left).
    struct Observation {
        struct Piece {
            var line: String?
            var wasInData = false
            var envelopeOpen = false
            var pipelined = false
            var end: Int
        }
        var pieces: [Piece]
        var sent: [SessionOutput] = []

        /// One piece with no client line: the greeting, the idle timeout, the end of input.
        static func serverOnly(_ outputs: ArraySlice<SessionOutput>) -> Observation {
            Observation(pieces: [Piece(end: outputs.endIndex)])
        }

        /// Reports every piece whose outputs all come before `index`.
        mutating func report(upTo index: Int, to observer: (@Sendable (LiveEvent) -> Void)?, connection: Int) {
            while let first = pieces.first, first.end <= index {
                observer?(.exchange(connection: connection, line: first.line, wasInData: first.wasInData,
                                    envelopeOpen: first.envelopeOpen, pipelined: first.pipelined, outputs: sent))
                sent = []
                pieces.removeFirst()
            }
        }
    }

    init(configuration: SMTPServerConfiguration, state: ServerState, peer: String, peerAddress: String,
         peerLabel: String? = nil, inputWaiting: (@Sendable () -> Bool)? = nil) {
        self.inputWaiting = inputWaiting
        self.configuration = configuration
        self.state = state
        state.connectionsSoFar += 1
        connection = state.connectionsSoFar
        self.peerLabel = peerLabel ?? peerAddress
        session = makeServeSession(configuration: configuration, connection: state.connectionsSoFar, peer: peer,
                                   peerAddress: peerAddress, tls: configuration.tlsContext != nil)
        logger = configuration.logger
        logger[metadataKey: "peer"] = "\(peerAddress)"
        logger[metadataKey: "conn"] = "\(state.connectionsSoFar)"
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelActive(context: ChannelHandlerContext) {
        logger.info("connect")
        configuration.observer?(.opened(connection: connection, peer: peerLabel))
        context.fireChannelActive()
        // Postfix 3.9 looks for input before it sends its banner: a client that talks first is not waiting for
        // anything. Where a poll can tell (stdin), it is asked; otherwise the greeting goes out on the event loop's
        // next turn, after any read already possible, and a read that comes first is the client speaking first.
        // (Input sent later but before the greeting arrives cannot be told apart: that slips through, as there.)
        if inputWaiting?() == true { return }
        context.eventLoop.execute { self.greet(early: []) }
    }

    /// The greeting, or, when the client spoke first, 554 5.5.0 instead of it.
    private func greet(early: [UInt8]) {
        guard !greetingSent, !closing else { return }
        greetingSent = true
        session.now = wallClockTick()
        session.store.greylist = state.greylist
        if !early.isEmpty {
            logger.notice("input before the greeting", metadata: ["input": "\(String(decoding: early.prefix(80), as: UTF8.self))"])
        }
        let greeting = session.start(clientSpokeFirst: early)[...]
        emit(greeting, observed: configuration.observer == nil ? nil : .serverOnly(greeting))
    }

    func channelInactive(context: ChannelHandlerContext) {
        logger.info("disconnect")
        configuration.observer?(.closed(connection: connection))
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        if switchingToTLS || closing { return }
        if !greetingSent { return greet(early: Array(buffer.readableBytesView)) }
        if storing {
            waitingInput.append(buffer)
            waitingBytes += buffer.readableBytes
            if waitingBytes > Self.maxWaitingBytes, !readPaused {
                readPaused = true
                context.channel.setOption(ChannelOptions.autoRead, value: false).whenComplete { _ in }
            }
            return
        }
        feed(buffer)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            guard !storing, !closing else { return }
            // Postfix's words after smtpd_timeout (300 s by default), then the connection closes.
            logger.notice("idle timeout")
            let timeout: ArraySlice<SessionOutput> = [.reply(Reply(421, EnhancedStatusCode(4, 4, 2), "\(session.world.serverName) Error: timeout exceeded"),
                                                             cause: .serverInitiated), .closed]
            emit(timeout, observed: configuration.observer == nil ? nil : .serverOnly(timeout))
            return
        }
        if let input = event as? ChannelEvent, input == .inputClosed {
            if !greetingSent { greet(early: []) }
            inputEnded = true
            if !storing { finishInput() }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        logger.warning("connection error", metadata: ["error": "\(error)"])
        closing = true
        context.close(promise: nil)
    }

    // MARK: -

    private func feed(_ buffer: ByteBuffer) {
        session.now = wallClockTick()
        session.store.greylist = state.greylist
        if configuration.observer != nil { feedObserved(buffer); return }
        // The whole buffer in one call: the engine frames lines and sees what the client pipelined together.
        let outputs = buffer.withUnsafeReadableBytes { raw in raw.withMemoryRebound(to: UInt8.self) { session.receive($0) } }
        state.greylist = session.store.greylist
        emit(outputs[...], observed: nil)
    }

    /// With an app watching: the same whole buffer to the engine (so nothing it answers can change), which also
    /// says which outputs each line drew; each line is then reported with them, as they are sent.
    private func feedObserved(_ buffer: ByteBuffer) {
        let (outputs, pieces) = buffer.withUnsafeReadableBytes { raw in
            raw.withMemoryRebound(to: UInt8.self) { session.receiveReporting($0) }
        }
        state.greylist = session.store.greylist
        let reported = pieces.enumerated().map { n, piece -> Observation.Piece in
            let text: String
            var inData = piece.phaseBefore == .data
            switch piece.content {
            case .line(let bytes): text = String(decoding: bytes.prefix(2_000), as: UTF8.self)
            case .chunkData(let octets): text = "(\(octets) octets of BDAT chunk data)"; inData = true
            }
            // A line behind another in the same read was sent without waiting for a reply: pipelining.
            return Observation.Piece(line: text, wasInData: inData, envelopeOpen: piece.phaseBefore == .mail || piece.phaseBefore == .rcpt,
                                     pipelined: n > 0, end: piece.outputs.upperBound)
        }
        emit(outputs[...], observed: Observation(pieces: reported))
    }

    private func finishInput() {
        guard !closing else { return }
        let end = session.endOfInput()[...]
        emit(end, observed: configuration.observer == nil ? nil : .serverOnly(end))
        if !closing { closing = true; context?.close(promise: nil) }
    }

    /// Sends the engine's outputs in order. A message reply waits for storage: the engine says "250 queued"
    /// and hands over the message right after; here the 250 is only sent once the Maildir rename succeeded,
    /// and replaced by 451 4.3.0 when it failed. Replies to commands pipelined behind the message are held
    /// until then, so the client sees them in order. (Withholding the engine's reply here keeps the engine pure
    /// and synchronous; the engine need not know storage can fail.)
    private func emit(_ outputs: ArraySlice<SessionOutput>, observed: Observation?) {
        var observed = observed
        guard let context else { return }
        var out = context.channel.allocator.buffer(capacity: 256)
        var index = outputs.startIndex
        while index < outputs.endIndex {
            observed?.report(upTo: index, to: configuration.observer, connection: connection)
            let output = outputs[index]
            index += 1
            switch output {
            case .reply(let reply, let cause):
                if cause == .messageEnd, reply.code == 250, index < outputs.endIndex,
                   case .delivered(let message) = outputs[index], let maildir = configuration.maildir {
                    flush(&out)
                    store(message, in: maildir, reply: reply, then: outputs[(index + 1)...], observed: observed)
                    return
                }
                if reply.delayTicks > 0 {
                    // Past the soft error limit Postfix sleeps before each reply (smtpd_error_sleep_time): so do we,
                    // in real time, with what the client pipelined behind it waiting.
                    flush(&out)
                    hold(output, ticks: reply.delayTicks, then: outputs[index...], observed: observed)
                    return
                }
                observed?.sent.append(output)
                if reply.code >= 400 { logger.info("reply", metadata: ["reply": "\(reply.wireLines.last ?? "")"]) }
                else { logger.debug("reply", metadata: ["reply": "\(reply.wireLines.last ?? "")"]) }
                out.writeString(reply.wire)
            case .delivered(let message):
                observed?.sent.append(output)
                logger.info("accepted (not stored: no --maildir)", metadata: ["id": "\(message.id)", "size": "\(message.size)"])
            case .authenticated(let user):
                observed?.sent.append(output)
                logger.info("authenticated", metadata: ["user": "\(user)"])
            case .tlsStarted:
                observed?.sent.append(output)
                startTLS(after: &out)
            case .closed:
                observed?.sent.append(output)
                observed?.report(upTo: .max, to: configuration.observer, connection: connection)
                closing = true
                let promise = context.eventLoop.makePromise(of: Void.self)
                context.writeAndFlush(wrapOutboundOut(out), promise: promise)
                out = context.channel.allocator.buffer(capacity: 0)
                promise.futureResult.whenComplete { _ in self.context?.close(promise: nil) }
                return
            }
        }
        flush(&out)
        observed?.report(upTo: outputs.endIndex, to: configuration.observer, connection: connection)
    }

    private func flush(_ out: inout ByteBuffer) {
        guard let context, out.readableBytes > 0 else { return }
        context.writeAndFlush(wrapOutboundOut(out), promise: nil)
        out = context.channel.allocator.buffer(capacity: 0)
    }

    private func store(_ message: StoredMessage, in maildir: Maildir, reply: Reply, then rest: ArraySlice<SessionOutput>,
                       observed before: Observation?) {
        guard let context else { return }
        storing = true
        // Reading goes on while the message is stored (what arrives waits in `waitingInput`); only a client that
        // sends a lot meanwhile is paused (channelRead), so the usual case costs no epoll changes per message.
        // Written and made durable together with every other delivery queued meanwhile (group commit), on the
        // storage pool; a thread is woken only when the Maildir's writer or committer is idle. (Work submitted
        // while the pool shuts down still runs: the promise must be completed either way.)
        let promise = context.eventLoop.makePromise(of: [String].self)
        let pool = configuration.threadPool
        maildir.deliver(message, run: { work in pool.submit { _ in work() } }) { promise.completeWith($0) }
        promise.futureResult
            .whenComplete { result in
                guard let context = self.context else { return }
                var observed = before
                var out = context.channel.allocator.buffer(capacity: 64)
                switch result {
                case .success(let paths):
                    self.logger.info("delivered", metadata: ["id": "\(message.id)", "size": "\(message.size)",
                                                             "to": "\(message.recipients.joined(separator: ","))",
                                                             "files": "\(paths.count)"])
                    out.writeString(reply.wire)
                    observed?.sent += [.reply(reply, cause: .messageEnd), .delivered(message)]
                case .failure(let error):
                    // Postfix's reply when its queue file cannot be written; the client keeps the message and retries.
                    self.logger.error("storage failed", metadata: ["id": "\(message.id)", "error": "\(error)"])
                    let failed = Reply(451, EnhancedStatusCode(4, 3, 0), "Error: queue file write error")
                    out.writeString(failed.wire)
                    observed?.sent.append(.reply(failed, cause: .messageEnd))
                }
                // One write for the reply and whatever follows it in the same batch of outputs.
                context.write(self.wrapOutboundOut(out), promise: nil)
                self.storing = false
                self.emit(rest, observed: observed)
                self.context?.flush()
                self.drainWaitingInput()
            }
    }

    /// Sends `output` (a reply) after `ticks` of real time, then the rest; input waits meanwhile, as during storage.
    private func hold(_ output: SessionOutput, ticks: Int, then rest: ArraySlice<SessionOutput>, observed before: Observation?) {
        guard let context, case .reply(let reply, _) = output else { return }
        storing = true
        let delay = TimeAmount.milliseconds(Int64(ticks) * 1_000 / Int64(SimulatedTime.ticksPerSecond))
        context.eventLoop.scheduleTask(in: delay) {
            guard let context = self.context else { return }
            var observed = before
            var out = context.channel.allocator.buffer(capacity: 128)
            out.writeString(reply.wire)
            observed?.sent.append(output)
            context.writeAndFlush(self.wrapOutboundOut(out), promise: nil)
            self.storing = false
            self.emit(rest, observed: observed)
            self.drainWaitingInput()
        }
    }

    private func drainWaitingInput() {
        while !storing, !closing, !waitingInput.isEmpty {
            let next = waitingInput.removeFirst()
            waitingBytes -= next.readableBytes
            if switchingToTLS { continue }
            feed(next)
        }
        guard !storing, !closing else { return }
        if inputEnded { finishInput(); return }
        if readPaused {
            readPaused = false
            context?.channel.setOption(ChannelOptions.autoRead, value: true).whenComplete { _ in }
        }
    }

    private func startTLS(after out: inout ByteBuffer) {
        guard let context, let tls = configuration.tlsContext else { return }
        switchingToTLS = true
        waitingInput.removeAll(); waitingBytes = 0   // plaintext sent behind STARTTLS is dropped, as the engine drops its own
        let promise = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(out), promise: promise)
        out = context.channel.allocator.buffer(capacity: 0)
        promise.futureResult.whenComplete { result in
            guard let context = self.context, case .success = result else { return }
            do {
                // The 220 has left in plaintext; from the next byte on, the client speaks TLS.
                try context.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls), position: .first)
                self.switchingToTLS = false
                self.logger.info("starttls")
            } catch {
                self.logger.error("cannot start TLS", metadata: ["error": "\(error)"])
                self.closing = true
                context.close(promise: nil)
            }
        }
    }
}

/// Answers a connection over the cap and closes it (Postfix's anvil words for a client over its limit).
final class TooManyConnectionsHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let serverName: String
    init(serverName: String) { self.serverName = serverName }

    func channelActive(context: ChannelHandlerContext) {
        var out = context.channel.allocator.buffer(capacity: 80)
        out.writeString(Reply(421, EnhancedStatusCode(4, 7, 0), "\(serverName) Error: too many connections").wire)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(out)).whenComplete { _ in channel.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
}
