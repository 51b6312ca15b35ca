// The tick-driven simulation of the whole journey: the learner's client talks to one server (normally the
// submission server smtp.example.com); a message it accepts waits in that server's queue, which looks up the
// recipient domain's MX in DNS and relays it over a second SMTP session (the same engine, the MX's policy) —
// delivered into a mailbox, deferred and retried, or bounced back to Alice as a delivery status notification.
//
// Every engine runs at once (so state is exact); what it produced becomes visible only after its travel time, as
// flow events with start and end ticks, stage and caption marks, and outputs released by `advance`. Same inputs and
// ticks give the same events: nothing here reads a clock or a random source.

/// The places in the diagram.
public enum FlowNode: String, Sendable, Equatable, CaseIterable {
    /// Alice's mail program (the learner types for it).
    case sender
    /// The submission server, smtp.example.com, port 587.
    case server
    /// The DNS resolver the server asks where a domain's mail goes.
    case dns
    /// The recipient domain's MX (port 25): mx.domain.com, or another domain's.
    case mx
    /// The recipient's mailbox, kept by the MX.
    case recipient
    /// Alice's own mailbox at smtp.example.com, where bounces land.
    case senderMailbox
}

public enum FlowKind: Sendable, Equatable {
    /// The client writes its next command (drawn at the sender).
    case composing
    /// A TCP connection being opened.
    case connecting
    /// A command (its verb) travelling client → server.
    case command(String)
    /// A server working on a command.
    case processing
    /// A reply code travelling server → client.
    case reply(Int)
    /// A refusal (5xx) of a recipient or message travelling back: a reply, not a message.
    case bounce(Int)
    /// The (simulated) TLS handshake after 220 Ready to start TLS.
    case tlsHandshake
    /// One line of the message on its way during DATA.
    case dataLine
    /// The e-mail itself travelling as one object (the final dot, or the relay's DATA): its queue id and subject.
    case message(id: String, label: String)
    /// A DNS question, e.g. "MX domain.com?".
    case dnsQuery(String)
    /// The DNS answer, e.g. "MX 10 mx.domain.com".
    case dnsAnswer(String)
    /// A message being put into a mailbox.
    case delivery(messageID: String)
    /// A delivery status notification (a new message from MAILER-DAEMON) travelling to Alice's mailbox: a bounce,
    /// a delay warning or a delivery receipt.
    case dsn(messageID: String, action: DeliveryAction)
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

/// Where the latest message is in its journey.
public enum JourneyStage: Sendable, Equatable {
    /// MAIL FROM accepted: the envelope and the message are being written.
    case composing
    /// The final dot has left: the message travels to the server.
    case transmitting
    /// Accepted and queued by the submission server ("250 … queued as ID").
    case queued(id: String)
    /// The server asks DNS for the domain's MX.
    case dnsLookup(domain: String)
    /// An SMTP session to the MX is under way.
    case relaying(host: String)
    /// The MX answered 4xx: the message waits in the queue; `retryAt` is nil when the simulation retries no more.
    case deferred(host: String, retryAt: Int?)
    /// In the mailbox.
    case delivered(mailbox: String, host: String)
    /// Refused for good after it was accepted: a bounce went to Alice.
    case bounced(recipient: String)
    /// Refused for good after it was accepted, and the sender asked for no failure notice (NOTIFY): nothing comes back.
    case undeliverable(recipient: String)
    /// Refused at the end of DATA by the server the learner talks to (nothing was queued).
    case refused(code: Int)
    /// The envelope was abandoned (RSET, a new EHLO, QUIT): no message is under way.
    case idle

    public enum Phase: Sendable, Equatable { case idle, composing, transmitting, delivering, delivered, bounced }

    public var phase: Phase {
        switch self {
        case .idle: return .idle
        case .composing: return .composing
        case .transmitting: return .transmitting
        case .queued, .dnsLookup, .relaying, .deferred: return .delivering
        case .delivered: return .delivered
        case .bounced, .refused, .undeliverable: return .bounced
        }
    }
}

/// A value that takes effect at a tick (stages, captions): the one in force is the latest not after now.
public struct Timed<Value: Sendable & Equatable>: Sendable, Equatable {
    public let tick: Int
    public let value: Value
}

/// A message that reached a mailbox (its delivery animation finished).
public struct Arrival: Sendable, Equatable {
    public let host: String
    public let mailbox: String
    public let message: StoredMessage
    public let tick: Int
    /// A delivery status notification (RFC 3464) rather than mail someone wrote, with its action.
    public let notice: DeliveryAction?
    /// A bounce: the notice that a message failed.
    public var isBounce: Bool { notice == .failed }
}

/// One line of a server-to-server hop (or the DNS lookup before it), visible from `tick` on.
public struct HopLine: Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case client, server(Int), note }
    public let tick: Int
    public let host: String
    public let kind: Kind
    public let text: String
}

/// A relay session smtp.example.com → an MX: when it was open and when TLS protected it.
public struct HopSpan: Sendable, Equatable {
    public let host: String
    public let start: Int
    public let end: Int
    public let tlsFrom: Int?
    public func isOpen(at tick: Int) -> Bool { tick >= start && tick < end }
    public func isSecure(at tick: Int) -> Bool { isOpen(at: tick) && tlsFrom.map { tick >= $0 } == true }
}

/// What `advance` releases: the learner's server speaking, or news from elsewhere in the journey.
public enum SimulationOutput: Sendable, Equatable {
    case session(SessionOutput)
    /// Something that happened beyond the learner's connection (queue, DNS, relay, delivery, bounce), in a sentence.
    case note(String)
}

/// What the learner's client has been shown so far (the outputs `advance` released): the facts missions judge by.
public struct LearnerLog: Sendable, Equatable {
    public struct SeenReply: Sendable, Equatable {
        public let reply: Reply
        public let cause: ReplyCause
        /// The server the reply came from.
        public let host: String
    }
    public internal(set) var replies: [SeenReply] = []
    /// A TLS handshake finished on the learner's connection.
    public internal(set) var tlsStarted = false
    /// Logins that succeeded: user and mechanism, in order.
    public internal(set) var logins: [(user: String, mechanism: String)] = []
    /// The reply a server hung up with on its own (421, 521, 554 5.5.0), if any.
    public internal(set) var hungUp: Reply?
    /// Command lines sent while an earlier reply was still on its way, and answered normally (RFC 2920).
    public internal(set) var pipelined = 0
    /// The reply each RCPT TO:<address> got (lower-cased address), as the server decided it.
    public internal(set) var rcpt: [String: Reply] = [:]

    public static func == (a: LearnerLog, b: LearnerLog) -> Bool {
        a.replies == b.replies && a.tlsStarted == b.tlsStarted && a.hungUp == b.hungUp && a.pipelined == b.pipelined
            && a.logins.map(\.user) == b.logins.map(\.user) && a.logins.map(\.mechanism) == b.logins.map(\.mechanism)
    }

