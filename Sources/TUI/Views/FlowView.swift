// The journey diagram: Alice's mail client → smtp.example.com (submission) → the MX → the recipient's mailbox, with
// DNS beside the relay link (it answers a question; mail never passes through it) and Alice's own mailbox (where
// bounces land) under her server. Everything that moves comes from the simulation's flow events at the current
// tick, and where the message is comes from its journey stage, so the picture is a pure function of the state.
// Three sizes: a two-line strip (80x24), the full chain (120x36), and the full chain with the hops' last lines beside
// it (200x60). Text that does not fit ends in "…"; nothing is cut where the row has room.
import SMTPCore

extension Frame {
    mutating func flow(_ state: AppState, _ rect: Rect, compact: Bool = false) {
        let inner = pane(rect, title: "The journey of an e-mail", focused: state.focus == .flow)
        hit(rect, .pane(.flow))
        guard inner.height >= 2, inner.width >= 30 else { return }
        var d = JourneyDrawing(state: state, ascii: ascii)
        if compact || inner.height < JourneyDrawing.fullHeight || inner.width < 96 {
            d.strip(inner, into: &self)
        } else {
            d.chain(inner, into: &self)
        }
    }

    mutating func drawLink(_ rect: Rect, role: Role, glyph: String) {
        guard rect.width > 0 else { return }
        for x in rect.x..<rect.maxX { buffer.put(glyph, x: x, y: rect.y, role: role) }
    }

    mutating func center(_ text: String, in rect: Rect, role: Role, reverse: Bool = false) {
        let shown = TextWidth.truncated(text, fitting: rect.width)
        buffer.put(shown, x: rect.x + max(0, (rect.width - TextWidth.width(of: shown)) / 2), y: rect.y, role: role,
                   clip: rect, reverse: reverse)
    }
}

/// What the diagram needs from the state at this tick, computed once per frame.
struct JourneyDrawing {
    /// Rows the full chain needs inside its pane: phases, DNS (3) and its connector, the chain (3), a connector,
    /// Alice's mailbox (3) and two rows of caption.
    static let fullHeight = 14

    let state: AppState
    let ascii: Bool
    let sim: Simulation
    let tick: Int
    let active: [FlowEvent]
    let stage: JourneyStage?
    /// The learner talks to an MX directly (port 25): their client sits where the sending server does.
    let direct: Bool
    /// A real client's session shown in the learner's place (live mode).
    let watched: LiveSession?
    // Worked out once per frame: the view asks for them many times.
    let mxName: String
    let recipientAddress: String
    let recipientCount: Int
    let aliceBox: [Arrival]
    let stageDetail: String

    init(state: AppState, ascii: Bool) {
        self.state = state
        self.ascii = ascii
        let sim = state.sim
        let now = sim.tick
        self.sim = sim
        tick = now
        active = sim.flows.filter { $0.progress(at: now) != nil }
        let stage = sim.currentStage
        self.stage = stage
        watched = state.live?.watched
        direct = watched == nil && sim.learnerServerNode == .mx && sim.session != nil
        mxName = sim.shownMX
        let recipient = Self.recipient(of: sim)
        recipientAddress = recipient
        recipientCount = sim.arrivals.reduce(0) { $0 + ($1.mailbox == recipient.lowercased() ? 1 : 0) }
        aliceBox = sim.arrivals.filter { $0.mailbox == "alice@example.com" }
        stageDetail = Self.detail(stage, tick: now, learnerHost: sim.host.name)
    }

    /// Whose mailbox the diagram shows: the recipient of the message on its way now, so the box follows the message
    /// (to someone@elsewhere.org as well as to Bob). In order: the envelope being written, the message waiting in
    /// the queue, the last relay's RCPT (known from the moment the queue hands the message over), the last mail
    /// delivered; Bob before anything was sent.
    static func recipient(of sim: Simulation) -> String {
        if let rcpt = sim.session?.recipients.last { return rcpt }
        if let waiting = sim.queue.min(by: { $0.due < $1.due }), let rcpt = waiting.recipients.first { return rcpt }
        if let line = sim.hopLines.last(where: { $0.kind == .client && $0.text.hasPrefix("RCPT TO:<") }),
           let end = line.text.firstIndex(of: ">") {
            return String(line.text[line.text.index(line.text.startIndex, offsetBy: 9)..<end])
        }
        let submission = sim.network.submissionHostName
        return sim.arrivals.last(where: { $0.notice == nil && $0.host != submission })?.mailbox ?? "bob@domain.com"
    }

    // MARK: - Words

    var recipientOwner: String { Narration.owner(of: recipientAddress) }
    var recipientTitle: String { "\(recipientOwner)'s mailbox" }

