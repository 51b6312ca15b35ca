// The simulated telnet session: header with the connection indicator, the colour-coded transcript with its
// legend, the suggested next command and the input line.
import SMTPCore

extension Frame {
    mutating func terminal(_ state: AppState, _ rect: Rect) {
        let focused = state.focus == .terminal
        var title = state.live?.watched.map { "real client #\($0.id) \($0.peer) → \(state.live?.address ?? "")" }
            ?? "telnet \(state.sim.host.name) \(state.sim.host.port)"
        if let active = state.learn.active, let mission = state.learn.mission(active.id) {
            // The mission in play, always in sight: its checklist count, lines against par (6 shows it whole).
            let done = active.verdict.checks.filter(\.passed).count
            title += active.passed ? " · ✓ mission done (6)" : " · mission \(done)/\(active.verdict.checks.count) · \(active.commands)/\(mission.par) lines (6)"
        }
        let inner = pane(rect, title: title, focused: focused)
        hit(rect, .pane(.terminal))
        guard inner.height >= 4, inner.width >= 10 else { return }
        // Indicator and legend.
        let indicator = "● \(state.connectionLabel)"
        let role: Role
        switch state.connectionLabel {
        case "Offline", "Closed": role = .muted
        case "Connection lost": role = .reply5xx
        default: role = .reply2xx
        }
        var x = buffer.put(indicator, x: inner.x, y: inner.y, role: role, clip: inner)
        x = buffer.put("   ", x: x, y: inner.y, role: .text, clip: inner)
        // The legend names each role by its prefix too, so it reads without colour.
        for (mark, label, r) in [("C:", state.live?.watched == nil ? "You" : "Client", Role.transcriptYou), ("S:", "Server", .transcriptServer),
                                 ("D:", "Data", .transcriptData), ("·", "Local", .transcriptLocal)] {
            x = buffer.put(mark + " ", x: x, y: inner.y, role: r, clip: inner)
            x = buffer.put(label + "  ", x: x, y: inner.y, role: .muted, clip: inner)
        }
        if state.paused {
            buffer.put(" ‖ paused — p resumes ", x: inner.maxX - 22, y: inner.y, role: .statusError, clip: inner)
        }

        // Suggestion and input at the bottom.
        let inputRow = inner.maxY - 1
        let watching = state.live?.watched != nil
        let suggestion = watching ? nil : Suggestion.next(for: state)
        let over = state.live?.watched?.isClosed(at: state.sim.tick) == true
        let shown = watching ? (over ? "nothing: that real client's session is over" : "nothing to type: a real program is talking") : suggestion.map { $0.isEmpty ? "(an empty line)" : $0 } ?? "…"
        let reason = watching ? "each line appears when the diagram delivers it; Ctrl-N next, Ctrl-P your own"
            : (suggestion == nil ? "" : "Tab ⇥ · ") + Suggestion.why(for: state)
        // The reason goes on its own row when the two do not fit on one.
        let oneRow = 6 + TextWidth.width(of: shown) + 2 + TextWidth.width(of: reason) <= inner.width || inner.height < 12
        let suggestionRow = inner.maxY - (oneRow ? 2 : 3)
        var sx = buffer.put("Next: ", x: inner.x, y: suggestionRow, role: .caption, clip: inner)
        let suggestionStart = sx
        sx = buffer.put(shown, x: sx, y: suggestionRow, role: .keyhintKey, clip: inner)
        if suggestion != nil { hit(Rect(x: suggestionStart, y: suggestionRow, width: sx - suggestionStart, height: 1), .suggestion) }
        if oneRow {
            buffer.putTruncated("  " + reason, x: sx, y: suggestionRow, width: inner.maxX - sx, role: .muted)
        } else {
            buffer.putTruncated("      " + reason, x: inner.x, y: suggestionRow + 1, width: inner.width, role: .muted)
        }
        let all = "View all commands"
        let ax = inner.maxX - TextWidth.width(of: all)
        if inner.width > 60 && !state.paused && x < ax {   // never over the legend
            buffer.put(all, x: ax, y: inner.y, role: .keyhintKey)
            hit(Rect(x: ax, y: inner.y, width: TextWidth.width(of: all), height: 1), .viewAllCommands)
        }
        let prompt = state.sim.session?.phase == .data ? "D: " : "C: "
        let px = buffer.put(prompt, x: inner.x, y: inputRow, role: .transcriptYou, clip: inner)
        let field = Rect(x: px, y: inputRow, width: inner.maxX - px, height: 1)
        buffer.fill(field, role: .input)
        let view = state.editor.viewport(width: field.width)
        buffer.put(view.text, x: field.x, y: inputRow, role: .input, clip: field)
        if state.editor.isEmpty, let watched = state.live?.watched {
            buffer.put("(watching real client #\(watched.id): type, or Ctrl-P, to return to your own session)", x: field.x, y: inputRow, role: .muted, clip: field)
        }
        if focused && state.typing && state.popup == nil {
            buffer.cursor = (field.x + view.cursorColumn, inputRow)
        } else if state.editor.isEmpty && !state.typing && focused && state.live?.watched == nil {
            buffer.put("(Esc left the input line — press i, 3 or click here to type)", x: field.x, y: inputRow, role: .muted, clip: field)
        }

        // The selected line's explanation, above the suggestion.
        var explanationRows = 0
        let transcript = state.shownTranscript
        if let selected = state.selectedTranscriptLine, transcript.indices.contains(selected), inner.height >= 12 {
            let text = Explanation.of(transcript[selected])
            var lines = Wrap.lines("» " + text, width: inner.width, hanging: 2)
            let room = max(2, min(6, (inner.height - 4) / 3))
            if lines.count > room { lines = Array(lines.prefix(room - 1)) + [TextWidth.prefix("… Enter shows it all", fitting: inner.width)] }
            explanationRows = lines.count
            let top = suggestionRow - explanationRows
            for (i, line) in lines.prefix(explanationRows).enumerated() {
                buffer.put(line, x: inner.x, y: top + i, role: .caption, clip: inner)
            }
        }

        // Transcript, newest at the bottom, wrapped.
        var top = inner.y + 1
        if let board = state.live, inner.height >= 8 {
            liveTabs(board, tick: state.sim.tick, ascii: state.ascii, row: Rect(x: inner.x, y: top, width: inner.width, height: 1))
            top += 1
        }
        let area = Rect(x: inner.x, y: top, width: inner.width, height: suggestionRow - explanationRows - top)
        guard area.height > 0 else { return }
        var rows: [(text: String, role: Role, codeRole: Role?, index: Int)] = []
        // Only wrap what can be shown: walk back from the end.
        let needed = area.height + state.transcriptScroll
        let selected = state.selectedTranscriptLine.flatMap { transcript.indices.contains($0) ? $0 : nil }
        var index = transcript.count - 1
        while index >= 0 && (rows.count < needed || (selected.map { index >= $0 } ?? false)) {
            let line = transcript[index]
            let (prefix, role, codeRole) = Self.style(line, prefixes: state.showPrefixes)
            // Continuation rows hang under the text, after the "C: " prefix, so they never read as new lines.
            let wrapped = Wrap.lines(prefix + line.text, width: area.width, hanging: prefix.isEmpty ? 2 : TextWidth.width(of: prefix))
            for (n, piece) in wrapped.enumerated().reversed() {
                rows.insert((piece, role, n == 0 ? codeRole : nil, index), at: 0)
            }
            index -= 1
        }
        var end = max(0, rows.count - state.transcriptScroll)
        if let selected, let first = rows.firstIndex(where: { $0.index == selected }) {
            // Keep the selected line on screen, like any list.
            let last = rows.lastIndex(where: { $0.index == selected }) ?? first
            if first < end - area.height { end = min(rows.count, first + area.height) }
            if last >= end { end = min(rows.count, last + 1) }
        }
        let start = max(0, end - area.height)
        for (row, item) in rows[start..<end].enumerated() {
            let y = area.y + row
            let selected = state.selectedTranscriptLine == item.index
            buffer.put(item.text, x: area.x, y: y, role: item.role, clip: area)
            if let codeRole = item.codeRole {
                // Colour the reply code by its class.
                let codeStart = state.showPrefixes ? 3 : 0
                buffer.restyle(Rect(x: area.x + codeStart, y: y, width: 3, height: 1), role: codeRole)
            }
            if selected { buffer.restyle(Rect(x: area.x, y: y, width: area.width, height: 1), role: .selection) }
            hit(Rect(x: area.x, y: y, width: area.width, height: 1), .transcriptLine(item.index))
        }
        if end < rows.count {
            let note = "↓ \(rows.count - end) more (PgDn)"
            buffer.put(note, x: area.maxX - TextWidth.width(of: note), y: area.y, role: .muted)
        }
    }