    mutating func record(_ output: SessionOutput, host: String, mechanism: String) {
        switch output {
        case .reply(let reply, let cause):
            if replies.count < 10_000 { replies.append(SeenReply(reply: reply, cause: cause, host: host)) }
            if cause == .serverInitiated && [421, 521, 554].contains(reply.code) { hungUp = reply }
        case .tlsStarted: tlsStarted = true
        case .authenticated(let user): logins.append((user, mechanism))
        case .delivered, .closed: break
        }
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
    /// One way between two servers. Real servers sit on fast links; the relay hop is drawn as slowly as the
    /// learner's own, because it is the part a student most needs to follow.
    public var relayTransit = 24
    /// One way to the DNS resolver.
    public var dns = 18
    /// How long a message sits visibly in the queue before its first attempt.
    public var queueDelay = 30
    /// The wait before a deferred message is tried again (Postfix waits minutes; 6 s here, after greylisting's 5 s).
    public var retryDelay = 360
    public init() {}
}

/// A message in the submission server's queue for one domain.
public struct QueueEntry: Sendable, Equatable {
    public let message: StoredMessage
    public let domain: String
    public let recipients: [String]
    public let attempt: Int
    public let due: Int
    /// The server whose queue holds it: smtp.example.com, or an MX sending a message on (forwarding, a list).
    public var sender: String? = nil
}

public struct Simulation: Sendable {
    public private(set) var tick = 0
    public private(set) var network: MailNetwork
    /// The server the learner's client talks to (or last talked to).
    public private(set) var host: MailHost
    public private(set) var session: ServerSession?
    /// What every server keeps between sessions, by host name.
    public private(set) var stores: [String: MailStore] = [:]
    /// Messages whose delivery animation has finished, in order: what the mailboxes show.
    public private(set) var arrivals: [Arrival] = []
    public private(set) var flows: [FlowEvent] = []
    public private(set) var stages: [Timed<JourneyStage>] = []
    public private(set) var captions: [Timed<String>] = []
    /// The relay sessions' transcript and the DNS lookups, line by line.
    public private(set) var hopLines: [HopLine] = []
    public private(set) var hops: [HopSpan] = []
    /// The DNS box's text over time: the question while it is asked, then the answer.
    public internal(set) var lookups: [Timed<String>] = []
    /// Messages waiting in smtp.example.com's queue for their next attempt.
    public internal(set) var queue: [QueueEntry] = []
    /// What the learner's client has seen: replies, TLS, logins, a hang-up.
    public private(set) var seen = LearnerLog()
    /// The machine the learner's client runs on: Alice's computer, unless `connect HOST from NAME` chose another.
    public private(set) var learnerMachine: ClientMachine
    /// Every message a receiving server judged (SPF, DKIM, DMARC), with when each verdict was reached.
    public internal(set) var trustRuns: [TrustRun] = []
    /// Recipients whose message failed for good with no notice to anyone (the sender asked for none): lost, by
    /// the sender's own choice.
    public private(set) var lost: [String] = []
    public var latency = Latency()

    private var pending: [(visibleAt: Int, order: Int, item: PendingItem)] = []
    var nextFlowID = 0
    private var nextOrder = 0
    var lastCommandLeft = Int.min
    var lastReplyVisible = Int.min
    /// The same two clocks for real clients' sessions (live mode), kept apart so that a real client's queued
    /// animation never holds back the learner's own commands.
    var liveCommandLeft = Int.min
    var liveReplyVisible = Int.min
    var attempts = 0
    /// The learner's last line that the server checks for early input (the greeting, EHLO, DATA, …; see
    /// Pipelining.swift), while its reply is still to be decided: a line reaching the server before `replyLeaves`
    /// was already waiting, and the server hangs up instead of answering (RFC 2920 §3.1, Postfix 3.9).
    private var openWait: OpenWait?
    /// After STARTTLS was accepted: when its 220 leaves the server and when the handshake is done. A line sent into
    /// that window never reaches the SMTP session (RFC 3207 §4.2; see `sendBytes`).
    private var tlsWindow: (replyLeaves: Int, ready: Int)?
    /// What `caption` and `mark` add while a reply is scheduled, so a refused reply's narration can be taken back.
    private var recording: (captions: [Timed<String>], stages: [Timed<JourneyStage>])?
    let seed: UInt64
    /// Bob's domain's MX: what the diagram shows before any relay (looked up once, not on every frame).
    private let defaultMX: String

    enum PendingItem: Sendable {
        case output(SimulationOutput)
        case arrival(Arrival)
    }

    private struct OpenWait: Sendable {
        let rule: PipeliningRule
        /// When the server decides its answer (the line's arrival plus processing): input there by then was waiting.
        let replyLeaves: Int
        /// When the reply reaches the client: a line sent before then did not wait, whether or not the server saw it.
        let replyArrives: Int
        let orders: Range<Int>
        let flows: Range<Int>
        let captions: [Timed<String>]
        let stages: [Timed<JourneyStage>]
    }

    public init(network: MailNetwork = .standard, seed: UInt64 = 0x5EED) {
        self.network = network
        self.host = network.submissionHost
        self.seed = seed
        defaultMX = network.mailHost(forDomain: "domain.com")?.name ?? "mx.domain.com"
        learnerMachine = network.machine(named: network.clientName)
            ?? ClientMachine(name: network.clientName, address: network.clientAddress, role: "")
    }

    // MARK: - What the UI reads

    /// The learner's server's configuration (its scenario, mailboxes, users).
    public var world: World { host.world }
    public var profile: ServerProfile { host.profile }
    /// The learner's server's store.
    public var store: MailStore { stores[host.name] ?? MailStore() }
    /// Every arrived message, in order.
    public var arrived: [StoredMessage] { arrivals.map(\.message) }
    /// Where the learner's commands go in the diagram: the submission server, or an MX reached directly.
    public var learnerServerNode: FlowNode { host.profile == .submission ? .server : .mx }

    public var isConnected: Bool { session.map { !$0.isClosed } ?? false }
    /// True while a reply is on its way, a flow event has not ended or the queue holds mail: the UI ticks only then.
    public var isBusy: Bool { !pending.isEmpty || !queue.isEmpty || flows.contains { $0.end > tick } }
    /// True while something the learner's server said, or the learner's own traffic, is still on its way.
    public var isAwaitingServer: Bool {
        pending.contains { if case .output(.session) = $0.item { return true }; return false }
            || flows.contains { $0.end > tick && ($0.from == .sender || $0.to == .sender) }
    }
    /// True while a reply (or another output of the learner's server) is still on its way to the client.
    public var isAwaitingReply: Bool {
        pending.contains { if case .output(.session) = $0.item { return true }; return false }
    }
    /// The tick at which something next changes, or nil when idle.
    public var nextChangeTick: Int? {
        let ends = flows.map(\.end).filter { $0 > tick } + pending.map(\.visibleAt) + queue.map(\.due)
        return ends.min()
    }

    /// The stage of the latest message at `tick` (nil before any message).
    public func stage(at tick: Int) -> JourneyStage? { Self.latest(stages, at: tick) }
    /// What the DNS box shows at `tick`.
    public func lookup(at tick: Int) -> String? { Self.latest(lookups, at: tick) }
    /// The sentence that says what is happening at `tick`.
    public func caption(at tick: Int) -> String? { Self.latest(captions, at: tick) }
    public var currentStage: JourneyStage? { stage(at: tick) }
    public var currentCaption: String? { caption(at: tick) }