    /// The phase row's detail for the active phase, e.g. "asking DNS for domain.com's MX".
    static func detail(_ stage: JourneyStage?, tick: Int, learnerHost: String) -> String {
        switch stage {
        case .composing?: return "writing the envelope and the message"
        case .transmitting?: return "on its way to \(learnerHost)"
        case .queued(let id)?: return "queued as \(id)"
        case .dnsLookup(let domain)?: return "asking DNS for \(domain)'s MX"
        case .relaying(let host)?: return "relaying to \(host)"
        case .deferred(_, let retry?)?: return "deferred, retry in \(max(0, (retry - tick + 59) / 60)) s"
        case .deferred(let host, nil)?: return "still deferred by \(host)"
        case .delivered(let box, _)?: return "in \(box)'s mailbox"
        case .bounced?: return "a report went back to Alice"
        case .undeliverable?: return "refused; no notice was asked for"
        case .refused(let code)?: return "refused with \(code)"
        case .idle?, nil: return ""
        }
    }

    /// The label of something in flight, in at most `room` cells (the e-mail's subject is cut with "…").
    static func packetLabel(_ kind: FlowKind, ascii: Bool, room: Int) -> (String, Role, reverse: Bool)? {
        switch kind {
        case .command(let verb): return ("\(verb)→", .flowPacket, false)
        case .connecting: return ("SYN→", .flowPacket, false)
        case .reply(let code): return ("←\(code)", Role.reply(code), false)
        case .bounce(let code): return ("←\(code)✗", .flowBounce, false)
        case .tlsHandshake: return (ascii ? "<TLS>" : "⇄TLS", .flowTLS, false)
        case .dataLine: return ("▤→", .flowPacket, false)
        case .message(_, let label):
            // The e-mail itself: solid (reverse video), wide, readable without colour.
            // At most two thirds of the link, so it visibly travels.
            let text = TextWidth.truncated("✉ " + label, fitting: max(1, min(24, room * 2 / 3 - 2)))
            return ("[\(text)]", .flowPacket, true)
        case .dnsQuery(let q): return (q, .flowServer, false)
        case .dnsAnswer(let a): return (a, .flowServer, false)
        case .delivery: return ("[✉]→", .flowPacket, true)
        case .dsn(_, .failed): return ("[✉ bounce]", .flowBounce, true)
        case .dsn(_, .delayed): return ("[✉ delayed]", .flowBounce, true)
        case .dsn: return ("[✉ receipt]", .flowPacket, true)
        case .composing, .processing: return nil
        }
    }

    func busy(_ node: FlowNode) -> Bool {
        active.contains { $0.from == node && $0.to == node } ||
            (node == .dns && active.contains { $0.to == .dns || $0.from == .dns })
    }

    /// How long ago something arrived in one of these mailboxes (for the arrival flash).
    func justArrived(_ filter: (Arrival) -> Bool) -> Bool {
        sim.arrivals.last(where: filter).map { tick - $0.tick < 60 } ?? false
    }

    var recipientJustArrived: Bool {
        justArrived { $0.notice == nil && $0.host != self.sim.network.submissionHostName }
    }

    /// The recipient's mailbox stands out (its colour, a solid block in projector) only once it matters: mail has
    /// arrived or is arriving. Before that it is drawn like a frame.
    var recipientRole: Role { recipientCount > 0 || recipientJustArrived || busy(.recipient) ? .flowRecipient : .border }

    var learnerHopTitle: String {
        watched.map { "real client #\($0.id) ↔ smtp.example.com (live)" } ?? (direct ? "you ↔ \(sim.host.name)" : "Alice ↔ smtp.example.com")
    }
    var learnerLinkSecure: Bool { state.shownLinkSecure }
    var relaySecure: Bool { sim.hops.contains { $0.isSecure(at: tick) } }
    var relayOpen: Bool { sim.hops.contains { $0.isOpen(at: tick) } }

    var dnsText: String { sim.lookup(at: tick) ?? "where does mail go?" }

    /// Where the message sits between flights, for the envelope marker.
    var restingAt: FlowNode? {
        switch stage {
        case .composing?: return .sender
        case .queued?, .dnsLookup?, .deferred?: return .server
        case .relaying(let host)?:
            // Before its DATA flight the message is still in the queue; after it, at the MX. The simulation forgets
            // a flight soon after it lands, so an MX already judging the message (its checks come after the final
            // dot) also says the message is there.
            let flown = sim.flows.contains { if case .message = $0.kind { return $0.from == .server && $0.end <= tick }; return false }
            let since = sim.stages.last { $0.tick <= tick }?.tick ?? 0
            let judging = sim.trust(at: tick).map { $0.run.host == host && $0.run.start >= since } ?? false
            return flown || judging ? .mx : .server
        case .delivered(_, let host)?: return host == sim.network.submissionHostName ? .senderMailbox : .recipient
        case .bounced?: return .senderMailbox
        default: return nil
        }
    }

    /// No e-mail is in flight: the resting envelope is drawn.
    var nothingInFlight: Bool { active.allSatisfy { if case .message = $0.kind { return false }; return true } }

    // MARK: - Phases

