// The tick-driven simulation around one client and the server: it runs the engine at once (so its state is
// exact), then lets each reply become visible only after its travel time, and describes every movement as a
// flow event with start and end ticks. The UI animates those events without knowing SMTP; tests advance ticks by
// hand. Same inputs and ticks give the same events: nothing here reads a clock or a random source.

public enum FlowNode: String, Sendable, Equatable {
    case sender, server, recipient
}

public enum FlowKind: Sendable, Equatable {
    /// The client writes its next command (drawn at the sender).
    case composing
    /// The TCP connection being opened.
    case connecting
    /// A command (its verb, or "." for the end of a message) travelling sender → server.
    case command(String)
    /// The server working on it.
    case processing
    /// A reply code travelling server → sender.
    case reply(Int)
    /// A refusal of a recipient or message travelling back to the sender.
    case bounce(Int)
    /// The (simulated) TLS handshake after 220 Ready to start TLS.
    case tlsHandshake
    /// An accepted message travelling server → recipient's mailbox.
    case delivery(messageID: String)
}

public struct FlowEvent: Sendable, Equatable, Identifiable {
    public let id: Int
    public let kind: FlowKind
    public let from: FlowNode
    public let to: FlowNode
    public let start: Int
    public let end: Int

    /// 0...1 while the event is under way at `tick`, nil before it starts or after it ends.
    public func progress(at tick: Int) -> Double? {
        guard tick >= start, tick < end else { return nil }
        return end == start ? 1 : Double(tick - start) / Double(end - start)
    }
}

/// Travel times in ticks (60 ticks = 1 s).
public struct Latency: Sendable, Equatable {
    public var composing = 6
    public var transit = 24
    public var processing = 12
    public var delivery = 45
    public var tlsHandshake = 36
    /// The smallest gap between two pipelined commands leaving the client.
    public var pipelineGap = 4
    public init() {}
}

public struct Simulation: Sendable {
    public private(set) var tick = 0
    public private(set) var world: World
    public let profile: ServerProfile
    public private(set) var session: ServerSession?
    /// Mail that outlives a session: inboxes and greylisting memory.
    public private(set) var store = MailStore()
    /// Messages whose delivery animation has finished, in order: what the recipient's inbox shows.
    public private(set) var arrived: [StoredMessage] = []
    public private(set) var flows: [FlowEvent] = []
    public var latency = Latency()

    private var pending: [(visibleAt: Int, order: Int, output: SessionOutput)] = []
    private var nextFlowID = 0
    private var nextOrder = 0
    private var lastCommandLeft = Int.min
    private var lastReplyVisible = Int.min
    private let seed: UInt64

    public init(world: World = .standard, profile: ServerProfile = .submission, seed: UInt64 = 0x5EED) {
        self.world = world; self.profile = profile; self.seed = seed
    }

    public var isConnected: Bool { session.map { !$0.isClosed } ?? false }
    /// True while a reply is on its way or any flow event has not ended: the UI keeps ticking only then.
    public var isBusy: Bool { !pending.isEmpty || flows.contains { $0.end > tick } }
    /// The tick at which something next changes, or nil when idle.
    public var nextChangeTick: Int? {
        let ends = flows.map(\.end).filter { $0 > tick } + pending.map(\.visibleAt)
        return ends.min()
    }

    /// Opens a connection: the client connects and the server's greeting travels back.
    public mutating func connect() {
        if isConnected { return }
        var fresh = ServerSession(world: world, profile: profile, store: store, seed: seed &+ UInt64(tick))
        fresh.now = tick
        let start = max(tick, lastCommandLeft + latency.pipelineGap)
        addFlow(.connecting, from: .sender, to: .server, start: start, length: latency.transit)
        let replyAt = start + latency.transit + latency.processing
        schedule(fresh.start(), leavingServerAt: replyAt, isMessageEnd: false)
        session = fresh
        lastCommandLeft = start
    }

    /// Drops the connection from the client's side (like closing telnet).
    public mutating func disconnect() {
        guard var current = session else { return }
        _ = current.endOfInput()
        store = current.store
        session = nil
        pending.removeAll { if case .reply = $0.output { return true }; return false }
    }

    /// Sends one line as the client typed it (a command, an AUTH response or a body line).
    public mutating func send(_ line: String) {
        sendBytes(Array(line.utf8) + [0x0D, 0x0A], label: line)
    }

