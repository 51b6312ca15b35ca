// The presenter layout, for a projector: what is happening now as a banner in block letters, the caption large and
// central, the journey diagram big, and the last lines of the session; no command list, no hint bar.
import SMTPCore

extension Frame {
    mutating func presenter(_ state: AppState, _ area: Rect) {
        if state.demo?.blanked == true {
            buffer.fill(area, role: .background)
            return
        }
        var y = area.y
        // One line saying where we are in the story, and the keys that matter.
        buffer.fill(area.row(0), role: .header)
        let where_: String
        if let demo = state.demo {
            let auto = demo.autoplay ? " · autoplay \(demo.pace) s" : ""
            where_ = " ▶ \(demo.scenario.title) · step \(demo.step + 1) of \(demo.scenario.steps.count)\(auto)"
        } else {
            where_ = " ▶ smtp-tui · presenter view"
        }
        // A status message (what a key just did) takes the place of the key reminder. One text at a time: the
        // reminder shrinks to what fits whole, or goes; a status message too long ends in "…"; the title gives way.
        let reminders = state.demo != nil ? ["PgDn next · PgUp back · a auto · ? keys ", "PgDn next · ? keys ", "? keys "] : ["? keys "]
        let titleRoom = area.width - 1
        let title = TextWidth.truncated(where_, fitting: titleRoom)
        let x = buffer.put(title, x: area.x, y: y, role: .headerActive, clip: area.row(0))
        let room = area.maxX - x - 2
        let right: String?
        if let status = state.status, TextWidth.width(of: status.text) + 1 <= room {
            right = status.text + " "
        } else if let status = state.status, status.isError {
            right = room >= 12 ? TextWidth.truncated(status.text, fitting: room) + " " : nil
        } else {
            right = reminders.first { TextWidth.width(of: $0) <= room }
        }
        if let right {
            buffer.put(right, x: area.maxX - TextWidth.width(of: right), y: y, role: state.status?.isError == true ? .statusError : .header)
        }
        y += 1

        // The banner: five rows of blocks when there is room, three of half blocks, else plain bold text.
        let (text, role) = Self.bannerText(state)
        let rest = area.maxY - y
        let tall = rest >= 28 && BlockLetters.width(text) <= area.width - 2
        let short = !tall && rest >= 20 && BlockLetters.width(text) <= area.width - 2
        let rows = tall ? BlockLetters.rows(text) : short ? BlockLetters.halfRows(text) : [text]
        for (i, row) in rows.enumerated() {
            let w = TextWidth.width(of: row)
            buffer.put(row, x: area.x + max(0, (area.width - w) / 2), y: y + i, role: role, clip: area)
        }
        y += rows.count + 1

        // The caption: the step's own words in a demo, the simulation's otherwise; centred, up to three lines.
        let caption = state.demo.map(\.current.caption) ?? state.sim.currentCaption ?? ""
        let width = min(area.width - 4, 96)
        let wrapped = Wrap.lines(caption, width: width)
        let captionRows = min(wrapped.count, area.height >= 30 ? 4 : 3)
        var lines = Array(wrapped.prefix(captionRows))
        // A caption too long for its rows says so instead of stopping mid-sentence.
        if wrapped.count > captionRows, let lastLine = lines.last {
            lines[lines.count - 1] = TextWidth.prefix(lastLine, fitting: width - 1) + "…"
        }
        for (i, line) in lines.enumerated() {
            buffer.put(line, x: area.x + (area.width - TextWidth.width(of: line)) / 2, y: y + i, role: .caption, clip: area)
        }
        y += max(3, captionRows)

        // The journey as big as it fits; the session's last lines below. Where only the one-line strip fits, the
        // diagram keeps its strip, caption and phases (8 rows) and the rest goes to the session, so the line a
        // caption talks about is on screen.
        let left = area.maxY - y
        guard left >= 4 else { return }
        let chainFits = area.width - 2 >= 96 && left - 6 >= JourneyDrawing.fullHeight + 2
        let flowRows = chainFits ? min(left - 6, 24) : min(left, 8)
        flow(state, Rect(x: area.x, y: y, width: area.width, height: flowRows), compact: !chainFits)
        let tail = Rect(x: area.x, y: y + flowRows, width: area.width, height: area.maxY - y - flowRows)
        guard tail.height >= 3 else { return }
        let d = JourneyDrawing(state: state, ascii: ascii)
        // While the story is in the relay hop, that hop's lines: the servers' own conversation.
        if Self.showsRelay(state) {
            let inner = pane(tail, title: "\(state.sim.network.submissionHostName) ↔ \(state.sim.shownMX) · the relay hop, port 25", focused: false)
            for (i, line) in d.relayLines(inner.height).suffix(inner.height).enumerated() {
                buffer.put(TextWidth.truncated(line.0, fitting: inner.width), x: inner.x, y: inner.y + i, role: line.1, clip: inner)
            }
            return
        }
        let inner = pane(tail, title: "telnet \(state.sim.host.name) \(state.sim.host.port)", focused: false)
        // The line being typed goes last, so the room sees it appear character by character.
        let typing: [(String, Role)] = state.demo.map { !$0.sent } == true
            ? [((state.sim.session?.phase == .data ? "D: " : "C: ") + String(state.editor.text) + "▏", .input)] : []
        for (i, line) in (d.learnerLines(inner.height - typing.count) + typing).enumerated() {
            buffer.put(TextWidth.truncated(line.0, fitting: inner.width), x: inner.x, y: inner.y + i, role: line.1, clip: inner)
        }
    }