    /// "● Composing ─ ○ Transmitting ─ ● Delivering: asking DNS … ─ ○ Delivered", and at the right end the
    /// connection, the simulated time and the speed.
    func phases(_ row: Rect, into f: inout Frame, info: Bool = true) {
        let current = stage?.phase ?? .idle
        let items: [(String, JourneyStage.Phase)] = [("Composing", .composing), ("Transmitting", .transmitting),
                                                      ("Delivering", .delivering),
                                                      (current == .bounced ? "Bounced" : "Delivered", current == .bounced ? .bounced : .delivered)]
        let speed = state.paused ? "paused (p)" : state.speedQuarters != 4 ? "×\(App.speedLabel(state.speedQuarters))" : ""
        let connection = info ? state.connectionLabel : ""
        // The clock counts simulated seconds (greylisting's "retry in 5 s" is read against it).
        let clock = info ? "simulated time \(tick / SimulatedTime.ticksPerSecond) s" : ""
        func right(_ parts: [String]) -> String {
            let shown = parts.filter { !$0.isEmpty }
            return shown.isEmpty ? "" : " " + shown.joined(separator: " · ")
        }
        let names = items.reduce(0) { $0 + TextWidth.width(of: $1.0) + 2 } + 3 * (items.count - 1)
        let detail = stageDetail.isEmpty ? 0 : TextWidth.width(of: stageDetail) + 2
        // Narrow rows lose, in this order: the clock, the detail (the caption says it too), the connection, and
        // then the names of the phases not active are shortened. The connection goes last of the words.
        var end = right([connection, clock, speed])
        var withDetail = true, short = false
        if names + detail + TextWidth.width(of: end) > row.width { end = right([connection, speed]) }
        if names + detail + TextWidth.width(of: end) > row.width { withDetail = false }
        if names + TextWidth.width(of: end) > row.width { end = right([speed]) }
        if names + TextWidth.width(of: end) > row.width { short = true }
        let room = Rect(x: row.x, y: row.y, width: max(0, row.width - TextWidth.width(of: end)), height: 1)
        var x = row.x
        for (i, item) in items.enumerated() {
            let on = item.1 == current
            var text = (on ? "● " : "○ ") + (short && !on ? String(item.0.prefix(4)) : item.0)
            if on, withDetail, !stageDetail.isEmpty { text += ": " + stageDetail }
            if i > 0 { x = f.buffer.put(" ─ ", x: x, y: row.y, role: .flowPhaseIdle, clip: room) }
            x = f.buffer.put(text, x: x, y: row.y, role: on ? (current == .bounced ? .flowBounce : .flowPhaseActive) : .flowPhaseIdle,
                             clip: room, reverse: on)
        }
        if !end.isEmpty {
            f.buffer.put(end, x: row.maxX - TextWidth.width(of: end), y: row.y, role: speed.isEmpty ? .muted : .flowPhaseActive, clip: row)
        }
    }

    /// The simulation's sentence for this moment, wrapped into `rect`; a sentence longer than its rows ends in "…".
    func caption(_ rect: Rect, into f: inout Frame) {
        let text = sim.currentCaption ?? (sim.session == nil
            ? "Alice wants to e-mail Bob. Type `connect` (or follow Next:) and watch the message travel, hop by hop."
            : "")
        Self.wrapped(text, in: rect, role: .caption, into: &f)
    }

    /// Text wrapped into a rect; what does not fit ends the last row with "…".
    static func wrapped(_ text: String, in rect: Rect, role: Role, into f: inout Frame) {
        guard rect.height > 0, rect.width > 0 else { return }
        let lines = Wrap.lines(text, width: rect.width)
        var shown = Array(lines.prefix(rect.height))
        if lines.count > rect.height, let last = shown.last {
            shown[shown.count - 1] = TextWidth.truncated(last + " " + lines[rect.height], fitting: rect.width)
        }
        for (i, line) in shown.enumerated() { f.buffer.put(line, x: rect.x, y: rect.y + i, role: role, clip: rect) }
    }

    // MARK: - The full chain

