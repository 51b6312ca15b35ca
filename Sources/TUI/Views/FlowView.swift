// The sender → server → recipient diagram. Every moving thing comes from the simulation's flow events at the
// current tick, so the view knows nothing of SMTP beyond labels and reply classes.
import SMTPCore

extension Frame {
    mutating func flow(_ state: AppState, _ rect: Rect, compact: Bool = false) {
        let inner = pane(rect, title: "Email flow", focused: state.focus == .flow)
        hit(rect, .pane(.flow))
        guard inner.height >= 3, inner.width >= 30 else { return }
        let sim = state.sim
        let tick = sim.tick
        let active = sim.flows.filter { $0.progress(at: tick) != nil }

        // Three nodes, evenly spread.
        let nodeWidth = min(24, max(10, (inner.width - 20) / 3))  // links keep room for a label to travel
        let gap = (inner.width - 3 * nodeWidth) / 2
        let xs = [inner.x, inner.x + nodeWidth + gap, inner.maxX - nodeWidth]
        let nodeRow = inner.y + (compact ? 0 : 1)
        let nodes: [(FlowNode, String, String, Role)] = [
            (.sender, "Sender", "alice@example.com", .flowSender),
            (.server, "SMTP Server", "smtp.example.com", .flowServer),
            (.recipient, "Recipient", "bob@domain.com", .flowRecipient),
        ]
        for (i, node) in nodes.enumerated() {
            let busy = active.contains { $0.from == node.0 && $0.to == node.0 }
            let box = Rect(x: xs[i], y: nodeRow, width: nodeWidth, height: compact ? 3 : 4)
            let glyphs: BoxGlyphs = ascii ? .ascii : (busy ? .heavy : .light)
            let content = buffer.box(box, role: node.3, glyphs: glyphs)
            var title = node.1
            if node.0 == .recipient { title += " [\(state.inboxCount)]" }
            if node.0 == .sender, active.contains(where: { $0.kind == .composing }) { title += " ✎" }
            if node.0 == .server, active.contains(where: { $0.kind == .processing }) { title += " ⚙" }
            center(title, in: content.row(0), role: node.3)
            if !compact { center(node.2, in: content.row(1), role: .caption) }
            hit(box, .flowNode(node.0))
        }

        // Links between the nodes; locked after TLS.
        let linkRow = nodeRow + (compact ? 1 : 2)
        let secured = state.visibleTLS && sim.isConnected
        let link1 = Rect(x: xs[0] + nodeWidth, y: linkRow, width: xs[1] - xs[0] - nodeWidth, height: 1)
        let link2 = Rect(x: xs[1] + nodeWidth, y: linkRow, width: xs[2] - xs[1] - nodeWidth, height: 1)
        drawLink(link1, role: secured ? .flowTLS : .border, glyph: ascii ? (secured ? "=" : "-") : (secured ? "═" : "─"))
        drawLink(link2, role: .border, glyph: ascii ? "-" : "─")
        if secured && link1.width > 8 { buffer.put(ascii ? "[TLS]" : "🔒TLS", x: link1.x + link1.width / 2 - 2, y: linkRow - 1, role: .flowTLS) }

        // Packets in flight.
        for event in active {
            guard let p = event.progress(at: tick) else { continue }
            let label: String, role: Role
            switch event.kind {
            case .command(let verb): label = "\(verb)→"; role = .flowPacket
            case .connecting: label = "SYN→"; role = .flowPacket
            case .reply(let code): label = "←\(code)"; role = Role.reply(code)
            case .bounce(let code): label = ascii ? "<-\(code) X" : "↩\(code)✉"; role = .flowBounce
            case .tlsHandshake: label = ascii ? "<TLS>" : "⇄TLS"; role = .flowTLS
            case .delivery: label = ascii ? "[mail]→" : "✉→"; role = .flowPacket
            case .composing, .processing: continue
            }
            let link = event.to == .recipient || event.from == .recipient ? link2 : link1
            guard link.width > 2 else { continue }
            let forward = event.to != .sender
            let travel = max(0, link.width - TextWidth.width(of: label))
            let offset = Int((forward ? p : 1 - p) * Double(travel))
            buffer.put(label, x: link.x + offset, y: linkRow, role: role, clip: link)
        }

        // Phases.
        if inner.height >= (compact ? 5 : 7) {
            let phaseRow = inner.maxY - 1
            let composing = active.contains { $0.kind == .composing } || (state.sim.isConnected && state.typing && !state.editor.isEmpty)
            let transmitting = active.contains { if case .command = $0.kind { return true }; if case .reply = $0.kind { return true }; return $0.kind == .tlsHandshake }
            let delivering = active.contains { if case .delivery = $0.kind { return true }; return false }
            var x = inner.x + 1
            for (name, on) in [("Composing", composing), ("Transmitting", transmitting), ("Delivering", delivering)] {
                x = buffer.put(on ? " ● \(name) " : " ○ \(name) ", x: x, y: phaseRow, role: on ? .flowPhaseActive : .flowPhaseIdle, clip: inner) + 1
            }
            let speed = state.paused ? "paused" : "speed ×\(App.speedLabel(state.speedQuarters))"
            // Simulated seconds, not ticks: a label that changes every frame would cost bytes on every frame.
            let info = "t = \(tick / SimulatedTime.ticksPerSecond) s · \(speed) · \(state.connectionLabel)"
            let ix = inner.maxX - TextWidth.width(of: info)
            if ix > x { buffer.put(info, x: ix, y: phaseRow, role: .muted) }
        }
    }

    mutating func drawLink(_ rect: Rect, role: Role, glyph: String) {
        guard rect.width > 0 else { return }
        for x in rect.x..<rect.maxX { buffer.put(glyph, x: x, y: rect.y, role: role) }
    }

    mutating func center(_ text: String, in rect: Rect, role: Role) {
        let shown = TextWidth.prefix(text, fitting: rect.width)
        buffer.put(shown, x: rect.x + max(0, (rect.width - TextWidth.width(of: shown)) / 2), y: rect.y, role: role, clip: rect)
    }
}