    /// The story's step waits inside the relay hop (its DNS answer, a relay command, the receiving server's checks).
    static func showsRelay(_ state: AppState) -> Bool {
        switch state.demo?.current.wait {
        case .lookup?, .relay?, .checks?: return true
        default: return false
        }
    }

    /// What the banner shows: the verb being typed, then the reply code, or the journey's stage while it travels.
    static func bannerText(_ state: AppState) -> (String, Role) {
        if let demo = state.demo, let line = demo.pendingLine ?? (demo.sent ? nil : "") {
            return (verb(of: line, in: state), .banner)
        }
        // Inside the relay hop: the servers' command, then its reply code.
        if let demo = state.demo {
            switch demo.current.wait {
            case .relay(let verb)?:
                if let reply = DemoWait.relayReply(verb, in: state.sim.hopLines, since: demo.since), reply.tick <= state.sim.tick,
                   case .server(let code) = reply.kind {
                    return ("\(code)", Role.reply(code))
                }
                return (verb == "." ? "MESSAGE" : verb == "220" ? "CONNECT" : verb, .flowServer)
            case .checks?:
                return ("CHECKS", .flowServer)
            default: break
            }
        }
        if state.demo?.current.wait != nil, let stage = state.sim.currentStage {
            switch stage {
            case .dnsLookup: return ("DNS MX?", .flowServer)
            case .relaying: return ("RELAY", .flowServer)
            case .deferred: return ("LATER", .reply4xx)
            case .delivered: return ("DELIVERED", .reply2xx)
            case .bounced: return ("BOUNCE", .flowBounce)
            default: break
            }
        }
        // The reply once it has arrived; until then the command still on its way.
        if let demo = state.demo {
            let answered = state.transcript.dropFirst(demo.sentMark).last { if case .server = $0.kind { return true }; return false }
            if case .server(let code)? = answered?.kind { return ("\(code)", Role.reply(code)) }
            return (verb(of: demo.current.send[0], in: state), .banner)
        }
        if let code = state.lastServerCode { return ("\(code)", Role.reply(code)) }
        return ("SMTP", .banner)
    }

    static func verb(of line: String, in state: AppState) -> String {
        if line == "." { return "END" }
        if state.sim.session?.phase == .data { return "BODY" }
        let first = line.split(separator: " ").first.map { String($0.prefix(9)).uppercased() } ?? ""
        if first.hasPrefix("MAIL") { return "MAIL" }
        if first.hasPrefix("RCPT") { return "RCPT" }
        return first.isEmpty ? "WAIT" : first
    }
}
