// The journey diagram: Alice's mail client → smtp.example.com (submission) → DNS → the MX → the recipient's mailbox,
// with Alice's own mailbox (where bounces land) under her server. Everything that moves comes from the simulation's
// flow events at the current tick, and where the message is comes from its journey stage, so the picture is a pure
// function of the state. Three sizes: a one-line strip (80x24), the full chain (120x36), and the full chain with
// the hops' last lines beside it (200x60).
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
        let shown = TextWidth.prefix(text, fitting: rect.width)
        buffer.put(shown, x: rect.x + max(0, (rect.width - TextWidth.width(of: shown)) / 2), y: rect.y, role: role,
                   clip: rect, reverse: reverse)
    }
}

/// What the diagram needs from the state at this tick, computed once per frame.
struct JourneyDrawing {
    static let fullHeight = 13

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
        let submission = sim.network.submissionHostName
        let recipient = sim.arrivals.last(where: { !$0.isBounce && $0.host != submission })?.mailbox ?? "bob@domain.com"
        recipientAddress = recipient
        recipientCount = sim.arrivals.reduce(0) { $0 + ($1.mailbox == recipient ? 1 : 0) }
        aliceBox = sim.arrivals.filter { $0.mailbox == "alice@example.com" }
        stageDetail = Self.detail(stage, tick: now, learnerHost: sim.host.name)
    }

    // MARK: - Words

    var recipientTitle: String { "\(Narration.owner(of: recipientAddress))'s mailbox" }

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
            let text = TextWidth.prefix("✉ " + label, fitting: max(1, min(24, room * 2 / 3 - 2)))
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
        case .relaying?:
            // Before its DATA flight the message is still in the queue; after it, at the MX.
            let flown = sim.flows.contains { if case .message = $0.kind { return $0.from == .server && $0.end <= tick }; return false }
            return flown ? .mx : .server
        case .delivered(_, let host)?: return host == sim.network.submissionHostName ? .senderMailbox : .recipient
        case .bounced?: return .senderMailbox
        default: return nil
        }
    }

    // MARK: - Phases

    /// "● Composing ─ ○ Transmitting ─ ● Delivering: asking DNS … ─ ○ Delivered", plus the clock and connection.
    func phases(_ row: Rect, into f: inout Frame, info: Bool = true) {
        let current = stage?.phase ?? .idle
        let items: [(String, JourneyStage.Phase)] = [("Composing", .composing), ("Transmitting", .transmitting),
                                                      ("Delivering", .delivering),
                                                      (current == .bounced ? "Bounced" : "Delivered", current == .bounced ? .bounced : .delivered)]
        // Narrow rows: first the clock goes, then the detail (the caption says it too), then inactive names shrink.
        let speed = state.paused ? " paused (p)" : state.speedQuarters != 4 ? " ×\(App.speedLabel(state.speedQuarters))" : ""
        let full = items.reduce(0) { $0 + TextWidth.width(of: $1.0) + 5 } + TextWidth.width(of: stageDetail) + 2
        let withDetail = full + TextWidth.width(of: speed) <= row.width
        let short = items.reduce(0) { $0 + TextWidth.width(of: $1.0) + 5 } > row.width
        var x = row.x
        // The phases come first; then pause and speed (a learner must see why nothing moves); then the connection
        // and the clock, where the row has room.
        let phasesWidth = items.reduce(0) { $0 + TextWidth.width(of: $1.0) + 5 } + TextWidth.width(of: stageDetail) + 2
        var right = info ? " \(state.connectionLabel) · t \(tick / SimulatedTime.ticksPerSecond) s" + (speed.isEmpty ? "" : " ·" + speed) : speed
        if phasesWidth + TextWidth.width(of: right) > row.width { right = speed }
        let room = Rect(x: row.x, y: row.y, width: max(0, row.width - TextWidth.width(of: right)), height: 1)
        for (i, item) in items.enumerated() {
            let on = item.1 == current
            var text = (on ? "● " : "○ ") + (short && !on ? String(item.0.prefix(4)) : item.0)
            if on, withDetail, !stageDetail.isEmpty { text += ": " + stageDetail }
            if i > 0 { x = f.buffer.put(" ─ ", x: x, y: row.y, role: .flowPhaseIdle, clip: room) }
            x = f.buffer.put(text, x: x, y: row.y, role: on ? (current == .bounced ? .flowBounce : .flowPhaseActive) : .flowPhaseIdle,
                             clip: room, reverse: on)
        }
        if !right.isEmpty { f.buffer.put(right, x: row.maxX - TextWidth.width(of: right), y: row.y, role: speed.isEmpty ? .muted : .flowPhaseActive, clip: row) }
    }

    func caption(_ rect: Rect, into f: inout Frame) {
        let text = sim.currentCaption ?? (sim.session == nil
            ? "Alice wants to e-mail Bob. Type `connect` (or follow Next:) and watch the message travel, hop by hop."
            : "")
        f.buffer.wrapped(text, in: rect, role: .caption)
    }

    // MARK: - The full chain

    mutating func chain(_ r: Rect, into f: inout Frame) {
        let large = r.height >= 17
        let chainRows = large ? 4 : 3
        let captionRows = large ? 2 : 1
        // Columns: four boxes on the chain, three links between them.
        // Boxes wide enough for "smtp.example.com"; links keep room for a packet to travel (narrower below 110).
        let boxW = max(18, min(28, (r.width - 3 * (r.width < 110 ? 8 : 12)) / 4))
        let linkW = max(4, (r.width - 4 * boxW) / 3)
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
        let dnsW = min(r.width * 2 / 5, max(boxW + 4, 36))
        let dnsRect = Rect(x: xs[1] + boxW + linkW / 2 - dnsW / 2, y: dnsY, width: dnsW, height: 3)
        let linkRow = chainY + 1
        let link1 = Rect(x: xs[0] + boxW, y: linkRow, width: linkW, height: 1)
        let link2 = Rect(x: xs[1] + boxW, y: linkRow, width: linkW, height: 1)
        let link3 = Rect(x: xs[2] + boxW, y: linkRow, width: xs[3] - xs[2] - boxW, height: 1)

        // Links first, so packets draw over them; locked (double line) once TLS protects the hop.
        let secure1 = learnerLinkSecure
        f.drawLink(direct ? link2 : link1, role: secure1 ? .flowTLS : .border, glyph: secure1 ? (ascii ? "=" : "═") : (ascii ? "-" : "─"))
        if !direct {
            f.drawLink(link2, role: relaySecure ? .flowTLS : (relayOpen ? .flowServer : .border),
                       glyph: relaySecure ? (ascii ? "=" : "═") : (ascii ? "-" : "─"))
        } else {
            f.drawLink(link1, role: .muted, glyph: " ")
        }
        f.drawLink(link3, role: .border, glyph: ascii ? "-" : "─")
        // What runs on each link: the protocol and port, "+TLS" once the hop is encrypted.
        let label1 = direct ? "SMTP 25" : (secure1 ? "587+TLS" : "SMTP 587")
        let label2 = (direct ? secure1 : relaySecure) ? "25+TLS" : "SMTP 25"
        if !direct { f.center(label1, in: link1.row(0).offsetBy(dy: 1), role: secure1 ? .flowTLS : .muted) }
        f.center(label2, in: link2.row(0).offsetBy(dy: 1), role: (direct ? secure1 : relaySecure) ? .flowTLS : .muted)
        f.center("deliver", in: link3.row(0).offsetBy(dy: 1), role: .muted)
        f.hit(Rect(x: link2.x, y: chainY, width: link2.width, height: chainRows), direct ? .pane(.flow) : .relayHop)

        // The DNS box and its connector down to the relay link.
        let dnsBusy = busy(.dns)
        let dnsInner = f.buffer.box(dnsRect, title: "DNS", role: dnsBusy ? .flowPacket : .flowServer,
                                    glyphs: ascii ? .ascii : (dnsBusy ? .heavy : .light))
        f.center(dnsText, in: dnsInner.row(0), role: dnsBusy ? .flowPacket : .caption)
        f.hit(dnsRect, .flowNode(.dns))
        let connX = dnsRect.x + dnsRect.width / 2
        f.buffer.put(ascii ? "|" : "┆", x: connX, y: dnsY + 3, role: .border)

        // The nodes.
        let senderSlot = slots[.sender] ?? .zero
        let serverSlot = slots[.server] ?? .zero
        // Titles say the role, the first line the host: both are what a learner must connect. Narrow boxes get
        // the short titles rather than cut ones.
        func title(_ full: String, _ short: String) -> String { TextWidth.width(of: full) <= boxW - 6 ? full : short }
        if let watched {
            node(senderSlot, .sender, title: title("Real client", "Client"), lines: [watched.peer, "a real program"],
                 role: .flowSender, into: &f)
        } else {
            node(direct ? serverSlot : senderSlot, .sender, title: direct ? "You (client)" : title("Alice's client", "Alice"),
                 lines: direct ? ["client.example.com", "port 25 client"] : [boxW >= 19 ? "alice@example.com" : "mail program", "alice@example.com"],
                 role: .flowSender, into: &f)
        }
        if direct {
            f.buffer.put("(not used)", x: senderSlot.x + 1, y: senderSlot.y + 1, role: .muted, clip: senderSlot)
        } else {
            node(serverSlot, .server, title: title("Alice's server", "Submission"), lines: ["smtp.example.com", "submission · 587"], role: .flowServer, into: &f)
        }
        node(slots[.mx] ?? .zero, .mx, title: "MX server", lines: [mxName, "port 25 · \(mxDomain)"], role: .flowServer, into: &f)
        let rcptFlash = justArrived { !$0.isBounce && $0.host != self.sim.network.submissionHostName }
        node(slots[.recipient] ?? .zero, .recipient, title: TextWidth.width(of: recipientTitle) <= lastW - 6 ? recipientTitle : "Mailbox",
             lines: ["✉ \(recipientCount) message\(recipientCount == 1 ? "" : "s")", recipientAddress],
             role: .flowRecipient, flash: rcptFlash, into: &f)
        let bounces = aliceBox.filter(\.isBounce).count
        let aliceFlash = justArrived { $0.mailbox == "alice@example.com" }
        node(slots[.senderMailbox] ?? .zero, .senderMailbox, title: TextWidth.width(of: "Alice's mailbox") <= boxW - 4 ? "Alice's mailbox" : "Alice's box",
             lines: [bounces == 0 ? "bounces land here" : "\(bounces) bounce\(bounces == 1 ? "" : "s") (DSN)",
                     "\(aliceBox.count) message\(aliceBox.count == 1 ? "" : "s")"],
             role: bounces > 0 ? .flowBounce : .flowSender, flash: aliceFlash, into: &f)
        f.buffer.put(ascii ? "|" : "┆", x: serverSlot.x + boxW / 2, y: chainY + chainRows, role: .border)

        // The envelope at rest: inside the box where the message is now.
        if let at = restingAt, active.allSatisfy({ if case .message = $0.kind { return false }; return true }) {
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
            if pair == [.server, .dns] || pair == [.dns] {
                // Up and down the connector: drawn beside it, above the relay link.
                let y = chainY - 1
                let shown = (event.to == .dns ? "↑ " : "↓ ") + label
                f.buffer.put(shown, x: connX + 2, y: y, role: role, clip: Rect(x: r.x, y: y, width: r.width, height: 1))
                continue
            } else if pair == [.server, .senderMailbox] {
                let y = chainY + chainRows
                f.buffer.put("↓ " + label, x: serverSlot.x + boxW / 2 + 2, y: y, role: role, clip: r)
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
            let travel = max(0, path.width - TextWidth.width(of: label))
            let offset = Int((forward ? p : 1 - p) * Double(travel))
            f.buffer.put(label, x: path.x + offset, y: path.y, role: role, clip: path, reverse: reverse)
        }

        // At 200x60: the last lines of each hop beside the diagram.
        if large, boxY + 1 < captionY {
            let rows = captionY - boxY - 1
            let left = Rect(x: r.x, y: boxY, width: xs[1] - r.x - 1, height: rows)
            let right = Rect(x: serverSlot.maxX + 2, y: boxY, width: r.maxX - serverSlot.maxX - 2, height: rows)
            hopTail(learnerLines(rows), in: left, title: learnerHopTitle, into: &f)
            if !direct { hopTail(relayLines(rows), in: right, title: "smtp.example.com ↔ \(mxName)  (r: full transcript)", into: &f) }
        }
        caption(Rect(x: r.x + 1, y: captionY, width: r.width - 2, height: captionRows), into: &f)
    }

    var mxDomain: String {
        sim.network.host(named: mxName)?.world.localDomain ?? "domain.com"
    }

    func node(_ slot: Rect, _ which: FlowNode, title: String, lines: [String], role: Role, flash: Bool = false, into f: inout Frame) {
        guard slot.width >= 4, slot.height >= 2 else { return }
        let hot = busy(which) || flash
        let content = f.buffer.box(slot, title: title + (busy(which) && which != .dns ? " ⚙" : ""), role: hot ? .flowPacket : role,
                                   glyphs: ascii ? .ascii : (hot ? .heavy : .light))
        for (i, line) in lines.prefix(content.height).enumerated() {
            f.center(line, in: content.row(i), role: i == 0 ? role : .caption)
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

    func hopTail(_ lines: [(String, Role)], in rect: Rect, title: String, into f: inout Frame) {
        guard rect.width > 10, rect.height > 1 else { return }
        f.buffer.put(TextWidth.prefix(title, fitting: rect.width), x: rect.x, y: rect.y, role: .muted)
        for (i, line) in lines.suffix(rect.height - 1).enumerated() {
            f.buffer.put(TextWidth.prefix(line.0, fitting: rect.width), x: rect.x, y: rect.y + 1 + i, role: line.1, clip: rect)
        }
    }

    // MARK: - The one-line strip (80x24)

    mutating func strip(_ r: Rect, into f: inout Frame) {
        let names: [(FlowNode, String, Role)] = [
            (.sender, watched != nil ? "Client" : direct ? "You" : "Alice", .flowSender),
            (.server, direct ? "(bypassed)" : "smtp.example.com", .flowServer),
            (.dns, "DNS", .flowServer),
            (.mx, mxName, .flowServer),
            (.recipient, "\(Narration.owner(of: recipientAddress)) [\(recipientCount)]", .flowRecipient),
        ]
        let total = names.reduce(0) { $0 + TextWidth.width(of: $1.1) }
        let linkW = max(2, (r.width - total) / 4)
        let y = r.y
        var x = r.x
        var spans: [FlowNode: (Int, Int)] = [:]
        var links: [Rect] = []
        let secure1 = learnerLinkSecure
        for (i, n) in names.enumerated() {
            let start = x
            let hot = busy(n.0) || (n.0 == .recipient && justArrived { !$0.isBounce && $0.host != self.sim.network.submissionHostName })
            x = f.buffer.put(n.1, x: x, y: y, role: hot ? .flowPacket : n.2, clip: r, reverse: hot)
            spans[n.0] = (start, x)
            f.hit(Rect(x: start, y: y, width: x - start, height: 1), n.0 == .server || n.0 == .dns ? .relayHop : .flowNode(n.0))
            if i < names.count - 1 {
                let link = Rect(x: x, y: y, width: min(linkW, max(0, r.maxX - x)), height: 1)
                let secure = (i == 0 && secure1) || ((i == 1 || i == 2) && relaySecure)
                f.drawLink(link, role: secure ? .flowTLS : .border, glyph: secure ? (ascii ? "=" : "═") : (ascii ? "-" : "─"))
                links.append(link)
                x = link.maxX
            }
        }
        guard links.count == 4 else { return }
        // The learner's hop: Alice ↔ server, or (direct) the whole way to the MX.
        let learnerPath = direct ? Rect(x: links[0].x, y: y, width: links[2].maxX - links[0].x, height: 1) : links[0]
        let relayPath = Rect(x: links[1].x, y: y, width: links[2].maxX - links[1].x, height: 1)
        for event in active {
            guard let p = event.progress(at: tick),
                  let (label0, role, reverse) = Self.packetLabel(event.kind, ascii: ascii, room: 14) else { continue }
            let pair = Set([event.from, event.to])
            var label = label0
            let path: Rect, forward: Bool
            switch pair {
            case [.sender, .server], [.sender], [.sender, .mx]:
                path = learnerPath; forward = event.to != .sender
            case [.server, .dns], [.dns]:
                path = links[1]; forward = event.to == .dns; label = event.to == .dns ? "MX?" : "MX!"
            case [.server, .mx]:
                path = relayPath; forward = event.to == .mx
            case [.mx, .recipient]:
                path = links[3]; forward = true
            case [.server, .senderMailbox]:
                path = links[0]; forward = false; label = ascii ? "<@" : "↩✉"
            default: continue
            }
            if TextWidth.width(of: label) > path.width - 2, case .message(_, let subject) = event.kind {
                label = path.width >= 6 ? "[" + TextWidth.prefix("✉ " + subject, fitting: path.width - 4) + "]" : "✉"
            }
            if TextWidth.width(of: label) > path.width { label = TextWidth.prefix(label, fitting: path.width) }
            let travel = max(0, path.width - TextWidth.width(of: label))
            let offset = Int((forward ? p : 1 - p) * Double(travel))
            f.buffer.put(label, x: path.x + offset, y: y, role: role, clip: path, reverse: reverse)
        }
        guard r.height >= 2 else { return }
        // Row 2: where the message is, and Alice's mailbox when it holds something.
        let row = r.row(1)
        if let at = restingAt, active.allSatisfy({ if case .message = $0.kind { return false }; return true }) {
            let key: FlowNode = at == .senderMailbox ? .sender : at
            if let span = spans[key] {
                let label = at == .senderMailbox ? "↳✉ Alice's mailbox" : "✉"
                f.buffer.put(label, x: span.0 + max(0, (span.1 - span.0 - TextWidth.width(of: label)) / 2), y: row.y,
                             role: at == .senderMailbox ? .flowBounce : .flowPacket, clip: row)
            }
        }
        let info = " \(state.connectionLabel)" + (state.paused ? " · paused" : "")
        f.buffer.put(info, x: row.maxX - TextWidth.width(of: info), y: row.y, role: .muted, clip: row)
        guard r.height >= 3 else { return }
        let phaseRow = r.row(r.height - 1)
        phases(phaseRow, into: &f, info: false)
        guard r.height >= 4 else { return }
        // A tall strip (the Flow section at 80x24): the caption, then the last lines of both hops.
        let captionRows = r.height >= 12 ? 3 : r.height - 3
        caption(Rect(x: r.x, y: r.y + 2, width: r.width, height: captionRows), into: &f)
        let rest = r.height - 3 - captionRows - 1
        if rest >= 4 {
            let top = r.y + 2 + captionRows + 1
            let half = rest / 2
            hopTail(learnerLines(half - 1), in: Rect(x: r.x, y: top, width: r.width, height: half),
                    title: learnerHopTitle, into: &f)
            if !direct {
                hopTail(relayLines(rest - half - 1), in: Rect(x: r.x, y: top + half, width: r.width, height: rest - half),
                        title: "smtp.example.com ↔ \(mxName)  (r: the whole relay transcript)", into: &f)
            }
        }
    }
}

extension Rect {
    func offsetBy(dy: Int) -> Rect { Rect(x: x, y: y + dy, width: width, height: height) }
}
