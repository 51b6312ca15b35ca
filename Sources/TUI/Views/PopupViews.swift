// Popups: the help overlay (from the key table), a command's details with "Try it", the mailboxes and the relay hop.
import SMTPCore

extension Frame {
    mutating func popup(_ popup: Popup, _ state: AppState) {
        let area = buffer.area
        let rect = area.centered(width: min(area.width - 2, 96), height: area.height - 2)
        let title: String
        var lines: [(String, Role)] = []
        /// Lines that can be clicked (the index into `lines`), and what a click means.
        var targets: [Int: HitTarget] = [:]
        switch popup {
        case .help:
            title = "Help — every key"
            for b in KeyMap.bindings {
                lines.append(("\(b.keys.map(\.label).joined(separator: " ").rightPadded(14)) \(b.help) — \(b.context.lowercased())", .text))
            }
            lines.append(("", .text))
            lines.append(("In the input line", .caption))
            for (k, h) in KeyMap.editingHelp { lines.append(("\(k.rightPadded(26)) \(h)", .text)) }
            lines.append(("", .text))
            lines.append(("Mouse", .caption))
            lines.append(("Click a section name or pane to go there, a list item to select it (click again or double-click to open), the Next: suggestion to take it, a mailbox in the diagram to open the mailboxes, the relay hop, DNS or MX to open the relay transcript, outside a popup to close it. The wheel scrolls.", .text))
        case .command(let i):
            let entry = CommandCatalogue.all[i]
            title = "\(entry.title) — \(entry.rfc)"
            lines.append((entry.summary, .caption))
            lines.append(("", .text))
            lines.append(("Syntax", .caption))
            for s in entry.syntax { lines.append(("  " + s, .syntaxKeyword)) }
            lines.append(("", .text))
            lines.append(("Example", .caption))
            for l in entry.example {
                switch l {
                case .client(let c): lines.append(("  C: " + c, .transcriptYou))
                case .server(let s): lines.append(("  S: " + s, Role.reply(Int(s.prefix(3)) ?? 500)))
                }
            }
            for paragraph in entry.explanation { lines.append(("", .text)); lines.append((paragraph, .popup)) }
            lines.append(("", .text))
            lines.append(("Replies it can get", .caption))
            for r in entry.replies { lines.append(("  \(r.code.rightPadded(10)) \(r.why)", Role.reply(Int(r.code.prefix(3)) ?? 500))) }
            lines.append(("", .text))
            lines.append(("Related: " + entry.related.joined(separator: ", "), .muted))
        case .statusCode(let code):
            let entry = StatusCatalogue.entry(code)
            title = "\(code) \(entry?.meaning ?? "")"
            if let entry {
                lines.append((entry.description, .popup))
                lines.append(("", .text))
                lines.append(("When this simulation sends it", .caption))
                lines.append((entry.whenSimulated, .popup))
                lines.append(("", .text))
                lines.append(("Try it", .caption))
                if entry.trigger.preamble.host != state.sim.network.submissionHostName {
                    lines.append(("  connect \(entry.trigger.preamble.host)   (domain.com's own server, port 25)", .syntaxKeyword))
                }
                if let scenario = entry.trigger.scenario { lines.append(("  scenario \(scenario)   (after the lines below have set the session up)", .syntaxKeyword)) }
                for line in entry.trigger.preamble.clientLines + entry.trigger.lines { lines.append(("  " + line, .transcriptYou)) }
                lines.append(("", .text))
                lines.append(("Reading a reply code", .caption))
                lines.append(("The first digit is the outcome: 2 done, 3 go on, 4 failed for now (try again later), 5 failed for good. The second is the area: 0 syntax, 1 information, 2 connection, 5 mail system. An enhanced code such as 5.1.1 (RFC 3463) adds class.subject.detail, e.g. 5.1.1 = \(StatusCatalogue.describeEnhanced(EnhancedStatusCode(5, 1, 1))).", .popup))
            }
        case .explanation(let index):
            title = "What this line means"
            if state.shownTranscript.indices.contains(index) {
                let line = state.shownTranscript[index]
                lines.append((line.text, .transcriptServer))
                lines.append(("", .text))
                lines.append((Explanation.of(line), .popup))
            }
        case .inbox:
            title = "Mailboxes — \(state.sim.arrivals.count) \(state.sim.arrivals.count == 1 ? "message" : "messages") delivered · Tab: explain a header field"
            lines = Self.maildirLines(state.live)
            let boxes = Self.mailboxLines(state.sim, explaining: state.inboxField)
            for (field, line) in boxes.fieldLines.enumerated() { targets[lines.count + line] = .headerField(field) }
            lines += boxes.lines
        case .trust(let i):
            guard TrustCatalogue.all.indices.contains(i) else { return }
            let entry = TrustCatalogue.all[i]
            title = entry.title
            lines.append((entry.summary, .caption))
            lines.append(("", .text))
            lines.append(("Example (this world's own)", .caption))
            for line in entry.example { lines.append(("  " + line, .transcriptServer)) }
            lines.append(("", .text))
            for paragraph in entry.explanation { lines.append((paragraph, .popup)); lines.append(("", .text)) }
            lines.append(("Results", .caption))
            for note in entry.results { lines.append(("  \(note.code.rightPadded(10)) \(note.why)", .text)) }
            lines.append(("", .text))
            lines.append((entry.rfc, .muted))
        case .relay:
            title = "Relay hop: smtp.example.com → the MX (its own SMTP session)"
            lines = Self.relayLines(state.sim)
        case .demoKeys:
            title = "Presenting — the keys (a clicker's buttons work too)"
            for b in App.demoBindings { lines.append(("\(b.keys.map(\.label).joined(separator: " ").rightPadded(26)) \(b.help)", .text)) }
            lines.append(("", .text))
            lines.append(("No key types into the session while presenting. Esc leaves the demo and hands you the session.", .muted))
        case .demoMenu(let selected):
            title = "Present a lesson — ↑↓ choose, Enter start, Esc close"
            for (i, s) in state.scenarios.enumerated() {
                lines.append(((i == selected ? "▸ " : "  ") + s.title, i == selected ? .selection : .text))
                if !s.summary.isEmpty { lines.append(("    " + s.summary, .muted)) }
            }
            lines.append(("", .text))
            lines.append(("Stories are files. To write your own, start from one: smtp-tui play happy-path --source > \(state.storyFolder)/mine.scenario, edit it, and it appears here. smtp-tui play NAME prints a story as a handout.", .muted))
        case .quiz:
            guard let quiz = state.learn.quiz else { return }
            title = "Quiz — \(quiz.title) · question \(quiz.index + 1) of \(quiz.questions.count)"
            let q = quiz.current, chosen = quiz.answeredCurrent
            lines.append((q.question, .caption))
            lines.append(("", .text))
            for (i, choice) in q.choices.enumerated() {
                let mark = chosen == nil ? "  " : i == q.answer ? "✓ " : i == chosen ? "✗ " : "  "
                let role: Role = chosen == nil ? .text : i == q.answer ? .statusOK : i == chosen ? .statusError : .muted
                targets[lines.count] = .quizChoice(i)
                lines.append(("\(mark)\(i + 1)  \(choice)", role))
            }
            lines.append(("", .text))
            if let chosen {
                lines.append((chosen == q.answer ? "Right." : "Not quite: the answer is \(q.answer + 1).", chosen == q.answer ? .statusOK : .statusError))
                lines.append((q.explanation, .popup))
                lines.append(("", .text))
                lines.append((quiz.index + 1 < quiz.questions.count ? "Enter: the next question" : "Enter: done — \(quiz.correct) of \(quiz.questions.count) right", .muted))
            } else {
                lines.append(("Answer with 1–\(q.choices.count), or click a choice. Esc closes (your answers are kept).", .muted))
            }
        case .addressBook(let selected):
            title = "Address book — Enter or a click puts the address in the input line"
            lines.append(("Who lives in this world, and what each address teaches (Tab after “<” completes them too):", .caption))
            for (i, row) in App.addressBook(state.sim.network).enumerated() {
                targets[lines.count] = .addressRow(i)
                lines.append(((i == selected ? "▸ " : "  ") + row.address.rightPadded(30) + " " + row.note, i == selected ? .selection : .text))
            }
            lines.append(("", .text))
            lines.append(("Login at smtp.example.com: alice@example.com, password wonderland (AUTH needs STARTTLS first). `smtp-tui world` prints the whole map.", .muted))
        }
        buffer.fill(rect, role: .popup)
        let inner = buffer.box(rect, title: title, role: .popupBorder, glyphs: ascii ? .ascii : .heavy)
        hit(rect, .popupBody)
        guard inner.height > 2 else { return }
        let body = Rect(x: inner.x + 1, y: inner.y, width: inner.width - 2, height: inner.height - 1)
        var wrapped: [(String, Role, HitTarget?)] = []
        for (index, (text, role)) in lines.enumerated() {
            for piece in Wrap.lines(text, width: body.width, hanging: Wrap.labelWidth(text)) { wrapped.append((piece, role, targets[index])) }
        }
        let scroll = min(state.popupScroll, max(0, wrapped.count - body.height))
        for (row, item) in wrapped.dropFirst(scroll).prefix(body.height).enumerated() {
            buffer.put(item.0, x: body.x, y: body.y + row, role: item.1, clip: body)
            if let target = item.2 { hit(Rect(x: body.x, y: body.y + row, width: body.width, height: 1), target) }
        }
        // Buttons on the last row.
        var bx = inner.x + 1
        let buttonRow = inner.maxY - 1
        if Frame.hasTryIt(popup) {
            let tryLabel = "[ t  Try it ]"
            let start = bx
            bx = buffer.put(tryLabel, x: bx, y: buttonRow, role: .keyhintKey, clip: inner) + 2
            hit(Rect(x: start, y: buttonRow, width: bx - 2 - start, height: 1), .popupButton(.tryIt))
        }
        let closeLabel = "[ Esc  Close ]"
        let start = bx
        bx = buffer.put(closeLabel, x: bx, y: buttonRow, role: .keyhintKey, clip: inner)
        hit(Rect(x: start, y: buttonRow, width: bx - start, height: 1), .popupButton(.close))
        if wrapped.count > body.height {
            let more = "\(scroll + 1)-\(min(wrapped.count, scroll + body.height))/\(wrapped.count) ↑↓"
            let mx = inner.maxX - TextWidth.width(of: more) - 1
            if mx > bx + 1 { buffer.put(more, x: mx, y: buttonRow, role: .muted, clip: inner) }
        }
    }