    mutating func chain(_ r: Rect, into f: inout Frame) {
        let large = r.height >= 17
        let chainRows = large ? 4 : 3
        let captionRows = 2
        // Columns: four boxes on the chain, three links between them. The recipient's box is as wide as its
        // address needs; the others are wide enough for "smtp.example.com"; the links keep room for a packet to
        // travel (narrower below 110 columns).
        let linkMin = r.width < 110 ? 8 : 12
        let rcptLine = recipientLine(rows: chainRows - 2)
        let rcptW = max(20, min(r.width / 3, TextWidth.width(of: rcptLine) + 4))
        let boxW = max(19, min(28, (r.width - 3 * linkMin - rcptW) / 3))  // 19: "alice@example.com" and its borders
        let linkW = max(4, (r.width - 3 * boxW - rcptW) / 3)
        let xs = (0..<4).map { r.x + $0 * (boxW + linkW) }
        let lastW = r.maxX - xs[3]
        // Rows: phases, DNS band, connector, chain, connector, Alice's mailbox band, caption at the bottom.
        phases(r.row(0), into: &f)
        let dnsY = r.y + 1
        let chainY = dnsY + 4
        let boxY = chainY + chainRows + 1
        let captionY = r.maxY - captionRows
        let boxH = max(3, min(large ? 4 : 3, captionY - boxY))

        let slots: [FlowNode: Rect] = [
            .sender: Rect(x: xs[0], y: chainY, width: boxW, height: chainRows),
            .server: Rect(x: xs[1], y: chainY, width: boxW, height: chainRows),
            .mx: Rect(x: xs[2], y: chainY, width: boxW, height: chainRows),
            .recipient: Rect(x: xs[3], y: chainY, width: lastW, height: chainRows),
            .senderMailbox: Rect(x: xs[1] - 1, y: boxY, width: boxW + 2, height: boxH),
        ]
        let linkRow = chainY + 1
        let link1 = Rect(x: xs[0] + boxW, y: linkRow, width: linkW, height: 1)
        let link2 = Rect(x: xs[1] + boxW, y: linkRow, width: linkW, height: 1)
        let link3 = Rect(x: xs[2] + boxW, y: linkRow, width: xs[3] - xs[2] - boxW, height: 1)

        drawLinks(link1, link2, link3, chainY: chainY, chainRows: chainRows, into: &f)
        let connX = dnsBox(above: link2, y: dnsY, width: r, into: &f)

        // The nodes. Titles say the role, the first line the host or address: both are what a learner must
        // connect. Narrow boxes get the short titles rather than cut ones.
        let senderSlot = slots[.sender] ?? .zero
        let serverSlot = slots[.server] ?? .zero
        func title(_ full: String, _ short: String, _ width: Int) -> String { TextWidth.width(of: full) <= width - 6 ? full : short }
        if let watched {
            node(senderSlot, .sender, title: title("Real client", "Client", boxW), lines: [watched.peer, "a real program"],
                 role: .flowSender, into: &f)
        } else if direct {
            node(serverSlot, .sender, title: "You (client)", lines: ["client.example.com", "port 25 client"], role: .flowSender, into: &f)
            f.buffer.put("(not used)", x: senderSlot.x + 1, y: senderSlot.y + 1, role: .muted, clip: senderSlot)
        } else {
            node(senderSlot, .sender, title: title("Alice's client", "Alice", boxW), lines: ["alice@example.com", "her mail program"],
                 role: .flowSender, into: &f)
        }
        if !direct {
            node(serverSlot, .server, title: title("Alice's server", "Submission", boxW), lines: ["smtp.example.com", "submission · 587"],
                 role: .flowServer, into: &f)
        }
        node(slots[.mx] ?? .zero, .mx, title: "MX server", lines: [mxName, TextWidth.width(of: "port 25 · \(mxDomain)") <= boxW - 2 ? "port 25 · \(mxDomain)" : "port 25"],
             role: .flowServer, into: &f)
        node(slots[.recipient] ?? .zero, .recipient, title: title(recipientTitle, "Mailbox", lastW),
             lines: chainRows > 3 ? [recipientAddress, messages(recipientCount)] : [rcptLine],
             role: recipientRole, flash: recipientJustArrived, into: &f)
        let bounces = aliceBox.filter(\.isBounce).count
        node(slots[.senderMailbox] ?? .zero, .senderMailbox, title: title("Alice's mailbox", "Alice's box", boxW + 2),
             lines: [bounces == 0 ? "bounces land here" : "\(bounces) bounce\(bounces == 1 ? "" : "s") (DSN)", messages(aliceBox.count)],
             role: bounces > 0 ? .flowBounce : .flowSender, flash: justArrived { $0.mailbox == "alice@example.com" }, into: &f)
        f.buffer.put(ascii ? "|" : "┆", x: serverSlot.x + boxW / 2, y: chainY + chainRows, role: .border)

        // The envelope at rest: inside the box where the message is now.
        if let at = restingAt, nothingInFlight {
            let slot = at == .sender && direct ? serverSlot : (slots[at] ?? .zero)
            let id = sim.stages.last(where: { if case .queued = $0.value { return $0.tick <= tick }; return false })
                .flatMap { if case .queued(let id) = $0.value { return id }; return nil }
            let waiting = stage.map({ if case .deferred = $0 { return true }; return false }) == true
            let label = at == .server ? (waiting ? "✉ waiting" : "✉ " + (id ?? "queued")) : "✉"
            let y = slot.y + slot.height - 1
            f.buffer.put(" \(label) ", x: slot.maxX - TextWidth.width(of: label) - 3, y: y, role: .flowPacket, clip: slot, reverse: true)
        }

        // Packets in flight.
        for event in active {
            guard let p = event.progress(at: tick),
                  let (label, role, reverse) = Self.packetLabel(event.kind, ascii: ascii, room: linkW) else { continue }
            let pair = Set([event.from, event.to])
            let forward: Bool
            let path: Rect
            if pair == [.mx, .dns] {
                // The MX's own questions (SPF record, DKIM key, DMARC policy): above the MX, under the DNS box.
                let mx = slots[.mx] ?? .zero
                let shown = (event.to == .dns ? "↑ " : "↓ ") + label
                f.buffer.put(TextWidth.truncated(shown, fitting: r.maxX - mx.x), x: mx.x, y: chainY - 1, role: role)
                continue
            } else if pair == [.server, .dns] || pair == [.dns] {
                // Up and down the connector: drawn beside it, above the relay link.
                let y = chainY - 1
                let shown = (event.to == .dns ? "↑ " : "↓ ") + label
                f.buffer.put(TextWidth.truncated(shown, fitting: r.maxX - connX - 2), x: connX + 2, y: y, role: role)
                continue
            } else if pair == [.server, .senderMailbox] {
                f.buffer.put("↓ " + label, x: serverSlot.x + boxW / 2 + 2, y: chainY + chainRows, role: role, clip: r)
                continue
            } else if pair == [.sender, .server] || (direct && pair == [.sender, .mx]) || pair == [.sender] {
                path = direct ? link2 : link1
                forward = event.to != .sender
            } else if pair == [.server, .mx] {
                path = link2
                forward = event.to == .mx
            } else if pair == [.mx, .recipient] {
                path = link3
                forward = true
            } else { continue }
            guard path.width > 2 else { continue }
            let shown = TextWidth.truncated(label, fitting: path.width)
            let travel = max(0, path.width - TextWidth.width(of: shown))
            let offset = Int((forward ? p : 1 - p) * Double(travel))
            f.buffer.put(shown, x: path.x + offset, y: path.y, role: role, clip: path, reverse: reverse)
        }

        // Under the MX: its SPF, DKIM and DMARC verdicts, one a row (and at 200x60 what it did with the message).
        let checkRows = checks.map { _ in large ? 5 : 3 } ?? 0
        if let checks {
            let mx = slots[.mx] ?? .zero
            let area = Rect(x: mx.x, y: boxY, width: r.maxX - mx.x, height: min(checkRows, captionY - boxY))
            for (i, line) in checkLines(checks).prefix(3).enumerated() where i < area.height {
                var x = area.x
                for (text, role) in line { x = f.buffer.put(text, x: x, y: area.y + i, role: role, clip: area) }
            }
            if large, area.height >= 4, let outcome = checksOutcome {
                f.buffer.put(TextWidth.truncated(outcome.0, fitting: area.width), x: area.x, y: area.y + 3, role: outcome.1)
            }
            f.hit(Rect(x: area.x, y: area.y, width: min(area.width, boxW), height: min(3, area.height)), .flowNode(.mx))
        }

        // At 200x60: the last lines of each hop beside Alice's mailbox, down to the caption (the relay's under the
        // MX's checks).
        if large, boxY + 1 < captionY {
            let mailbox = slots[.senderMailbox] ?? .zero
            let left = Rect(x: r.x, y: boxY, width: mailbox.x - 1 - r.x, height: captionY - boxY)
            let right = Rect(x: mailbox.maxX + 1, y: boxY + checkRows, width: r.maxX - mailbox.maxX - 1,
                             height: max(0, captionY - boxY - checkRows))
            hopTail(learnerLines(left.height), in: left, title: learnerHopTitle, into: &f)
            if !direct {
                let relay = relayLines(right.height)
                hopTail(relay.isEmpty ? [("(nothing yet: once smtp.example.com has queued a message, its own SMTP session with the MX appears here)", .muted)] : relay,
                        in: right, title: "smtp.example.com ↔ \(mxName)  (r: the whole relay transcript)", into: &f)
            }
        }
        caption(Rect(x: r.x + 1, y: captionY, width: r.width - 2, height: captionRows), into: &f)
    }