    /// The MX the diagram shows: the one of the latest relay, the one the learner talks to, or domain.com's.
    public var shownMX: String {
        if let span = hops.last(where: { $0.start <= tick }) { return span.host }
        if host.profile == .mx { return host.name }
        return defaultMX
    }

    /// Arrivals visible now in one mailbox.
    public func mailbox(_ address: String) -> [Arrival] {
        arrivals.filter { $0.mailbox.lowercased() == address.lowercased() }
    }

    static func latest<V>(_ marks: [Timed<V>], at tick: Int) -> V? {
        var best: Timed<V>?
        for m in marks where m.tick <= tick { if best == nil || m.tick >= best!.tick { best = m } }
        return best?.value
    }

    // MARK: - The learner's connection

    /// Opens a connection to `hostName` (the submission server when nil) from the machine `machineName` (Alice's
    /// computer when nil): the greeting travels back. Returns false when no such server or machine exists.
    @discardableResult
    public mutating func connect(to hostName: String? = nil, from machineName: String? = nil) -> Bool {
        if isConnected { return true }
        guard let target = hostName.map({ network.host(named: $0) }) ?? network.submissionHost else { return false }
        let home = network.machine(named: network.clientName) ?? learnerMachine
        guard let machine = machineName.map({ network.machine(named: $0) }) ?? home else { return false }
        host = target
        learnerMachine = machine
        var world = target.world
        world.clientName = machine.name
        world.clientAddress = machine.address
        var fresh = ServerSession(world: world, profile: target.profile, store: stores[target.name] ?? MailStore(),
                                  seed: seed &+ UInt64(tick))
        fresh.now = tick
        let start = max(tick, lastCommandLeft + latency.pipelineGap)
        addFlow(.connecting, from: .sender, to: learnerServerNode, start: start, length: latency.transit)
        caption(machine.name == network.clientName
                ? "Alice's mail program opens a TCP connection to \(target.name), port \(target.port)."
                : "A program on \(machine.name) (\(machine.address)) opens a TCP connection to \(target.name), port \(target.port).", at: start)
        let replyAt = start + latency.transit + latency.processing
        let greeting = fresh.start()
        let (times, scheduled) = scheduleRecording(greeting, leavingServerAt: replyAt, isMessageEnd: false, server: target)
        session = fresh
        lastCommandLeft = start
        openWait = fresh.checkedWait.map { OpenWait(rule: $0, replyLeaves: replyAt, replyArrives: times.first ?? replyAt,
                                                    orders: scheduled.orders, flows: scheduled.flows,
                                                    captions: scheduled.captions, stages: scheduled.stages) }
        return true
    }

    /// Drops the connection from the client's side (like closing telnet).
    public mutating func disconnect() {
        tlsWindow = nil
        guard var current = session else { return }
        _ = current.endOfInput()
        session = nil
        pending.removeAll { if case .output(.session(.reply)) = $0.item { return true }; return false }
    }

    /// Sends one line as the client typed it (a command, an AUTH response or a body line).
    public mutating func send(_ line: String) {
        sendBytes(Array(line.utf8) + [0x0D, 0x0A], label: line)
    }

    /// Sends raw bytes (e.g. a paste), exactly as a client would write them to the socket.
    public mutating func sendBytes(_ bytes: [UInt8], label: String) {
        guard var current = session, !current.isClosed else { return }
        let wait = openWait
        openWait = nil
        let reachesServer = max(tick, lastCommandLeft + latency.pipelineGap) + latency.composing + latency.transit
        if let wait, current.enforcesPipelining, reachesServer <= wait.replyLeaves {
            // The line was already there when the server went to answer the one before: it hangs up instead.
            takeBack(wait)
            let outputs = current.refuseEarlyInput(bytes, after: wait.rule)
            session = current
            sendTooEarly(label: label, refusal: outputs, answerAt: wait.replyLeaves, rule: wait.rule)
            return
        }
        if let window = tlsWindow, tick < window.ready {
            // Plaintext behind STARTTLS: what is already there when the 220 leaves is thrown away (RFC 3207 §4.2);
            // what comes later meets a server waiting for the TLS handshake, which then fails and the link is gone.
            // (Counted from now: the drawing already holds the client's next line back until the handshake.)
            let reaches = tick + latency.composing + latency.transit
            if reaches <= window.replyLeaves {
                enqueue(.output(.note("“\(label.prefix(60))” left before the TLS handshake: the server throws away any plaintext sent behind STARTTLS (RFC 3207 §4.2), so it was never read. Wait for the handshake, then say EHLO again.")), at: reaches)
            } else {
                var ended = current
                _ = ended.endOfInput()
                session = ended
                enqueue(.output(.note("“\(label.prefix(60))” arrived as plaintext where the server expected the TLS handshake: the handshake fails and the connection is gone. STARTTLS must end its flight (RFC 3207 §4); send nothing until TLS is up.")), at: reaches)
                enqueue(.output(.session(.closed)), at: reaches + latency.transit)
            }
            return
        }
        tlsWindow = nil
        if let wait, tick < wait.replyArrives {
            // Sent before the reply arrived, yet after the server had answered: it could not notice this time.
            enqueue(.output(.note("“\(label.prefix(60))” left before the reply it had to wait for: \(wait.rule.explanation). It reached \(host.name) after the server had answered, so nothing happened this time; sent sooner, it would have been refused with 554 5.5.0.")),
                    at: reachesServer)
        }
        let wasInData = current.phase == .data
        let phaseBefore = current.phase
        if !wasInData, phaseBefore != .auth, isAwaitingServer { seen.pipelined += 1 }
        current.now = tick
        current.store = stores[host.name] ?? MailStore()
        let judged = current.authentications.count
        let outputs = current.receive(bytes)
        stores[host.name] = current.store
        session = current
        let drawn = animate(outputs, label: label, wasInData: wasInData, envelopeOpen: phaseBefore == .mail || phaseBefore == .rcpt,
                            server: host, live: false,
                            checks: current.authentications.count > judged ? current.authentications.last : nil)
        if let i = outputs.firstIndex(of: .tlsStarted), drawn.outputsAt.indices.contains(i) {
            tlsWindow = (drawn.answerAt, drawn.outputsAt[i])
        }
        if !wasInData, Self.asciiPrefix(label, "RCPT TO:"), let open = label.firstIndex(of: "<"), let close = label.firstIndex(of: ">"), open < close,
           case .reply(let reply, _)? = outputs.first {
            seen.rcpt[String(label[label.index(after: open)..<close]).lowercased()] = reply
        }
        if let rule = current.checkedWait, !current.isClosed, let scheduled = drawn.scheduled {
            openWait = OpenWait(rule: rule, replyLeaves: drawn.answerAt, replyArrives: drawn.outputsAt.first ?? drawn.answerAt,
                                orders: scheduled.orders, flows: scheduled.flows, captions: scheduled.captions, stages: scheduled.stages)
        }
    }

    /// What one `schedule` call added, so that it can be taken back.
    struct Scheduled: Sendable {
        let orders: Range<Int>
        let flows: Range<Int>
        let captions: [Timed<String>]
        let stages: [Timed<JourneyStage>]
    }

