// One SMTP connection on a NIO channel (TCP socket or stdin/stdout): whole buffers go to the pure engine, its
// replies go back, and the network side does what the engine cannot: real STARTTLS, storage, time and limits.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import NIOSSL
import NIOTLS
import Logging
import SMTPCore
import Synchronization

/// What every connection of one server shares, across its event loops.
final class ServerState: Sendable {
    private struct Shared {
        var active = 0
        var perClient: [String: Int] = [:]
        var connectionsSoFar = 0
        /// Greylisting memory shared by all connections, so a retry on a new connection is recognised.
        var greylist: [String: Int] = [:]
    }
    private let shared = Mutex(Shared())
    /// Bumped whenever the greylist gains an entry, so a connection copies it only when it changed.
    private let greylistVersion = Atomic<Int>(0)

    enum Admission { case admitted(connection: Int), tooMany, tooManyFromClient }

    /// Counts a new connection from `address` in, unless the server or that client is at its limit.
    func admit(_ address: String, limit: Int, perClient: Int) -> Admission {
        shared.withLock { state in
            guard state.active < limit else { return .tooMany }
            guard state.perClient[address, default: 0] < perClient else { return .tooManyFromClient }
            state.active += 1
            state.perClient[address, default: 0] += 1
            state.connectionsSoFar += 1
            return .admitted(connection: state.connectionsSoFar)
        }
    }

    /// A connection admitted from `address` is gone.
    func release(_ address: String) {
        shared.withLock { state in
            state.active -= 1
            let left = state.perClient[address, default: 1] - 1
            state.perClient[address] = left > 0 ? left : nil
        }
    }

    /// The greylist as it is now, when it changed since `version`.
    func greylist(ifNewerThan version: Int) -> (greylist: [String: Int], version: Int)? {
        guard greylistVersion.load(ordering: .acquiring) != version else { return nil }
        return shared.withLock { ($0.greylist, greylistVersion.load(ordering: .relaxed)) }
    }

    /// Adds what a session learnt (first attempts it refused); the earliest attempt of a pair wins.
    func mergeGreylist(_ seen: [String: Int]) {
        shared.withLock { state in
            state.greylist.merge(seen) { Swift.min($0, $1) }
            greylistVersion.add(1, ordering: .releasing)
        }
    }
}

/// The wall clock as the engine's ticks: 60 per second since SimulatedTime's epoch, so Date: and Received: carry
/// the real date (SMTPCore never reads a clock; this is the caller setting `now`).
public func wallClockTick() -> Int {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    let seconds = Int(ts.tv_sec) - SimulatedTime.epochSeconds
    return seconds * SimulatedTime.ticksPerSecond + Int(ts.tv_nsec) / (1_000_000_000 / SimulatedTime.ticksPerSecond)
}

/// Read once: a system call per connection for a number that never changes.
private let processID = getpid()

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
        ^ (UInt64(truncatingIfNeeded: processID) << 40) ^ (UInt64(truncatingIfNeeded: connection) &* 0x9E37_79B9)
    var session = ServerSession(world: world, profile: configuration.profile, seed: seed)
    session.storesMessages = false       // the Maildir is the store; memory stays flat however long we run
    session.tlsAvailable = tls
    session.forbidsSmuggling = true
    session.directedFailures = configuration.directedFailures.failures
    return session
}

final class SMTPChannelHandler: ChannelDuplexHandler, @unchecked Sendable {
    // @unchecked: every method and every future callback below runs on the channel's event loop
    // (`runIfActive(eventLoop:)` completes there), so the mutable state is never shared between threads.
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// The largest read (see the listener's recvAllocator): with the worst reply per octet of input, what one read
    /// can make the server queue stays under about 1 MiB.
    static let maxReadSize = 32 * 1024
    /// Input kept aside (while a message is stored or replies wait to be read) before reading stops.
    private static let maxWaitingBytes = 16 * 1024