    /// The recipient box's text when it has room for one line: the address and the count of messages.
    func recipientLine(rows: Int) -> String {
        rows > 1 ? recipientAddress : "\(recipientAddress)  ✉ \(recipientCount)"
    }

    func messages(_ n: Int) -> String { "✉ \(n) message\(n == 1 ? "" : "s")" }

    /// The three links (locked, double line, once TLS protects a hop) with what runs on each under it.
    func drawLinks(_ link1: Rect, _ link2: Rect, _ link3: Rect, chainY: Int, chainRows: Int, into f: inout Frame) {
        let secure1 = learnerLinkSecure
        let plain = ascii ? "-" : "─", locked = ascii ? "=" : "═"
        f.drawLink(direct ? link2 : link1, role: secure1 ? .flowTLS : .border, glyph: secure1 ? locked : plain)
        if !direct {
            f.drawLink(link2, role: relaySecure ? .flowTLS : (relayOpen ? .flowServer : .border), glyph: relaySecure ? locked : plain)
        } else {
            f.drawLink(link1, role: .muted, glyph: " ")
        }
        f.drawLink(link3, role: .border, glyph: plain)
        // What runs on each link: the protocol and port, "+TLS" once the hop is encrypted.
        let label1 = direct ? "SMTP 25" : (secure1 ? "587+TLS" : "SMTP 587")
        let label2 = (direct ? secure1 : relaySecure) ? "25+TLS" : "SMTP 25"
        if !direct { f.center(label1, in: link1.row(0).offsetBy(dy: 1), role: secure1 ? .flowTLS : .muted) }
        f.center(label2, in: link2.row(0).offsetBy(dy: 1), role: (direct ? secure1 : relaySecure) ? .flowTLS : .muted)
        f.center("deliver", in: link3.row(0).offsetBy(dy: 1), role: .muted)
        f.hit(Rect(x: link2.x, y: chainY, width: link2.width, height: chainRows), direct ? .pane(.flow) : .relayHop)
    }