    /// `schedule` for the learner's session, noting what it added.
    private mutating func scheduleRecording(_ outputs: [SessionOutput], leavingServerAt leave: Int, isMessageEnd: Bool,
                                            server: MailHost) -> (times: [Int], scheduled: Scheduled) {
        let (order0, flow0) = (nextOrder, nextFlowID)
        recording = ([], [])
        let times = schedule(outputs, leavingServerAt: leave, isMessageEnd: isMessageEnd, server: server, live: false)
        let noted = recording ?? ([], [])
        recording = nil
        return (times, Scheduled(orders: order0..<nextOrder, flows: flow0..<nextFlowID, captions: noted.captions, stages: noted.stages))
    }

    /// Withdraws a reply that was never sent: its outputs, its animation and its narration.
    private mutating func takeBack(_ wait: OpenWait) {
        pending.removeAll { wait.orders.contains($0.order) }
        flows.removeAll { wait.flows.contains($0.id) }
        for c in wait.captions { if let i = captions.lastIndex(of: c) { captions.remove(at: i) } }
        for m in wait.stages { if let i = stages.lastIndex(of: m) { stages.remove(at: i) } }
        lastReplyVisible = pending.lazy.compactMap { if case .output(.session) = $0.item { return $0.visibleAt }; return nil }.max() ?? Int.min
    }

    /// Draws a line that arrived too early and the server's 554 leaving when the withdrawn reply would have.
    private mutating func sendTooEarly(label: String, refusal: [SessionOutput], answerAt: Int, rule: PipeliningRule) {
        let node = learnerServerNode
        let start = max(tick, lastCommandLeft + latency.pipelineGap)
        let verb = label.split(separator: " ").first.map { String($0.prefix(8)).uppercased() } ?? "?"
        addFlow(.composing, from: .sender, to: .sender, start: start, length: latency.composing)
        addFlow(.command(verb), from: .sender, to: node, start: start + latency.composing, length: latency.transit)
        lastCommandLeft = start + latency.composing
        let times = schedule(refusal, leavingServerAt: max(answerAt, start + latency.composing + latency.transit),
                             isMessageEnd: false, server: host, live: false)
        let at = times.first ?? answerAt + latency.transit
        enqueue(.output(.note("“\(label.prefix(60))” was already waiting at \(host.name) when it went to answer: \(rule.explanation). So it answered 554 5.5.0 and hung up, as Postfix does since 3.9; a careful client sends the next line only after the reply.")),
                at: at)
    }

    /// Draws one exchange on the learner's link: the line leaving the client (a command, a body line or the final
    /// dot), the server working, and its outputs travelling back. The learner's own session and a real client's
    /// (`mirror`) both come through here, so they look the same. Returns when each output becomes visible (for a
    /// real client's session, whose outputs the caller shows itself; the learner's are released by `advance`).
    @discardableResult
    mutating func animate(_ outputs: [SessionOutput], label: String, wasInData: Bool, envelopeOpen: Bool,
                          server: MailHost, live: Bool, checks: AuthenticationVerdict? = nil)
        -> (lineAt: Int, outputsAt: [Int], answerAt: Int, scheduled: Scheduled?) {
        let node: FlowNode = server.profile == .submission ? .server : .mx
        let start = max(tick, lastCommandLeft + latency.pipelineGap)
        // Body lines stream without replies: each one is drawn leaving Alice, so the message visibly travels.
        if outputs.isEmpty && wasInData {
            // Lines stream back to back (no pipelining gap); a pasted body of thousands of lines draws as one stream.
            let at = max(tick, lastCommandLeft)
            if !flows.contains(where: { $0.kind == .dataLine && $0.start > at - latency.pipelineGap }) {
                addFlow(.dataLine, from: .sender, to: node, start: at, length: latency.transit)
                caption("The message's lines travel to \(server.name): header fields, an empty line, then the body.", at: at)
            }
            lastCommandLeft = at
            return (at, [], at + latency.transit, nil)
        }
        let verb: String
        if wasInData { verb = "." } else if case .reply(_, .command(let v))? = outputs.first(where: { if case .reply = $0 { return true }; return false }) {
            verb = v.isEmpty ? String(label.prefix(8)) : v
        } else { verb = label.split(separator: " ").first.map { String($0.prefix(8)).uppercased() } ?? "?" }
        addFlow(.composing, from: .sender, to: .sender, start: start, length: latency.composing)
        let leave = start + latency.composing
        if wasInData {
            let message = outputs.lazy.compactMap { if case .delivered(let m) = $0 { return m }; return nil }.first
            let subject = message?.header("Subject").map { String($0.prefix(40)) } ?? "message"
            addFlow(.message(id: message?.id ?? "", label: subject), from: .sender, to: node, start: leave, length: latency.transit)
            mark(.transmitting, at: leave)
            caption("A line with only a dot ends the message: the whole e-mail now travels to \(server.name).", at: leave)
        } else {
            addFlow(.command(verb), from: .sender, to: node, start: leave, length: latency.transit)
            caption(Narration.command(verb, server: server.name, profile: server.profile), at: leave)
            if verb == "MAIL", case .reply(let r, _)? = outputs.first, r.code == 250 { mark(.composing, at: leave) }
        }
        // A receiving server that judges senders does so before it answers the final dot: its DNS questions and
        // verdicts come first.
        var working = leave + latency.transit
        if let checks {
            let message = outputs.lazy.compactMap { if case .delivered(let m) = $0 { return m.id }; return nil }.first
            working = drawChecks(checks, at: working, server: server, client: learnerMachine, messageID: message, inHop: false)
        }
        addFlow(.processing, from: node, to: node, start: working, length: latency.processing)
        lastCommandLeft = leave
        if envelopeOpen, ["RSET", "QUIT", "EHLO", "HELO"].contains(verb) {
            // The envelope was thrown away: no message is under way any more.
            mark(.idle, at: leave + latency.transit)
        }
        let answerAt = working + latency.processing
        if live {
            let times = schedule(outputs, leavingServerAt: answerAt, isMessageEnd: wasInData, server: server, live: true)
            return (start, times, answerAt, nil)
        }
        let (times, scheduled) = scheduleRecording(outputs, leavingServerAt: answerAt, isMessageEnd: wasInData, server: server)
        return (start, times, answerAt, scheduled)
    }

    /// Switches the scenario of the server the learner talks to, in the live session too.
    public mutating func setScenario(_ scenario: Scenario) {
        if let i = network.hosts.firstIndex(where: { $0.name == host.name }) { network.hosts[i].world.scenario = scenario }
        host.world.scenario = scenario
        session?.setScenario(scenario)
    }

    /// Forgets everything: sessions, mail, queue, greylisting, animations. The clock keeps running.
    public mutating func reset() {
        let keepTick = tick
        self = Simulation(network: network, seed: seed)
        tick = keepTick
        lastCommandLeft = keepTick - latency.pipelineGap
    }

    /// Moves time forward; returns the learner's server's outputs that became visible, in order.
    public mutating func advance(by ticks: Int = 1) -> [SessionOutput] {
        advanceAll(by: ticks).compactMap { if case .session(let o) = $0 { return o }; return nil }
    }