    /// Live mode's session tabs: the learner's own first, then each real client's; the watched one highlighted.
    mutating func liveTabs(_ board: LiveBoard, tick: Int, ascii: Bool, row: Rect) {
        var tabs: [(id: Int?, label: String)] = [(nil, "You (simulated)")]
        tabs += board.sessions.map { ($0.id, $0.tabLabel(at: tick, ascii: ascii)) }
        if board.sessions.isEmpty {
            let x = put(tabs[0], watched: board.watching == nil, x: row.x, row: row)
            buffer.putTruncated("  listening on \(board.address): point a client at it, or x in Code examples runs one",
                                x: x, y: row.y, width: row.maxX - x, role: .muted)
            return
        }
        // Too many to fit: the oldest give way, the watched one always stays.
        let gap = ascii ? " | " : " │ "
        func width(_ list: ArraySlice<(id: Int?, label: String)>) -> Int {
            list.reduce(0) { $0 + TextWidth.width(of: $1.label) + 2 + TextWidth.width(of: gap) } + 2
        }
        var shown = tabs[1...]
        while width(shown) + TextWidth.width(of: tabs[0].label) > row.width, shown.count > 1 {
            if shown.first?.id == board.watching, shown.count > 1 { shown.removeLast() } else { shown.removeFirst() }
        }
        var x = put(tabs[0], watched: board.watching == nil, x: row.x, row: row)
        if shown.first?.id != tabs[1].id { x = buffer.put(gap + "…", x: x, y: row.y, role: .muted, clip: row) }
        for tab in shown {
            x = buffer.put(gap, x: x, y: row.y, role: .muted, clip: row)
            x = put(tab, watched: board.watching == tab.id, x: x, row: row)
        }
    }

    private mutating func put(_ tab: (id: Int?, label: String), watched: Bool, x: Int, row: Rect) -> Int {
        let text = " \(tab.label) "
        let end = buffer.put(text, x: x, y: row.y, role: watched ? .selection : .keyhintKey, clip: row)
        hit(Rect(x: x, y: row.y, width: end - x, height: 1), .liveTab(tab.id))
        return end
    }

    static func style(_ line: TranscriptLine, prefixes: Bool) -> (String, Role, Role?) {
        switch line.kind {
        case .you: return (prefixes ? "C: " : "", .transcriptYou, nil)
        case .server(let code): return (prefixes ? "S: " : "", .transcriptServer, Role.reply(code))
        case .data: return (prefixes ? "D: " : "", .transcriptData, nil)
        case .local: return (prefixes ? "·  " : "", .transcriptLocal, nil)
        }
    }
}