    /// The DNS box above the relay link, as wide as its answer needs, and its dotted connector down to the link.
    /// Returns the connector's column.
    func dnsBox(above link: Rect, y: Int, width r: Rect, into f: inout Frame) -> Int {
        let text = dnsText
        let dnsW = min(r.width - 2, max(36, TextWidth.width(of: text) + 4))
        let x = max(r.x, min(r.maxX - dnsW, link.x + link.width / 2 - dnsW / 2))
        let rect = Rect(x: x, y: y, width: dnsW, height: 3)
        let dnsBusy = busy(.dns)
        let inner = f.buffer.box(rect, title: "DNS", role: dnsBusy ? .flowPacket : .flowServer,
                                 glyphs: ascii ? .ascii : (dnsBusy ? .heavy : .light))
        f.center(text, in: inner.row(0), role: dnsBusy ? .flowPacket : .caption)
        f.hit(rect, .flowNode(.dns))
        let connX = link.x + link.width / 2
        f.buffer.put(ascii ? "|" : "┆", x: connX, y: y + 3, role: .border)
        return connX
    }

    // MARK: - The receiving server's checks

    /// SPF, DKIM and DMARC for the last message the shown MX judged: each verdict once it is reached, nil for those
    /// still to come. Nil before that server has judged anything.
    var checks: [(TrustStep.Check, TrustStep?)]? {
        guard let (run, reached) = sim.trust(at: tick), run.host == mxName else { return nil }
        return TrustStep.Check.allCases.map { check in (check, reached.first { $0.check == check }) }
    }

    static func checkName(_ check: TrustStep.Check) -> String {
        switch check {
        case .spf: return "SPF"
        case .dkim: return "DKIM"
        case .dmarc: return "DMARC"
        }
    }

    /// ✓ for pass, – for "nothing to judge" (none, neutral), ✗ for every failure; in ASCII the words carry it.
    func mark(_ step: TrustStep) -> (String, Role) {
        if step.passed { return (ascii ? "ok" : "✓", .reply2xx) }
        if step.result == "none" || step.result == "neutral" { return (ascii ? "-" : "–", .reply4xx) }
        return (ascii ? "x" : "✗", .reply5xx)
    }

    /// One row per check: "DKIM  ✓ pass", or "DKIM  … " while the server is still asking.
    func checkLines(_ checks: [(TrustStep.Check, TrustStep?)]) -> [[(String, Role)]] {
        checks.map { check, step in
            let short = Self.checkName(check)
            let name = short + String(repeating: " ", count: max(1, 6 - short.count))
            guard let step else { return [(name, .muted), (ascii ? "..." : "…", .muted)] }
            let (sign, role) = mark(step)
            return [(name, .text), (sign + " " + step.result, role)]
        }
    }

    /// The strip's one-line form: "SPF✓ DKIM✓ DMARC✗".
    func checksInline(_ checks: [(TrustStep.Check, TrustStep?)]) -> [(String, Role)] {
        checks.map { check, step in
            guard let step else { return (Self.checkName(check) + (ascii ? ":... " : "… "), .muted) }
            let (sign, role) = mark(step)
            return (Self.checkName(check) + (ascii ? ":" : "") + sign + " ", role)
        }
    }

    /// What the MX did once all three were known: refused (DMARC p=reject) or accepted with the results recorded.
    var checksOutcome: (String, Role)? {
        guard let (run, reached) = sim.trust(at: tick), run.host == mxName, reached.count == run.steps.count,
              run.end <= tick else { return nil }
        return run.refused ? ("→ refused: 550 5.7.26", .reply5xx) : ("→ accepted, Authentication-Results: added", .reply2xx)
    }

    var mxDomain: String {
        sim.network.host(named: mxName)?.world.localDomain ?? "domain.com"
    }