    /// Every mailbox of the network, grouped by the server that keeps it, Bob's first and Alice's (with bounces) next;
    /// `fieldLines` gives the line of each header field shown, and the field `explaining` is followed by what it means.
    static func mailboxLines(_ sim: Simulation, explaining selected: Int? = nil) -> (lines: [(String, Role)], fieldLines: [Int]) {
        var lines: [(String, Role)] = []
        var fieldLines: [Int] = []
        let order = ["bob@domain.com", "alice@example.com"]
        let boxes = sim.network.allMailboxes.sorted { a, b in
            (order.firstIndex(of: a.box.address) ?? 9, a.box.address) < (order.firstIndex(of: b.box.address) ?? 9, b.box.address)
        }
        for (host, box) in boxes {
            let arrived = sim.mailbox(box.address)
            if arrived.isEmpty && !order.contains(box.address) { continue }
            let bounces = arrived.filter(\.isBounce).count
            lines.append(("▌ \(box.owner): \(box.address) at \(host.name) — \(arrived.count) \(arrived.count == 1 ? "message" : "messages")"
                          + (bounces > 0 ? ", \(bounces) bounce\(bounces == 1 ? "" : "s")" : ""), box.address == "alice@example.com" && bounces > 0 ? .flowBounce : .caption))
            if arrived.isEmpty {
                lines.append((box.address == "alice@example.com"
                              ? "  Empty. Bounces land here: mail to nobody@domain.com is accepted by smtp.example.com, refused by mx.domain.com, and reported back to Alice."
                              : "  No mail yet. Send one from the terminal: follow the suggested commands.", .muted))
            }
            for (n, arrival) in arrived.enumerated() {
                let message = arrival.message
                lines.append(("── \(arrival.notice.map { $0 == .failed ? "Bounce" : $0 == .delayed ? "Delay notice" : "Receipt" } ?? "Message") \(n + 1) · \(message.id) · \(message.size) octets", arrival.isBounce ? .flowBounce : .caption))
                for header in message.headers {
                    let field = fieldLines.count
                    fieldLines.append(lines.count)
                    let chosen = field == selected
                    for (k, piece) in header.split(separator: "\n").enumerated() {
                        let role: Role = chosen ? .selection : (k == 0 && Self.isServerHeader(header) ? .flowServer : .muted)
                        lines.append(((k == 0 ? (chosen ? "▸ " : "") : "  ") + piece.replacingTabs(), role))
                    }
                    if chosen { lines.append(("    " + HeaderCatalogue.explain(header), .popup)) }
                }
                lines.append(("", .text))
                for body in message.body.prefix(2_000) { lines.append((body, .transcriptData)) }
                if message.body.count > 2_000 { lines.append(("… \(message.body.count - 2_000) more lines", .muted)) }
                lines.append(("", .text))
            }
        }
        for host in sim.network.hosts where host.profile == .mx {
            let forwards = (sim.stores[host.name]?.outbound ?? [])
            guard !forwards.isEmpty else { continue }
            lines.append(("▌ Forwarded by \(host.name) — \(forwards.count) waiting in its outbound queue", .caption))
            for m in forwards { lines.append(("  \(m.id) for \(m.recipients.joined(separator: ", ")) (sent on when its domain is in this world)", .muted)) }
        }
        return (lines, fieldLines)
    }