    /// Moves time forward, running queued deliveries when they fall due; returns everything that became visible.
    public mutating func advanceAll(by ticks: Int = 1) -> [SimulationOutput] {
        let target = tick + max(0, ticks)
        while let i = queue.indices.min(by: { queue[$0].due < queue[$1].due }), queue[i].due <= target {
            let entry = queue.remove(at: i)
            attemptDelivery(entry)
        }
        tick = target
        var visible: [SimulationOutput] = []
        pending.sort { ($0.visibleAt, $0.order) < ($1.visibleAt, $1.order) }
        while let first = pending.first, first.visibleAt <= tick {
            pending.removeFirst()
            switch first.item {
            case .output(let o):
                visible.append(o)
                if case .session(let output) = o { seen.record(output, host: host.name, mechanism: session?.authMechanism ?? "") }
            case .arrival(let a): arrivals.append(a)
            }
        }
        // Keep finished events a little while so a frame drawn late still sees them end; then drop them.
        flows.removeAll { $0.end < tick - 1 }
        return visible
    }

    // MARK: - The learner's replies

    /// Sends outputs back from `server` to the client. The learner's are released by `advance` when they arrive; a
    /// real client's (`live`) are only drawn, and the tick each becomes visible is returned.
    mutating func schedule(_ outputs: [SessionOutput], leavingServerAt leave: Int, isMessageEnd: Bool,
                                   server: MailHost, live: Bool) -> [Int] {
        let node: FlowNode = server.profile == .submission ? .server : .mx
        var replyArrives = max(leave + latency.transit, lastReplyVisible)
        var cursor = leave
        var times: [Int] = []
        for output in outputs {
            switch output {
            case .reply(let reply, let cause):
                let refusal = reply.code >= 500 && (isMessageEnd || cause == .command(verb: "RCPT") || cause == .messageEnd)
                let kind: FlowKind = refusal ? .bounce(reply.code) : .reply(reply.code)
                // A reply the server holds back (Postfix's error sleep past the soft limit) leaves that much later.
                replyArrives = max(cursor + reply.delayTicks + latency.transit, lastReplyVisible)
                addFlow(kind, from: node, to: .sender, start: replyArrives - latency.transit, length: latency.transit)
                if !live { enqueue(.output(.session(output)), at: replyArrives) }
                times.append(replyArrives)
                caption(Narration.reply(reply, cause: cause, server: server.name), at: replyArrives)
                if isMessageEnd && reply.code >= 400 { mark(.refused(code: reply.code), at: replyArrives - latency.transit) }
                lastReplyVisible = replyArrives
                cursor = replyArrives - latency.transit + 1
            case .tlsStarted:
                addFlow(.tlsHandshake, from: .sender, to: node, start: replyArrives, length: latency.tlsHandshake)
                caption("TLS handshake: the two sides agree on keys; from now on everything on this link is encrypted.", at: replyArrives)
                if !live { enqueue(.output(.session(output)), at: replyArrives + latency.tlsHandshake) }
                times.append(replyArrives + latency.tlsHandshake)
                lastReplyVisible = replyArrives + latency.tlsHandshake
                lastCommandLeft = max(lastCommandLeft, lastReplyVisible - latency.pipelineGap)
            case .delivered(let message):
                accept(message, at: replyArrives - latency.transit, on: server)
                times.append(replyArrives)
            case .authenticated, .closed:
                if !live { enqueue(.output(.session(output)), at: replyArrives) }
                times.append(replyArrives)
            }
        }
        return times
    }

    /// The learner's server said "queued": deliver locally, or queue per domain for relaying.
    private mutating func accept(_ message: StoredMessage, at t: Int, on host: MailHost) {
        let local = host.world.localDomain.lowercased()
        if message.longestLine > ServerSession.textLineLimit {
            enqueue(.output(.note("One line of this message is \(message.longestLine) octets long. RFC 5321 §4.5.3.1.6 limits a text line to 1000 octets with its CRLF, but real servers take longer ones (Postfix does, and breaks them with CRLF and a space when it passes mail on); so does \(host.name). A careful client wraps its lines, or encodes the body (quoted-printable, base64).")),
                    at: t + latency.transit)
        }
        if host.profile == .mx {
            // Reached directly on port 25: the MX stores the message itself.
            for rcpt in message.recipients {
                if let box = host.world.mailbox(rcpt), box.behaviour.sendsOn {
                    sendOn(message, for: box, at: host, time: t)
                    continue
                }
                deliverIntoMailbox(message, mailbox: rcpt, from: .mx, to: .recipient, start: t, host: host.name)
            }
            let receipts = message.recipients.filter { rcpt in
                message.dsn.notify(for: rcpt).contains(.success) && host.world.mailbox(rcpt).map { !$0.behaviour.sendsOn } == true
            }
            if !receipts.isEmpty {
                let home = network.submissionHost
                if message.envelopeFrom.lowercased().hasSuffix("@" + home.world.localDomain.lowercased()) {
                    sendNotice(.delivered, for: message, about: receipts.map { FailedRecipient(address: $0, status: "2.0.0", remoteMTA: nil, diagnostic: "smtp; 250 2.0.0 delivered to mailbox") },
                               at: t + latency.delivery, from: host, via: home)
                } else {
                    enqueue(.output(.note("\(host.name) sends the delivery receipt that was asked for (NOTIFY=SUCCESS) to <\(message.envelopeFrom)>; the simulation follows it no further.")), at: t + latency.delivery)
                }
            }
            return
        }
        mark(.queued(id: message.id), at: t)
        caption("\(host.name) accepted the message into its queue (id \(message.id)): delivering it is now the server's job.", at: t)
        var remote: [String: [String]] = [:], order: [String] = []
        for rcpt in message.recipients {
            let domain = rcpt.split(separator: "@").last.map { $0.lowercased() } ?? ""
            if domain == local {
                deliverIntoMailbox(message, mailbox: rcpt, from: .server, to: .senderMailbox, start: t, host: host.name)
            } else {
                if remote[domain] == nil { order.append(domain) }
                remote[domain, default: []].append(rcpt)
            }
        }
        for domain in order {
            queue.append(QueueEntry(message: message, domain: domain, recipients: remote[domain] ?? [], attempt: 1,
                                    due: t + latency.queueDelay))
        }
        if !order.isEmpty {
            enqueue(.output(.note("\(host.name) queued \(message.id) and will deliver it itself: first it asks DNS where mail for \(order.joined(separator: ", ")) goes.")), at: t + latency.transit)
        }
    }

    mutating func deliverIntoMailbox(_ message: StoredMessage, mailbox: String, from: FlowNode, to: FlowNode,
                                             start: Int, host name: String, notice: (DeliveryAction, about: String)? = nil) {
        addFlow(notice.map { .dsn(messageID: message.id, action: $0.0) } ?? .delivery(messageID: message.id), from: from, to: to,
                start: start, length: latency.delivery)
        let end = start + latency.delivery
        enqueue(.arrival(Arrival(host: name, mailbox: mailbox.lowercased(), message: message, tick: end, notice: notice?.0)), at: end)
        if let notice, notice.0 != .failed {
            let what = notice.0 == .delayed ? "delay warning" : "delivery receipt"
            enqueue(.output(.note("The \(what) \(message.id) about \(notice.about) is in \(mailbox)'s mailbox at \(name) (press b for the mailboxes).")), at: end)
        } else if let notice {
            mark(.bounced(recipient: notice.about), at: end)
            enqueue(.output(.note("The bounce report \(message.id) is in \(mailbox)'s mailbox at \(name) (press b for the mailboxes).")), at: end)
        } else {
            mark(.delivered(mailbox: mailbox.lowercased(), host: name), at: end)
            caption("Delivered: \(name) put the message into \(mailbox)'s mailbox. It waits there until \(Narration.owner(of: mailbox)) reads it.", at: end)
            enqueue(.output(.note("Message \(message.id) is in \(mailbox)'s mailbox at \(name) (press b for the mailboxes).")), at: end)
        }
    }