    /// A node's box, filled with its role (so a reverse-video role is one solid block), its lines centred.
    func node(_ slot: Rect, _ which: FlowNode, title: String, lines: [String], role: Role, flash: Bool = false, into f: inout Frame) {
        guard slot.width >= 4, slot.height >= 2 else { return }
        let hot = busy(which) || flash
        let boxRole: Role = hot ? .flowPacket : role
        let content = f.buffer.box(slot, title: title + (busy(which) && which != .dns ? " ⚙" : ""), role: boxRole,
                                   glyphs: ascii ? .ascii : (hot ? .heavy : .light))
        f.buffer.fill(content, role: boxRole)
        for (i, line) in lines.prefix(content.height).enumerated() {
            let lineRole: Role = boxRole == .border ? (i == 0 ? .text : .muted) : (i == 0 ? boxRole : .caption)
            f.center(line, in: content.row(i), role: lineRole)
        }
        f.hit(slot, .flowNode(which))
    }

    func learnerLines(_ n: Int) -> [(String, Role)] {
        state.shownTranscript.suffix(n).map { line in
            switch line.kind {
            case .you: return ("C: " + line.text, .transcriptYou)
            case .server(let code): return ("S: " + line.text, Role.reply(code))
            case .data: return ("D: " + line.text, .transcriptData)
            case .local: return ("· " + line.text, .transcriptLocal)
            }
        }
    }

    func relayLines(_ n: Int) -> [(String, Role)] {
        sim.hopLines.filter { $0.tick <= tick }.suffix(n).map { line in
            switch line.kind {
            case .client: return ("C: " + line.text, .transcriptYou)
            case .server(let code): return ("S: " + line.text, Role.reply(code))
            case .note: return ("· " + line.text, .transcriptLocal)
            }
        }
    }

    /// A hop's last lines under its title, wrapped (continuations hang under the text after "C: ") and showing the
    /// newest at the bottom.
    func hopTail(_ lines: [(String, Role)], in rect: Rect, title: String, into f: inout Frame) {
        guard rect.width > 10, rect.height > 1 else { return }
        f.buffer.put(TextWidth.truncated(title, fitting: rect.width), x: rect.x, y: rect.y, role: .muted)
        var rows: [(String, Role, first: Bool)] = []
        for line in lines {
            for (i, piece) in Wrap.lines(line.0, width: rect.width, hanging: Wrap.labelWidth(line.0)).enumerated() {
                rows.append((piece, line.1, i == 0))
            }
        }
        // The oldest line shown starts at its beginning: a sentence's tail alone at the top reads as nonsense.
        var shown = rows.suffix(rect.height - 1)
        while let top = shown.first, !top.first { shown = shown.dropFirst() }
        for (i, row) in shown.enumerated() {
            f.buffer.put(row.0, x: rect.x, y: rect.y + 1 + i, role: row.1, clip: rect)
        }
    }

    // MARK: - The strip (80x24)

    /// Row 1: Alice ═ smtp.example.com ─ mx.domain.com ─ Bob [n], the packets travelling on the links. Row 2: the
    /// resting envelope, DNS under the relay link (beside the path: mail never passes through it) and the
    /// recipient's address. Then the caption, the phases with the connection, and in a tall strip the hops' lines.
    mutating func strip(_ r: Rect, into f: inout Frame) {
        let names: [(FlowNode, String, Role)] = [
            (.sender, watched != nil ? "Client" : direct ? "You" : "Alice", .flowSender),
            (.server, direct ? "(bypassed)" : "smtp.example.com", .flowServer),
            (.mx, mxName, .flowServer),
            (.recipient, "\(recipientOwner) [\(recipientCount)]", recipientRole),
        ]
        let total = names.reduce(0) { $0 + TextWidth.width(of: $1.1) }
        let linkW = max(2, (r.width - total) / (names.count - 1))
        let y = r.y
        var x = r.x
        var spans: [FlowNode: (Int, Int)] = [:]
        var links: [Rect] = []
        let secure1 = learnerLinkSecure
        for (i, n) in names.enumerated() {
            let start = x
            let hot = busy(n.0) || (n.0 == .recipient && recipientJustArrived)
            x = f.buffer.put(n.1, x: x, y: y, role: hot ? .flowPacket : n.2, clip: r, reverse: hot)
            spans[n.0] = (start, x)
            f.hit(Rect(x: start, y: y, width: x - start, height: 1), n.0 == .server ? .relayHop : .flowNode(n.0))
            if i < names.count - 1 {
                let link = Rect(x: x, y: y, width: min(linkW, max(0, r.maxX - x)), height: 1)
                let secure = (i == 0 && secure1) || (i == 1 && relaySecure)
                f.drawLink(link, role: secure ? .flowTLS : .border, glyph: secure ? (ascii ? "=" : "═") : (ascii ? "-" : "─"))
                links.append(link)
                x = link.maxX
            }
        }
        guard links.count == 3 else { return }
        f.hit(links[1], .relayHop)
        // The learner's hop: Alice ↔ server, or (direct) the whole way to the MX.
        let learnerPath = direct ? Rect(x: links[0].x, y: y, width: links[1].maxX - links[0].x, height: 1) : links[0]
        for event in active {
            guard let p = event.progress(at: tick),
                  let (label0, role, reverse) = Self.packetLabel(event.kind, ascii: ascii, room: linkW + 4) else { continue }
            var label = label0
            let path: Rect, forward: Bool
            switch Set([event.from, event.to]) {
            case [.sender, .server], [.sender], [.sender, .mx]:
                path = learnerPath; forward = event.to != .sender
            case [.server, .mx]:
                path = links[1]; forward = event.to == .mx
            case [.mx, .recipient]:
                path = links[2]; forward = true
            case [.server, .senderMailbox]:
                path = links[0]; forward = false; label = ascii ? "<@" : "↩✉"
            default: continue  // DNS is drawn under the relay link, below
            }
            label = TextWidth.truncated(label, fitting: path.width)
            let travel = max(0, path.width - TextWidth.width(of: label))
            let offset = Int((forward ? p : 1 - p) * Double(travel))
            f.buffer.put(label, x: path.x + offset, y: y, role: role, clip: path, reverse: reverse)
        }
        guard r.height >= 2 else { return }
        stripSecondRow(r.row(1), spans: spans, relayLink: links[1], into: &f)
        guard r.height >= 3 else { return }
        phases(r.row(r.height - 1), into: &f)
        guard r.height >= 4 else { return }
        // A tall strip (the Flow section at 80x24): the caption, then the last lines of both hops.
        let captionRows = r.height >= 12 ? 3 : r.height - 3
        caption(Rect(x: r.x, y: r.y + 2, width: r.width, height: captionRows), into: &f)
        let rest = r.height - 3 - captionRows - 1
        if rest >= 4 {
            let top = r.y + 2 + captionRows + 1
            let half = rest / 2
            hopTail(learnerLines(half), in: Rect(x: r.x, y: top, width: r.width, height: half), title: learnerHopTitle, into: &f)
            if !direct {
                hopTail(relayLines(rest - half), in: Rect(x: r.x, y: top + half, width: r.width, height: rest - half),
                        title: "smtp.example.com ↔ \(mxName)  (r: the whole relay transcript)", into: &f)
            }
        }
    }