    /// Sends raw bytes (e.g. a paste), exactly as a client would write them to the socket.
    public mutating func sendBytes(_ bytes: [UInt8], label: String) {
        guard var current = session, !current.isClosed else { return }
        let wasInData = current.phase == .data
        current.now = tick
        let outputs = current.receive(bytes)
        store = current.store
        session = current
        // Body lines stream without replies; only the command that ends the message is animated.
        if outputs.isEmpty && wasInData { return }
        let verb: String
        if wasInData { verb = "." } else if case .reply(_, .command(let v))? = outputs.first.flatMap(Self.replyOf) {
            verb = v.isEmpty ? String(label.prefix(8)) : v
        } else { verb = label.split(separator: " ").first.map { String($0.prefix(8)).uppercased() } ?? "?" }
        let start = max(tick, lastCommandLeft + latency.pipelineGap)
        addFlow(.composing, from: .sender, to: .sender, start: start, length: latency.composing)
        let leave = start + latency.composing
        addFlow(.command(verb), from: .sender, to: .server, start: leave, length: latency.transit)
        addFlow(.processing, from: .server, to: .server, start: leave + latency.transit, length: latency.processing)
        lastCommandLeft = leave
        schedule(outputs, leavingServerAt: leave + latency.transit + latency.processing, isMessageEnd: wasInData)
    }

    /// Switches the world's scenario now, in the live session too.
    public mutating func setScenario(_ scenario: Scenario) {
        world.scenario = scenario
        session?.setScenario(scenario)
    }

    /// Forgets everything: sessions, mail, greylisting, animations. The clock keeps running.
    public mutating func reset() {
        let keepTick = tick
        self = Simulation(world: world, profile: profile, seed: seed)
        tick = keepTick
        lastCommandLeft = keepTick - latency.pipelineGap
    }

    /// Moves time forward; returns the outputs that became visible to the client, in order.
    public mutating func advance(by ticks: Int = 1) -> [SessionOutput] {
        tick += max(0, ticks)
        var visible: [SessionOutput] = []
        pending.sort { ($0.visibleAt, $0.order) < ($1.visibleAt, $1.order) }
        while let first = pending.first, first.visibleAt <= tick {
            pending.removeFirst()
            if case .delivered(let message) = first.output { arrived.append(message) }
            visible.append(first.output)
        }
        // Keep finished events a little while so a frame drawn late still sees them end; then drop them.
        flows.removeAll { $0.end < tick - 1 }
        return visible
    }

    // MARK: - Scheduling

    private static func replyOf(_ output: SessionOutput) -> SessionOutput? {
        if case .reply = output { return output }
        return nil
    }

    private mutating func schedule(_ outputs: [SessionOutput], leavingServerAt leave: Int, isMessageEnd: Bool) {
        var replyArrives = max(leave + latency.transit, lastReplyVisible)
        var cursor = leave
        for output in outputs {
            switch output {
            case .reply(let reply, let cause):
                let refusal = reply.code >= 500 && (isMessageEnd || cause == .command(verb: "RCPT") || cause == .messageEnd)
                let kind: FlowKind = refusal ? .bounce(reply.code) : .reply(reply.code)
                // A reply the server holds back (Postfix's error sleep past the soft limit) leaves that much later.
                replyArrives = max(cursor + reply.delayTicks + latency.transit, lastReplyVisible)
                addFlow(kind, from: .server, to: .sender, start: replyArrives - latency.transit, length: latency.transit)
                enqueue(output, at: replyArrives)
                lastReplyVisible = replyArrives
                cursor = replyArrives - latency.transit + 1
            case .tlsStarted:
                addFlow(.tlsHandshake, from: .sender, to: .server, start: replyArrives, length: latency.tlsHandshake)
                enqueue(output, at: replyArrives + latency.tlsHandshake)
                lastReplyVisible = replyArrives + latency.tlsHandshake
                lastCommandLeft = max(lastCommandLeft, lastReplyVisible - latency.pipelineGap)
            case .delivered(let message):
                addFlow(.delivery(messageID: message.id), from: .server, to: .recipient, start: replyArrives - latency.transit,
                        length: latency.delivery)
                enqueue(output, at: replyArrives - latency.transit + latency.delivery)
            case .authenticated, .closed:
                enqueue(output, at: replyArrives)
            }
        }
    }

    private mutating func enqueue(_ output: SessionOutput, at visibleAt: Int) {
        pending.append((visibleAt, nextOrder, output))
        nextOrder += 1
    }

    private mutating func addFlow(_ kind: FlowKind, from: FlowNode, to: FlowNode, start: Int, length: Int) {
        flows.append(FlowEvent(id: nextFlowID, kind: kind, from: from, to: to, start: start, end: start + length))
        nextFlowID += 1
    }
}