    private var session: ServerSession
    private let configuration: SMTPServerConfiguration
    private let state: ServerState
    private let logger: Logger
    private var context: ChannelHandlerContext?
    /// A message is being stored, or a reply held back: its reply, and everything the client pipelined behind it,
    /// wait.
    private var storing = false
    private var waitingInput = CircularBuffer<ByteBuffer>()
    private var waitingBytes = 0
    /// NIO asked to read and was told to wait (`read(context:)`): the gate is closed.
    private var readWithheld = false
    private var inputEnded = false
    /// Between the 220 to STARTTLS and the TLS handler taking over, plaintext is thrown away (RFC 3207 §4.2).
    private var switchingToTLS = false
    private var closing = false
    /// The greeting has been sent. Until then, input means the client spoke first (RFC 2920, Postfix 3.9).
    private var greetingSent = false
    /// Says, before the greeting, whether input is already waiting (stdin's poll); nil where only a read can tell.
    private let inputWaiting: (@Sendable () -> Bool)?
    /// The replies being gathered for one write; kept between writes so its storage is reused.
    private var out: ByteBuffer
    /// When the client last sent something; the idle timer measures from here.
    private var lastInput = NIODeadline.now()
    private var idleTimer: Scheduled<Void>?
    private var handshakeTimer: Scheduled<Void>?
    private let idleTimeout: TimeAmount
    /// The greylist version this session's copy comes from (ServerState).
    private var greylistVersion = -1
    /// This connection's number, as the log and a watching app name it.
    private let connection: Int
    private let peerAddress: String
    private let peerLabel: String
    /// The client address counted in ServerState's limits (nil for stdin/stdout), released when the handler goes.
    private var admittedAddress: String?

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

    init(configuration: SMTPServerConfiguration, state: ServerState, connection: Int, peer: String, peerAddress: String,
         peerLabel: String? = nil, admittedAddress: String? = nil, inputWaiting: (@Sendable () -> Bool)? = nil) {
        self.inputWaiting = inputWaiting
        self.configuration = configuration
        self.state = state
        self.connection = connection
        self.peerAddress = peerAddress
        self.peerLabel = peerLabel ?? peerAddress
        self.admittedAddress = admittedAddress
        session = makeServeSession(configuration: configuration, connection: connection, peer: peer,
                                   peerAddress: peerAddress, tls: configuration.tlsContext != nil)
        // The peer and connection go into each log call's metadata, built only when that level is logged
        // (a logger's own metadata would be formatted again on every connection).
        logger = configuration.logger
        idleTimeout = .nanoseconds(Int64(configuration.idleTimeout * 1e9))
        out = ByteBufferAllocator().buffer(capacity: 0)
    }

    private var metadata: Logger.Metadata { ["peer": "\(peerAddress)", "conn": "\(connection)"] }