    /// Live mode with --maildir: what is really on disk, newest first (the simulated mailboxes follow).
    static func maildirLines(_ board: LiveBoard?) -> [(String, Role)] {
        guard let board, let dir = board.maildir else { return [] }
        var lines: [(String, Role)] = [("On disk — the Maildir \(dir): \(board.mailFiles.count) \(board.mailFiles.count == 1 ? "file" : "files") that real clients sent (each written to tmp/, then moved to new/)", .caption)]
        if board.mailFiles.isEmpty {
            lines.append(("  Nothing yet. Messages that real clients send to \(board.address) are stored here before the 250 is sent.", .muted))
        }
        for file in board.mailFiles.prefix(200) {
            lines.append(("  \(file.mailbox)/\(file.folder)/\(file.file)  \(file.date)", .text))
            lines.append(("    From: \(file.from)   Subject: \(file.subject)   (\(file.size) bytes)", .muted))
        }
        if board.mailFiles.count > 200 { lines.append(("  … and \(board.mailFiles.count - 200) more", .muted)) }
        lines.append(("", .text))
        lines.append(("In the simulated world — where each message travels next:", .caption))
        return lines
    }

    /// The relay sessions and DNS lookups, as a transcript coloured like the learner's own.
    static func relayLines(_ sim: Simulation) -> [(String, Role)] {
        let visible = sim.hopLines.filter { $0.tick <= sim.tick }
        var lines: [(String, Role)] = [
            ("After it queues a message, smtp.example.com delivers it itself: it asks DNS for the recipient domain's MX record, connects to that server on port 25 and runs the same SMTP dialogue you typed — this time as the client. Here is that conversation, with the receiving server's DNS questions and SPF, DKIM and DMARC verdicts before it answers the final dot (and the next hop's, when a server forwards the message or posts it to a list).", .popup),
            ("", .text),
        ]
        if visible.isEmpty { lines.append(("Nothing relayed yet: send a message to bob@domain.com (or nobody@domain.com, dave@domain.com, someone@elsewhere.org) through smtp.example.com.", .muted)) }
        for line in visible {
            switch line.kind {
            case .client: lines.append(("C: " + line.text, .transcriptYou))
            case .server(let code): lines.append(("S: " + line.text, Role.reply(code)))
            case .note: lines.append(("· " + line.text, .transcriptLocal))
            }
        }
        return lines
    }

    static func isServerHeader(_ header: String) -> Bool {
        ["Return-Path:", "Received:", "Message-ID:", "Date:", "Authentication-Results:", "DKIM-Signature:"].contains { header.hasPrefix($0) }
    }
}

extension Substring {
    func replacingTabs() -> String { String(self).split(separator: "\t", omittingEmptySubsequences: false).joined(separator: "    ") }
}