    /// The strip's second row: where the message rests, DNS under the relay link, the recipient's address.
    func stripSecondRow(_ row: Rect, spans: [FlowNode: (Int, Int)], relayLink: Rect, into f: inout Frame) {
        var addressX = row.maxX
        if let span = spans[.recipient] {
            let width = TextWidth.width(of: recipientAddress)
            addressX = max(row.x, min(row.maxX - width, span.0 + (span.1 - span.0 - width) / 2))
            f.buffer.put(TextWidth.truncated(recipientAddress, fitting: row.maxX - addressX), x: addressX, y: row.y,
                         role: recipientRole == .border ? .muted : .flowRecipient)
        }
        var restX = row.x
        if let at = restingAt, nothingInFlight {
            let key: FlowNode = at == .senderMailbox ? .sender : at
            if let span = spans[key] {
                let label = at == .senderMailbox ? "↳✉ Alice's mailbox" : "✉"
                let lx = span.0 + max(0, (span.1 - span.0 - TextWidth.width(of: label)) / 2)
                restX = f.buffer.put(label, x: lx, y: row.y, role: at == .senderMailbox ? .flowBounce : .flowPacket,
                                     clip: Rect(x: row.x, y: row.y, width: max(0, addressX - 1 - row.x), height: 1)) + 1
            }
        }
        // The MX's verdicts under its name, left of the recipient's address.
        var dnsEnd = addressX - 1
        if let checks, let mx = spans[.mx] {
            let parts = checksInline(checks)
            let width = parts.reduce(0) { $0 + TextWidth.width(of: $1.0) }
            var x = max(row.x, min(mx.0, addressX - 1 - width))
            dnsEnd = x - 1
            for (text, role) in parts { x = f.buffer.put(text, x: x, y: row.y, role: role, clip: Rect(x: row.x, y: row.y, width: max(0, addressX - row.x), height: 1)) }
        }
        // DNS: asked and answered beside the path, once a server has asked it something.
        guard let lookup = sim.lookup(at: tick), !direct || checks != nil else { return }
        let asking = active.contains { if case .dnsQuery = $0.kind { return true }; return false }
        let answering = active.contains { if case .dnsAnswer = $0.kind { return true }; return false }
        let text = (asking ? "↑ " : answering ? "↓ " : "") + "DNS: " + lookup
        let start = max(restX, relayLink.x)
        let room = dnsEnd - start
        guard room > 8 else { return }
        f.buffer.put(TextWidth.truncated(text, fitting: room), x: start, y: row.y,
                     role: asking || answering ? .flowPacket : .muted)
        f.hit(Rect(x: start, y: row.y, width: min(room, TextWidth.width(of: text)), height: 1), .flowNode(.dns))
    }
}

extension Rect {
    func offsetBy(dy: Int) -> Rect { Rect(x: x, y: y + dy, width: width, height: height) }
}