    private func metadata(_ extra: Logger.Metadata) -> Logger.Metadata { metadata.merging(extra) { $1 } }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        out = context.channel.allocator.buffer(capacity: 256)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        idleTimer?.cancel(); idleTimer = nil
        handshakeTimer?.cancel(); handshakeTimer = nil
        if let address = admittedAddress { state.release(address); admittedAddress = nil }
    }

    func channelActive(context: ChannelHandlerContext) {
        logger.info("connect", metadata: metadata)
        configuration.observer?(.opened(connection: connection, peer: peerLabel))
        lastInput = .now()
        scheduleIdleCheck(at: lastInput + idleTimeout)
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
        if !early.isEmpty {
            logger.notice("input before the greeting", metadata: metadata(["input": "\(String(decoding: early.prefix(80), as: UTF8.self))"]))
        }
        let greeting = session.start(clientSpokeFirst: early)[...]
        emit(greeting, observed: configuration.observer == nil ? nil : .serverOnly(greeting))
    }

    func channelInactive(context: ChannelHandlerContext) {
        logger.info("disconnect", metadata: metadata)
        configuration.observer?(.closed(connection: connection))
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if switchingToTLS || closing { return }
        let buffer = unwrapInboundIn(data)
        lastInput = .now()
        if !greetingSent { return greet(early: Array(buffer.readableBytesView)) }
        // Input waits while a message is stored, while earlier input waits, and while the client leaves its
        // replies unread (the channel is not writable): answering it then would only pile up replies here.
        if storing || !waitingInput.isEmpty || !context.channel.isWritable {
            waitingInput.append(buffer)
            waitingBytes += buffer.readableBytes
            return
        }
        feed(buffer)
    }

    /// The read gate: NIO asks before each read. Reading stops while the client does not read its replies
    /// (backpressure: nothing more is taken in than can be answered) or while much input waits, and after the
    /// session decided to close; `resumeReading` opens the gate again.
    func read(context: ChannelHandlerContext) {
        if closing || waitingBytes > Self.maxWaitingBytes || !context.channel.isWritable {
            readWithheld = true
            return
        }
        context.read()
    }

    private func resumeReading() {
        guard readWithheld, let context, !closing, waitingBytes <= Self.maxWaitingBytes, context.channel.isWritable else { return }
        readWithheld = false
        context.read()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        // The client read enough of its replies: go on with what it sent meanwhile, then read again.
        if context.channel.isWritable { drainWaitingInput() }
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let input = event as? ChannelEvent, input == .inputClosed {
            if !greetingSent { greet(early: []) }
            inputEnded = true
            if !storing && waitingInput.isEmpty { finishInput() }
            return
        }
        if let tls = event as? TLSUserEvent, case .handshakeCompleted = tls {
            handshakeTimer?.cancel(); handshakeTimer = nil
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // A client that hangs up without waiting (a reset after QUIT, TLS closed without close_notify) is
        // ordinary; anything else is worth a warning.
        if Self.isOrdinaryHangUp(error) {
            logger.info("connection ended by the client", metadata: metadata(["error": "\(error)"]))
        } else {
            logger.warning("connection error", metadata: metadata(["error": "\(error)"]))
        }
        closing = true
        context.close(promise: nil)
    }

    static func isOrdinaryHangUp(_ error: Error) -> Bool {
        if let io = error as? IOError { return io.errnoCode == ECONNRESET || io.errnoCode == EPIPE }
        if let tls = error as? NIOSSLError, case .uncleanShutdown = tls { return true }
        if let channel = error as? ChannelError { return channel == .eof || channel == .ioOnClosedChannel }
        return false
    }

    // MARK: - Time limits

    /// One timer per connection, moved on lazily: each read only notes the time, and the timer, when it fires
    /// early, sets itself again for what is left.
    private func scheduleIdleCheck(at deadline: NIODeadline) {
        guard let context else { return }
        idleTimer = context.eventLoop.scheduleTask(deadline: deadline) { self.idleCheck() }
    }

    private func idleCheck() {
        guard let context, context.channel.isActive else { return }
        let due = lastInput + idleTimeout
        let now = NIODeadline.now()
        if storing || now < due {
            scheduleIdleCheck(at: storing ? now + idleTimeout : due)
            return
        }
        if closing || !context.channel.isWritable {
            // Its replies (the last one, or a backlog) have not been read for the whole timeout: as Postfix's
            // smtpd_timeout does for a write, give up without a further reply, which could not be delivered.
            logger.notice("idle timeout: the client does not read its replies", metadata: metadata)
            closing = true
            context.close(promise: nil)
            return
        }
        // Postfix's words after smtpd_timeout (300 s by default), then the connection closes.
        logger.notice("idle timeout", metadata: metadata)
        let timeout: ArraySlice<SessionOutput> = [.reply(Reply(421, EnhancedStatusCode(4, 4, 2), "\(session.world.serverName) Error: timeout exceeded"),
                                                         cause: .serverInitiated), .closed]
        emit(timeout, observed: configuration.observer == nil ? nil : .serverOnly(timeout))
        // Should the 421 itself never be read, the next check closes the connection.
        lastInput = now
        scheduleIdleCheck(at: now + idleTimeout)
    }

    // MARK: -

    private func feed(_ buffer: ByteBuffer) {
        session.now = wallClockTick()
        if let fresh = state.greylist(ifNewerThan: greylistVersion) {
            session.store.greylist = fresh.greylist
            greylistVersion = fresh.version
        }
        let known = session.store.greylist.count
        if configuration.observer != nil { feedObserved(buffer, greylisted: known); return }
        // The whole buffer in one call: the engine frames lines and sees what the client pipelined together.
        let outputs = buffer.withUnsafeReadableBytes { raw in raw.withMemoryRebound(to: UInt8.self) { session.receive($0) } }
        if session.store.greylist.count != known { state.mergeGreylist(session.store.greylist) }
        emit(outputs[...], observed: nil)
    }

    /// With an app watching: the same whole buffer to the engine (so nothing it answers can change), which also
    /// says which outputs each line drew; each line is then reported with them, as they are sent.
    private func feedObserved(_ buffer: ByteBuffer, greylisted known: Int) {
        let (outputs, pieces) = buffer.withUnsafeReadableBytes { raw in
            raw.withMemoryRebound(to: UInt8.self) { session.receiveReporting($0) }
        }
        if session.store.greylist.count != known { state.mergeGreylist(session.store.greylist) }
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
        var index = outputs.startIndex
        while index < outputs.endIndex {
            observed?.report(upTo: index, to: configuration.observer, connection: connection)
            let output = outputs[index]
            index += 1
            switch output {
            case .reply(let reply, let cause):
                if cause == .messageEnd, reply.code == 250, index < outputs.endIndex,
                   case .delivered(let message) = outputs[index], let maildir = configuration.maildir {
                    flush()
                    store(message, in: maildir, reply: reply, then: outputs[(index + 1)...], observed: observed)
                    return
                }
                if reply.delayTicks > 0 {
                    // Past the soft error limit Postfix sleeps before each reply (smtpd_error_sleep_time): so do we,
                    // in real time, with what the client pipelined behind it waiting.
                    flush()
                    hold(output, ticks: reply.delayTicks, then: outputs[index...], observed: observed)
                    return
                }
                observed?.sent.append(output)
                if reply.code >= 400 { logger.info("reply", metadata: metadata(["reply": "\(reply.wireLines.last ?? "")"])) }
                else { logger.debug("reply", metadata: metadata(["reply": "\(reply.wireLines.last ?? "")"])) }
                out.writeReply(reply)
            case .delivered(let message):
                observed?.sent.append(output)
                logger.info("accepted (not stored: no --maildir)", metadata: metadata(["id": "\(message.id)", "size": "\(message.size)"]))
            case .authenticated(let user):
                observed?.sent.append(output)
                logger.info("authenticated", metadata: metadata(["user": "\(user)"]))
            case .tlsStarted:
                observed?.sent.append(output)
                startTLS()
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
        flush()
        observed?.report(upTo: outputs.endIndex, to: configuration.observer, connection: connection)
    }

    /// Writes what `out` holds. Its storage is reused for the next replies once the socket took these (the usual
    /// case); while they are still queued, `clear` gives `out` fresh storage instead.
    private func flush() {
        guard let context, out.readableBytes > 0 else { return }
        context.writeAndFlush(wrapOutboundOut(out), promise: nil)
        out.clear()
    }

    private func store(_ message: StoredMessage, in maildir: Maildir, reply: Reply, then rest: ArraySlice<SessionOutput>,
                       observed before: Observation?) {
        guard let context else { return }
        storing = true
        // Reading goes on while the message is stored (what arrives waits in `waitingInput`); only a client that
        // sends a lot meanwhile is paused (the read gate), so the usual case costs no epoll changes per message.
        // Written and made durable together with every other delivery queued meanwhile (group commit), on the
        // storage pool; a thread is woken only when the Maildir's writer or committer is idle. (Work submitted
        // while the pool shuts down still runs: the promise must be completed either way.)
        let loop = context.eventLoop
        let pool = configuration.threadPool
        maildir.deliver(message, run: { work in pool.submit { _ in work() } }) { result in
            // Back on the connection's event loop (no future: one less allocation and hop per message).
            loop.execute {
                guard self.context != nil else { return }
                var observed = before
                switch result {
                case .success(let paths):
                    self.logger.info("delivered", metadata: self.metadata(["id": "\(message.id)", "size": "\(message.size)",
                                                                           "to": "\(message.recipients.joined(separator: ","))",
                                                                           "files": "\(paths.count)"]))
                    self.out.writeReply(reply)
                    observed?.sent += [.reply(reply, cause: .messageEnd), .delivered(message)]
                case .failure(let error):
                    // Postfix's reply when its queue file cannot be written; the client keeps the message and retries.
                    self.logger.error("storage failed", metadata: self.metadata(["id": "\(message.id)", "error": "\(error)"]))
                    let failed = Reply(451, EnhancedStatusCode(4, 3, 0), "Error: queue file write error")
                    self.out.writeReply(failed)
                    observed?.sent.append(.reply(failed, cause: .messageEnd))
                }
                // One write for the reply and whatever follows it in the same batch of outputs.
                self.storing = false
                self.emit(rest, observed: observed)
                self.drainWaitingInput()
            }
        }
    }

    /// Sends `output` (a reply) after `ticks` of real time, then the rest; input waits meanwhile, as during storage.
    private func hold(_ output: SessionOutput, ticks: Int, then rest: ArraySlice<SessionOutput>, observed before: Observation?) {
        guard let context, case .reply(let reply, _) = output else { return }
        storing = true
        let delay = TimeAmount.milliseconds(Int64(ticks) * 1_000 / Int64(SimulatedTime.ticksPerSecond))
        context.eventLoop.scheduleTask(in: delay) {
            guard self.context != nil else { return }
            var observed = before
            self.out.writeReply(reply)
            observed?.sent.append(output)
            self.storing = false
            self.emit(rest, observed: observed)
            self.drainWaitingInput()
        }
    }

    /// Feeds what waited, as long as nothing holds it (storage, a held reply, unread replies), then reads again.
    private func drainWaitingInput() {
        while !storing, !closing, let context, context.channel.isWritable, let next = waitingInput.popFirst() {
            waitingBytes -= next.readableBytes
            if switchingToTLS { continue }
            feed(next)
        }
        guard !storing, !closing else { return }
        if waitingInput.isEmpty && inputEnded { finishInput(); return }
        resumeReading()
    }

    private func startTLS() {
        guard let context, let tls = configuration.tlsContext else { return }
        switchingToTLS = true
        waitingInput.removeAll(); waitingBytes = 0   // plaintext sent behind STARTTLS is dropped, as the engine drops its own
        let promise = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(out), promise: promise)
        out = context.channel.allocator.buffer(capacity: 64)
        // A client that never completes the handshake (silent after the 220, or a ClientHello cut short) would
        // hold its connection for the whole idle timeout; the handshake gets a shorter limit of its own.
        let limit = TimeAmount.nanoseconds(Int64(configuration.tlsHandshakeTimeout * 1e9))
        handshakeTimer = context.eventLoop.scheduleTask(in: limit) {
            guard let context = self.context, context.channel.isActive else { return }
            self.logger.notice("TLS handshake timeout", metadata: self.metadata)
            self.closing = true
            context.close(promise: nil)
        }
        promise.futureResult.whenComplete { result in
            guard let context = self.context, case .success = result else { return }
            do {
                // The 220 has left in plaintext; from the next byte on, the client speaks TLS.
                try context.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls), position: .first)
                self.switchingToTLS = false
                self.logger.info("starttls", metadata: self.metadata)
            } catch {
                self.logger.error("cannot start TLS", metadata: self.metadata(["error": "\(error)"]))
                self.closing = true
                context.close(promise: nil)
            }
        }
    }
}