    // MARK: - The queue: DNS, relay, retry, bounce

    private mutating func attemptDelivery(_ entry: QueueEntry) {
        attempts += 1
        // The sending server: smtp.example.com, or an MX that sends a message on (a forward, a list's post).
        let submission = entry.sender.flatMap { network.host(named: $0) }
            ?? (host.profile == .submission ? host : network.submissionHost)
        let node: FlowNode = submission.profile == .submission ? .server : .mx
        var t = entry.due
        let domain = entry.domain
        mark(.dnsLookup(domain: domain), at: t)
        caption("\(submission.name) asks DNS which server receives mail for \(domain) (its MX record).", at: t)
        addFlow(.dnsQuery("MX \(domain)?"), from: node, to: .dns, start: t, length: latency.dns)
        hopLine(t, "", .note, "DNS query: \(domain). IN MX ?" + (entry.attempt > 1 ? "   (attempt \(entry.attempt))" : ""))
        lookups.append(Timed(tick: t, value: "\(domain) MX ?"))
        t += latency.dns
        let resolution = network.dns.resolveMail(for: domain)
        let answer: String
        switch resolution {
        case .hosts(let list, let implicit):
            let first = list[0]
            answer = implicit ? "no MX; A \(first.address)" : "MX \(network.dns.mx(domain).first?.preference ?? 0) \(first.name)"
        case .notFound:
            answer = "not found"
        }
        addFlow(.dnsAnswer(answer), from: .dns, to: node, start: t, length: latency.dns)
        lookups.append(Timed(tick: t, value: "\(domain) → \(answer)"))
        t += latency.dns
        let net = network
        guard case .hosts(let list, _) = resolution, let mx = list.lazy.compactMap({ net.host(named: $0.name) }).first else {
            hopLine(t, "", .note, "DNS answer: \(domain): Host not found (no MX and no A record)")
            caption("DNS knows no mail server for \(domain): \(submission.name) gives up and returns the message to its sender.", at: t)
            let failed = entry.recipients.map {
                FailedRecipient(address: $0, status: "5.4.4", remoteMTA: nil,
                                diagnostic: "X-DNS; Host or domain name not found. Name service error for name=\(domain) type=MX: Host not found")
            }
            sendBounce(for: entry.message, failed: failed, at: t, submission: submission)
            return
        }
        let address = list.first { $0.name.lowercased() == mx.name.lowercased() }?.address ?? mx.address
        hopLine(t, "", .note, "DNS answer: \(domain). MX \(network.dns.mx(domain).first?.preference ?? 0) \(mx.name).  \(mx.name). A \(address)")
        caption("DNS answers: mail for \(domain) goes to \(mx.name) (\(address)). \(submission.name) connects to it on port 25.", at: t)
        relay(entry, to: mx, from: submission, startingAt: t)
    }

