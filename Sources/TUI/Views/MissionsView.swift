// The Missions section: the missions by chapter with a tick for each one done, and for the selected one its goal,
// the live checklist while it is being played, the lines used against par, the hints taken, and when it passes,
// the tick and why it worked.
import SMTPCore

extension Frame {
    mutating func missions(_ state: AppState, _ rect: Rect) {
        let learn = state.learn
        let focused = state.focus == .missions
        let inner = pane(rect, title: "Missions · \(learn.doneCount) of \(learn.missions.count) done", focused: focused)
        hit(rect, .pane(.missions))
        guard inner.height > 2, inner.width > 10 else { return }
        guard !learn.missions.isEmpty else {
            buffer.wrapped("No missions loaded.", in: inner, role: .muted)
            return
        }
        let wide = inner.width >= 70
        let parts = wide ? inner.split(.horizontal, [.percent(40), .fill])
                         : inner.split(.vertical, [.fixed(max(3, inner.height * 2 / 5)), .fill])
        missionList(state, Rect(x: parts[0].x, y: parts[0].y, width: parts[0].width - (wide ? 1 : 0), height: parts[0].height))
        if wide {
            for y in parts[1].y..<parts[1].maxY { buffer.put(ascii ? "|" : "│", x: parts[1].x - 1, y: y, role: .border) }
        }
        missionDetails(state, wide ? parts[1] : Rect(x: parts[1].x, y: parts[1].y + 1, width: parts[1].width, height: max(0, parts[1].height - 1)))
    }

    /// Chapters and missions; the selected one highlighted and kept in view.
    mutating func missionList(_ state: AppState, _ rect: Rect) {
        let learn = state.learn
        var rows: [(text: String, role: Role, index: Int?)] = []
        var chapter = ""
        for (i, m) in learn.missions.enumerated() {
            if m.chapter != chapter {
                chapter = m.chapter
                rows.append((m.chapter.uppercased(), .caption, nil))
            }
            let mark = learn.progress.isDone(m.id) ? "✓" : learn.active?.id == m.id ? "▸" : " "
            rows.append((" \(mark) \(m.title)", i == learn.selected ? .selection : .text, i))
        }
        let selectedRow = rows.firstIndex { $0.index == learn.selected } ?? 0
        let top = max(0, min(selectedRow - rect.height / 2, rows.count - rect.height))
        for (n, row) in rows.dropFirst(top).prefix(rect.height).enumerated() {
            let y = rect.y + n
            if row.role == .selection { buffer.fill(Rect(x: rect.x, y: y, width: rect.width, height: 1), role: .selection) }
            buffer.putTruncated(row.text, x: rect.x, y: y, width: rect.width, role: row.role)
            if let i = row.index { hit(Rect(x: rect.x, y: y, width: rect.width, height: 1), .missionRow(i)) }
        }
    }

    mutating func missionDetails(_ state: AppState, _ rect: Rect) {
        let learn = state.learn
        guard learn.missions.indices.contains(learn.selected), rect.height > 0 else { return }
        let m = learn.missions[learn.selected]
        let active = learn.active?.id == m.id ? learn.active : nil
        var lines: [(String, Role)] = [(m.title, .focus), (m.goal, .text), ("", .text)]
        if m.live {
            lines.append(("Judged on your own program: run smtp-tui with --listen 127.0.0.1:2525, start this mission, and point your program at that address (STARTTLS with the self-signed certificate, AUTH alice@example.com / wonderland).", .muted))
            for d in m.injections { lines.append(("On purpose: \(d.explanation).", .muted)) }
            lines.append(("", .text))
        }
        if let active {
            let done = active.verdict.checks.filter(\.passed).count
            lines.append(("Checklist · \(done) of \(active.verdict.checks.count)", .caption))
            for c in active.verdict.checks {
                lines.append(((c.passed ? "✓ " : "○ ") + c.name, c.passed ? .statusOK : .text))
            }
            if let failure = active.verdict.failure { lines.append(("✗ " + failure, .statusError)) }
            lines.append(("Lines typed: \(active.commands) · par \(m.par)" + (active.commands > m.par ? " (over par: it still counts, and there is a shorter way)" : ""), .muted))
            for (i, hint) in m.hints.prefix(active.hintsShown).enumerated() { lines.append(("Hint \(i + 1): \(hint)", .caption)) }
            if active.passed {
                lines.append(("", .text))
                lines.append(("✓ Done in \(active.commands) lines (par \(m.par)). \(m.why)", .statusOK))
                lines.append(("n: the next mission", .muted))
            } else {
                lines.append(("", .text))
                lines.append((m.hints.count > active.hintsShown ? "h: a hint (\(active.hintsShown) of \(m.hints.count) taken) · Enter: start again" : "Enter: start again", .muted))
            }
        } else {
            lines.append(("To pass", .caption))
            for c in m.checks { lines.append(("○ " + c.name, .text)) }
            lines.append(("Par: \(m.par) lines · \(m.hints.count) hint\(m.hints.count == 1 ? "" : "s") on h", .muted))
            if let record = learn.progress.missions[m.id], record.done {
                lines.append(("✓ Done before, in \(record.commands) lines with \(record.hints) hint\(record.hints == 1 ? "" : "s"). \(m.why)", .statusOK))
            }
            lines.append(("", .text))
            lines.append(("Enter (or a second click): start — a fresh world, nobody connected", .keyhintKey))
        }
        var y = rect.y
        for (text, role) in lines {
            for piece in Wrap.lines(text, width: max(1, rect.width)) {
                guard y < rect.maxY else { return }
                buffer.put(piece, x: rect.x, y: y, role: role, clip: rect)
                y += 1
            }
        }
    }
}