/// Answers a connection that cannot be served (the server or its client is at its limit) and closes it.
final class RefusingHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let reply: Reply
    init(reply: Reply) { self.reply = reply }

    func channelActive(context: ChannelHandlerContext) {
        var out = context.channel.allocator.buffer(capacity: 96)
        out.writeReply(reply)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(out)).whenComplete { _ in channel.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    func errorCaught(context: ChannelHandlerContext, error: Error) { context.close(promise: nil) }
}

extension ByteBuffer {
    /// The reply's octets as `Reply.wire` has them (code, "-" or " ", the enhanced code, the text, CRLF per line),
    /// each line written in place in one go: no string per line or per reply on the way (building `wire` was a
    /// tenth of the listener's instructions per message).
    mutating func writeReply(_ reply: Reply) {
        let last = reply.lines.count - 1
        for (index, line) in reply.lines.enumerated() {
            var text = line
            text.withUTF8 { utf8 in
                // Code, separator, enhanced code of at most 1+1+3+1+3 digits and dots, a space, CRLF: under 24.
                writeWithUnsafeMutableBytes(minimumWritableBytes: utf8.count + 24) { raw in
                    var at = 0
                    func put(_ byte: UInt8) { raw[at] = byte; at += 1 }
                    func decimal(_ value: Int) {
                        let n = Swift.max(0, value)
                        if n >= 100 { put(UInt8(ascii: "0") + UInt8(n / 100 % 10)) }
                        if n >= 10 { put(UInt8(ascii: "0") + UInt8(n / 10 % 10)) }
                        put(UInt8(ascii: "0") + UInt8(n % 10))
                    }
                    decimal(reply.code)
                    put(index == last ? UInt8(ascii: " ") : UInt8(ascii: "-"))
                    if let enhanced = reply.enhanced {
                        decimal(enhanced.klass); put(UInt8(ascii: "."))
                        decimal(enhanced.subject); put(UInt8(ascii: "."))
                        decimal(enhanced.detail); put(UInt8(ascii: " "))
                    }
                    if let base = utf8.baseAddress, utf8.count > 0 {
                        (raw.baseAddress! + at).copyMemory(from: base, byteCount: utf8.count)
                        at += utf8.count
                    }
                    put(0x0D); put(0x0A)
                    return at
                }
            }
        }
    }
}