    private mutating func relay(_ entry: QueueEntry, to mx: MailHost, from submission: MailHost, startingAt t0: Int) {
        var t = t0
        let rt = latency.relayTransit
        // The sending server's place in the diagram: the submission server, or the MX box for an MX sending on.
        let node: FlowNode = submission.profile == .submission ? .server : .mx
        let home = submission.name == network.submissionHostName
        var world = mx.world
        world.clientName = submission.name
        world.clientAddress = submission.address
        var s = ServerSession(world: world, profile: mx.profile, store: stores[mx.name] ?? MailStore(),
                              seed: seed &+ 0xA11CE &+ UInt64(attempts) &* 7919)
        mark(.relaying(host: mx.name), at: t)
        addFlow(.connecting, from: node, to: .mx, start: t, length: rt)
        hopLine(t, mx.name, .note, "\(submission.name) connects to \(mx.name) [\(mx.address)] port \(mx.port)")
        t += rt
        var tlsFrom: Int?
        var stored: [StoredMessage] = []

        // One exchange: the client reads the last reply and the command leaves (with `says`, its caption, so the
        // words lead the arrow), the MX works, the reply travels back. Returns the reply.
        func exchange(_ line: String?, verb: String, says: String? = nil, flight: FlowKind? = nil, payload: [UInt8] = []) -> Reply? {
            if let line {
                t += latency.processing  // the client reads the reply before it sends again
                if let says { caption(says, at: t) }
                addFlow(flight ?? .command(verb), from: node, to: .mx, start: t, length: rt)
                hopLine(t, mx.name, .client, line)
                t += rt
            }
            s.now = t
            s.store = stores[mx.name] ?? MailStore()
            let judged = s.authentications.count
            var outputs: [SessionOutput] = []
            if let line, flight == nil {
                outputs = s.receiveLine(line)
            } else if line != nil {
                // The message itself, octet for octet as it was stored (dot-stuffed, RFC 5321 §4.5.2), then the dot.
                outputs = s.receive(Self.dotStuffed(payload))
            } else {
                outputs = s.start()
            }
            stores[mx.name] = s.store
            if s.authentications.count > judged, let verdict = s.authentications.last {
                let id = outputs.lazy.compactMap { if case .delivered(let m) = $0 { return m.id }; return nil }.first
                t = drawChecks(verdict, at: t, server: mx, client: ClientMachine(name: submission.name, address: submission.address, role: submission.role),
                               messageID: id, inHop: true)
            }
            addFlow(.processing, from: .mx, to: .mx, start: t, length: latency.processing)
            t += latency.processing
            var last: Reply?
            for output in outputs {
                switch output {
                case .reply(let r, _):
                    let refusal = r.code >= 500
                    addFlow(refusal ? .bounce(r.code) : .reply(r.code), from: .mx, to: node, start: t, length: rt)
                    for w in r.wireLines { hopLine(t + rt, mx.name, .server(r.code), w) }
                    last = r
                case .tlsStarted:
                    addFlow(.tlsHandshake, from: node, to: .mx, start: t + rt, length: latency.tlsHandshake)
                    tlsFrom = t + rt + latency.tlsHandshake
                case .delivered(let m):
                    stored.append(m)
                case .authenticated, .closed:
                    break
                }
            }
            t += rt
            if tlsFrom != nil && t < tlsFrom! { t = tlsFrom! }
            return last
        }

        var deferred: [(String, Reply)] = [], failed: [(String, Reply)] = [], accepted: [String] = []
        func failAll(_ r: Reply?, _ rcpts: [String]) {
            let reply = r ?? Reply(451, EnhancedStatusCode(4, 4, 0), "lost connection")
            for x in rcpts { if reply.code >= 500 { failed.append((x, reply)) } else { deferred.append((x, reply)) } }
        }
        let message = entry.message
        let greeting = exchange(nil, verb: "")
        caption("\(mx.name) greets \(submission.name): now \(submission.name) is the client, speaking SMTP on port 25.", at: t)
        var passesDSN = false
        // Each command's caption appears as the command leaves, so the words lead the arrow.
        if greeting?.code == 220, var ehlo = exchange("EHLO \(submission.name)", verb: "EHLO",
                                                      says: "\(submission.name) introduces itself with EHLO; \(mx.name)'s answer lists the extensions it supports."),
           ehlo.code == 250 {
            if ehlo.lines.contains(where: { $0.uppercased() == "STARTTLS" }) {
                // Opportunistic TLS between servers, as Postfix's smtp_tls_security_level=may does.
                if exchange("STARTTLS", verb: "STARTTLS",
                            says: "\(mx.name) offers STARTTLS, so \(submission.name) asks for it: between servers, encryption is used whenever it is offered.")?.code == 220 {
                    ehlo = exchange("EHLO \(submission.name)", verb: "EHLO",
                                    says: "The link is encrypted now, and both sides have forgotten the conversation so far: EHLO again (RFC 3207 §4.2).") ?? ehlo
                }
            }
            // RFC 3461 §5.2.1: a DSN request travels on to a next hop that offers DSN, unchanged. (A message sent on
            // by an MX is a new transaction of that MX's: the request stayed with the first delivery.)
            passesDSN = home && ehlo.lines.contains { $0.uppercased() == "DSN" }
            let dsn = passesDSN ? message.dsn : nil
            let from = message.envelopeFrom
            let mailSays = from.isEmpty
                ? "MAIL FROM:<>: the null sender. This message is a report, and a report must never cause another (RFC 5321 §4.5.5)."
                : "MAIL FROM:<\(from)>: the envelope sender travels on unchanged. If a later server refuses the message, the report goes there."
            if let mail = exchange("MAIL FROM:<\(from)>" + (dsn?.mailParameters ?? ""), verb: "MAIL", says: mailSays), mail.code == 250 {
                for rcpt in entry.recipients {
                    guard let r = exchange("RCPT TO:<\(rcpt)>" + (dsn?.rcptParameters(for: rcpt) ?? ""), verb: "RCPT",
                                           says: "RCPT TO:<\(rcpt)>: now the server that holds \(mx.world.localDomain)'s mailboxes judges the recipient.")
                    else { failAll(nil, [rcpt]); continue }
                    if r.code < 300 { accepted.append(rcpt) } else { failAll(r, [rcpt]) }
                    if r.code >= 400 {
                        caption("\(mx.name) answers \(r.code) for \(rcpt): " + (r.code >= 500 ? "refused for good." : "not now, try again later."), at: t)
                    }
                }
                if !accepted.isEmpty {
                    if let d = exchange("DATA", verb: "DATA", says: "DATA: \(mx.name) answers 354, and the message follows, ended by a line with only a dot."),
                       d.code == 354 {
                        // The copy that travels on: every header but Return-Path, which only the final server adds (RFC 5321 §4.4).
                        let content = message.relayContent
                        let lineCount = content.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
                        let end = exchange("(the message: \(lineCount) lines, then a line with only a dot)", verb: ".",
                                           says: "\(submission.name) hands the message to \(mx.name).",
                                           flight: .message(id: message.id, label: message.header("Subject").map { String($0.prefix(40)) } ?? "message"),
                                           payload: content)
                        if end?.code != 250 { failAll(end, accepted); accepted = [] }
                    } else { failAll(nil, accepted); accepted = [] }
                }
            } else { failAll(nil, entry.recipients) }
            _ = exchange("QUIT", verb: "QUIT", says: "QUIT: \(submission.name) is done; \(mx.name) answers 221 and closes the connection.")
        } else {
            failAll(greeting?.code == 220 ? nil : greeting, entry.recipients)
        }
        hops.append(HopSpan(host: mx.name, start: t0, end: t, tlsFrom: tlsFrom))

        // Delivered: the MX puts each copy into its mailbox, or sends it on (a forward, a list).
        for m in stored {
            var receipts: [String] = []
            for rcpt in m.recipients where accepted.contains(where: { $0.lowercased() == rcpt.lowercased() }) {
                if let box = mx.world.mailbox(rcpt), box.behaviour.sendsOn {
                    sendOn(m, for: box, at: mx, time: t)
                    continue
                }
                deliverIntoMailbox(m, mailbox: rcpt, from: .mx, to: .recipient, start: t, host: mx.name)
                if home, m.dsn.notify(for: rcpt).contains(.success) { receipts.append(rcpt) }
            }
            // RFC 3461 §5.2.3: the server that delivers sends the "delivered" notice asked for; having passed the
            // request on, smtp.example.com sends none itself.
            if !receipts.isEmpty {
                sendNotice(.delivered, for: m, about: receipts.map { FailedRecipient(address: $0, status: "2.0.0", remoteMTA: nil, diagnostic: "smtp; 250 2.0.0 delivered to mailbox") },
                           at: t + latency.delivery, from: mx, via: submission)
            }
        }
        if home, !passesDSN && !accepted.isEmpty {
            // RFC 3461 §5.2.2(b): a next hop without DSN takes no request on, so this server reports "relayed".
            let relayed = accepted.filter { message.dsn.notify(for: $0).contains(.success) }
            if !relayed.isEmpty {
                sendNotice(.relayed, for: message, about: relayed.map { FailedRecipient(address: $0, status: "2.0.0", remoteMTA: mx.name, diagnostic: "smtp; 250 2.0.0 relayed to a server without DSN") },
                           at: t, from: submission, via: submission)
            }
        }
        if !deferred.isEmpty {
            let retry = entry.attempt < 2 ? t + latency.retryDelay : nil
            mark(.deferred(host: mx.name, retryAt: retry), at: t)
            let reply = deferred[0].1
            if let retry {
                var again = QueueEntry(message: message, domain: entry.domain, recipients: deferred.map(\.0),
                                       attempt: entry.attempt + 1, due: retry)
                again.sender = entry.sender
                queue.append(again)
                // RFC 3461 §5.2.5: a "delayed" notice only where NOTIFY asked for DELAY (never required).
                let warned = deferred.filter { home && message.dsn.notify(for: $0.0).contains(.delay) }.map { d in
                    FailedRecipient(address: d.0, status: d.1.enhanced?.description ?? "4.0.0", remoteMTA: mx.name,
                                    diagnostic: "smtp; " + (d.1.wireLines.last ?? "\(d.1.code)"))
                }
                if !warned.isEmpty { sendNotice(.delayed, for: message, about: warned, at: t, from: submission, via: submission) }
                caption("Deferred: \(mx.name) said \(reply.code) (try later). The message waits in \(submission.name)'s queue; next try in \(latency.retryDelay / SimulatedTime.ticksPerSecond) s.", at: t)
                enqueue(.output(.note("Delivery of \(message.id) to \(deferred.map(\.0).joined(separator: ", ")) deferred: \(mx.name) said \(reply.wireLines.last ?? ""). Retrying in \(latency.retryDelay / SimulatedTime.ticksPerSecond) s.")), at: t)
            } else {
                caption("Still deferred after the retry. A real queue keeps trying for days (Postfix: 5) before it bounces; the simulation stops here.", at: t)
                enqueue(.output(.note("Delivery of \(message.id) deferred again (\(reply.code)). A real server would keep retrying for days; the simulation stops retrying.")), at: t)
            }
        }
        if !failed.isEmpty {
            let list = failed.map { f in
                FailedRecipient(address: f.0, status: f.1.enhanced?.description ?? (f.1.code >= 500 ? "5.0.0" : "4.0.0"),
                                remoteMTA: mx.name, diagnostic: "smtp; " + (f.1.wireLines.last ?? "\(f.1.code)"))
            }
            if home {
                sendBounce(for: message, failed: list, at: t, submission: submission)
            } else {
                let who = list.map(\.address).joined(separator: ", ")
                caption("\(mx.name) refused the copy \(submission.name) sent on for \(who): \(submission.name) now owes <\(message.envelopeFrom)> a bounce.", at: t)
                enqueue(.output(.note("\(mx.name) refused the copy for \(who) (\(list[0].diagnostic.dropPrefix("smtp; "))). \(submission.name) sends a bounce to <\(message.envelopeFrom)> (RFC 3464); the simulation follows it no further.")), at: t)
            }
        }
    }

    private mutating func sendBounce(for message: StoredMessage, failed all: [FailedRecipient], at t: Int, submission: MailHost) {
        let who = all.map(\.address).joined(separator: ", ")
        guard !message.envelopeFrom.isEmpty else {
            // RFC 5321 §4.5.5: mail from the null path is never bounced (that is how bounce loops are avoided).
            enqueue(.output(.note("Delivery to \(who) failed; the sender was <>, so no bounce is sent (RFC 5321 §4.5.5).")), at: t)
            return
        }
        // RFC 3461 §4.1: a failure is reported only where the sender asked (NOTIFY=NEVER, or a NOTIFY without FAILURE, asks not).
        let failed = all.filter { message.dsn.notify(for: $0.address).contains(.failure) }
        let silent = all.filter { f in !failed.contains(f) }
        if !silent.isEmpty {
            lost += silent.map(\.address)
            let asked = silent.map { "\($0.address) (NOTIFY=\(message.dsn.notify(for: $0.address).keywords))" }.joined(separator: ", ")
            enqueue(.output(.note("Delivery to \(asked) failed for good, and the sender asked for no failure notice, so no bounce is sent (RFC 3461 §4.1): the message is simply gone.")), at: t)
            caption("Refused for good, but Alice asked not to be told (NOTIFY): no bounce comes back.", at: t)
            mark(.undeliverable(recipient: silent.map(\.address).joined(separator: ", ")), at: t)
        }
        guard !failed.isEmpty else { return }
        attempts += 1
        let id = Self.queueID(seed &+ 0xB0B &+ UInt64(attempts) &* 104_729)
        let report = DeliveryReport.bounce(of: message, failed: failed, reportingMTA: submission.name, id: id, tick: t)
        var store = stores[submission.name] ?? MailStore()
        store.inboxes[message.envelopeFrom.lowercased(), default: []].append(report)
        stores[submission.name] = store
        caption("Bounce: \(who) cannot get the message (\(failed[0].status)). \(submission.name) sends Alice a delivery status report.", at: t)
        enqueue(.output(.note("Undeliverable: \(who) (\(failed[0].diagnostic.dropPrefix("smtp; "))). A bounce report from MAILER-DAEMON@\(submission.name) is on its way to \(message.envelopeFrom)'s mailbox.")), at: t)
        deliverIntoMailbox(report, mailbox: message.envelopeFrom, from: .server, to: .senderMailbox, start: t,
                           host: submission.name, notice: (.failed, about: failed.map(\.address).joined(separator: ", ")))
        caption("The bounce is in Alice's mailbox: it names the recipient, the status \(failed[0].status) and what the other server said.",
                at: t + latency.delivery)
    }

    /// A notice other than a bounce (delivered, relayed, delayed) for `message`'s sender, written by `reporter`
    /// and carried to the sender's mailbox at `home` (the submission server, which holds Alice's mailbox).
    private mutating func sendNotice(_ action: DeliveryAction, for message: StoredMessage, about recipients: [FailedRecipient],
                                     at t: Int, from reporter: MailHost, via home: MailHost) {
        guard !message.envelopeFrom.isEmpty else { return }  // nothing ever goes to the null path
        attempts += 1
        let id = Self.queueID(seed &+ 0xD5 &+ UInt64(attempts) &* 104_729)
        let report = DeliveryReport.notice(action, of: message, recipients: recipients, reportingMTA: reporter.name, id: id, tick: t)
        var store = stores[home.name] ?? MailStore()
        store.inboxes[message.envelopeFrom.lowercased(), default: []].append(report)
        stores[home.name] = store
        let who = recipients.map(\.address).joined(separator: ", ")
        var start = t
        if reporter.name != home.name {
            // The receipt crosses back from the MX to Alice's provider like any mail, then into her mailbox.
            addFlow(.dsn(messageID: id, action: action), from: .mx, to: .server, start: t, length: latency.relayTransit)
            start += latency.relayTransit
        }
        switch action {
        case .delivered, .relayed:
            caption("Alice asked for a receipt (NOTIFY=SUCCESS): \(reporter.name) reports \"\(action.rawValue)\" for \(who).", at: t)
        case .delayed:
            caption("Alice asked to hear of delays (NOTIFY=DELAY): \(reporter.name) warns her that \(who) is not delivered yet, and keeps trying.", at: t)
        case .failed:
            break
        }
        deliverIntoMailbox(report, mailbox: message.envelopeFrom, from: .server, to: .senderMailbox, start: start,
                           host: home.name, notice: (action, about: who))
    }

    // MARK: - Bookkeeping

    mutating func hopLine(_ t: Int, _ host: String, _ kind: HopLine.Kind, _ text: String) {
        hopLines.append(HopLine(tick: t, host: host, kind: kind, text: text))
        if hopLines.count > 4_000 { hopLines.removeFirst(hopLines.count - 4_000) }
    }

    mutating func mark(_ stage: JourneyStage, at t: Int) {
        recording?.stages.append(Timed(tick: t, value: stage))
        stages.append(Timed(tick: t, value: stage))
        if stages.count > 400 { stages.removeFirst(stages.count - 400) }
    }

    mutating func caption(_ text: String, at t: Int) {
        recording?.captions.append(Timed(tick: t, value: text))
        captions.append(Timed(tick: t, value: text))
        if captions.count > 400 { captions.removeFirst(captions.count - 400) }
    }

    mutating func enqueue(_ item: PendingItem, at visibleAt: Int) {
        pending.append((visibleAt, nextOrder, item))
        nextOrder += 1
    }

    mutating func addFlow(_ kind: FlowKind, from: FlowNode, to: FlowNode, start: Int, length: Int) {
        flows.append(FlowEvent(id: nextFlowID, kind: kind, from: from, to: to, start: start, end: start + length))
        nextFlowID += 1
    }

    static func asciiPrefix(_ text: String, _ prefix: String) -> Bool { text.uppercased().hasPrefix(prefix) }

    /// Ten hex digits like Postfix's short queue ids, from a counter (deterministic, no randomness).
    static func queueID(_ n: UInt64) -> String {
        var x = n &* 0x9E37_79B9_7F4A_7C15
        x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
        x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
        x ^= x >> 31
        let hex = String(x, radix: 16, uppercase: true)
        return String(String(repeating: "0", count: max(0, 16 - hex.count)) + hex).prefix(10).description
    }
}
