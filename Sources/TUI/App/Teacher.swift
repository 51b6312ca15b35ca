// The learner's traps, each handled the way a patient teacher would: these functions are called from `update` at
// a few hooks so the existing key and submit handling keeps its shape.
import SMTPCore

enum Teacher {
    /// Real ticks a transient message stays (60 per second).
    static let transientTicks = 4 * 60

    // MARK: - Hooks from update

    /// Runs after every tick: sends the next queued line once the server is ready, fills a suggestion asked for
    /// while the server was busy, and lets a transient message go.
    static func afterTick(_ state: inout AppState) {
        runQueue(&state)
        if !state.typedAhead.isEmpty, !state.paused, !state.sim.isAwaitingReply, state.visibleGreeting || !state.sim.isConnected {
            App.submit(state.typedAhead.removeFirst(), &state)
        }
        if state.fillSuggestionWhenReady, !state.sim.isAwaitingServer, state.editor.isEmpty,
           let next = Suggestion.next(for: state), !next.isEmpty {
            state.editor.set(next)
            state.fillSuggestionWhenReady = false
            if state.sendSuggestionWhenReady {
                state.sendSuggestionWhenReady = false
                App.submit(state.editor.commit(), &state)
            }
        }
        if let expiry = state.statusExpiresAt, state.uptime >= expiry {
            state.status = nil
            state.statusExpiresAt = nil
        }
    }

    /// Keys that belong to a running recipe: Esc stops it. True when the key was used.
    static func interceptKey(_ key: Key, _ state: inout AppState) -> Bool {
        guard key == .escape, !state.queuedLines.isEmpty else { return false }
        state.queuedLines.removeAll()
        state.status = ("Stopped: the rest of the recipe is not sent", false)
        return true
    }

    /// Before any line is submitted: a pending `reset` confirmation lasts only until the next line.
    static func beforeSubmit(_ line: String, _ state: inout AppState) {
        if line.trimmingSpaces != "reset" { state.confirmingReset = false }
    }

    /// Enter on an empty line outside DATA (and AUTH, where an empty answer means something): ask once instead of
    /// sending a line the server can only answer with 500. True when the Enter was held back.
    static func holdEmptyLine(_ state: inout AppState) -> Bool {
        guard state.editor.isEmpty, state.sim.isConnected else { state.confirmingEmptyLine = false; return false }
        let phase = state.sim.session?.phase
        guard phase != .data, phase != .auth else { return false }
        if state.confirmingEmptyLine { state.confirmingEmptyLine = false; return false }
        state.confirmingEmptyLine = true
        state.status = (state.sim.isAwaitingServer
            ? "The server is still answering. Send an empty line anyway? Enter again sends it (it would get a 500); Tab fills the next command when the reply is in"
            : "Send an empty line to the server? It would answer 500. Enter again sends it; Tab puts the suggested command in the line", false)
        return true
    }

    /// Enter while a reply is still on its way: the line waits for it, as a careful client's would (RFC 2920: only
    /// a client that pipelines on purpose sends before the reply; Ctrl-T does that). True when the line was held.
    static func holdTypedAhead(_ line: String, _ state: inout AppState) -> Bool {
        guard state.sim.isConnected, !line.isEmpty, state.sim.isAwaitingReply || !state.typedAhead.isEmpty else { return false }
        if state.sim.session?.phase != .data, let first = line.split(separator: " ").first,
           ["connect", "telnet", "open", "disconnect", "clear", "reset", "scenario", "help"].contains(String(first)) { return false }
        state.typedAhead.append(line)
        state.transcript.append(TranscriptLine(.local, "⧗ queued: “\(line.prefix(60))” goes out when the reply is in (Ctrl-T sends a line at once: pipelining)"))
        return true
    }

    /// Tab while the server is answering: remember it and fill the line when the reply is in.
    static func queueSuggestion(_ state: inout AppState) {
        state.fillSuggestionWhenReady = true
        state.status = ("The server is still answering: the suggestion fills the line as soon as its reply arrives", false)
    }

    /// A line submitted while offline: echoed, then explained; a "Try it" line connects first and is sent after
    /// the greeting.
    static func offline(_ line: String, _ state: inout AppState) {
        if !line.isEmpty { state.transcript.append(TranscriptLine(.you, line)) }
        if let tried = state.tryItLine, tried == line, !line.isEmpty {
            state.tryItLine = nil
            state.transcript.append(TranscriptLine(.local, "Not connected yet: connecting to \(state.sim.network.submissionHostName) first; your line goes out once the server has greeted you."))
            state.queuedLines = ["connect", line]
            runQueue(&state)
            return
        }
        state.transcript.append(TranscriptLine(.local, "Not connected, so that line went nowhere: type `connect` first (a local command, not SMTP)."))
    }

    /// `reset` wipes everything: the first one asks, the second does it. True when it should go ahead.
    static func confirmReset(_ state: inout AppState) -> Bool {
        if state.confirmingReset { state.confirmingReset = false; return true }
        state.confirmingReset = true
        state.transcript.append(TranscriptLine(.local, "`reset` ends the connection and empties the transcript and every mailbox. Type reset again to do it. (RSET, in capitals, is the SMTP command: it only abandons the current mail transaction.)"))
        return false
    }

    /// A body line starting with a dot: the server removes that dot (RFC 5321 §4.5.2). Say so when it happens.
    static func noteDotStuffing(_ line: String, _ state: inout AppState) {
        guard line.hasPrefix("."), line != "." else { return }
        let stored = String(line.dropFirst())
        if line.hasPrefix("..") {
            state.transcript.append(TranscriptLine(.local, "Dot-stuffing undone: the server stores this line as “\(stored)”. A leading dot is removed, which is why clients double it (RFC 5321 §4.5.2)."))
        } else {
            state.transcript.append(TranscriptLine(.local, "Careful: the server removes a leading dot, so this line is stored as “\(stored)”. To keep the dot, send “.\(line)” (dot-stuffing, RFC 5321 §4.5.2)."))
        }
    }

    /// After a copy with OSC 52: a message that goes away by itself and does not claim more than we know.
    static func copied(_ title: String, _ id: String, _ state: inout AppState) {
        // The fallback command first: on a narrow bar it is the part that must survive.
        state.status = ("Not pasted? smtp-tui --print-example \(id) prints it (the OSC 52 copy of “\(title)” needs a terminal that allows it)", false)
        state.statusExpiresAt = state.uptime + transientTicks
    }

    /// The status-code popup's "Try it": the recipe typed for you, one line per reply, from a fresh connection.
    static func tryStatusCode(_ code: Int, _ state: inout AppState) {
        guard let entry = StatusCatalogue.entry(code) else { return }
        state.popup = nil
        App.focus(.terminal, &state)
        var lines: [String] = []
        if state.sim.session != nil { lines.append("disconnect") }
        let host = entry.trigger.preamble.host
        lines.append(host == state.sim.network.submissionHostName ? "connect" : "connect \(host)")
        lines += entry.trigger.preamble.clientLines
        if let scenario = entry.trigger.scenario { lines.append("scenario \(scenario)") }
        lines += entry.trigger.lines
        state.queuedLines = lines
        state.queuedDelayBeforeLast = entry.trigger.waitTicksBeforeLast
        state.queuedReadyAt = nil
        state.status = ("Trying \(code): \(lines.count) lines are typed for you, each after the previous reply (Esc stops)", false)
        runQueue(&state)
    }

    /// Rows of transcript the terminal pane shows: PgUp/PgDn move by this (less one, for context).
    static func transcriptPage(_ state: AppState) -> Int {
        let rows = Set(Frame.render(state).hits.compactMap { hit -> Int? in
            if case .transcriptLine = hit.target { return hit.rect.y }
            return nil
        })
        return max(1, rows.count - 1)
    }

    /// The wheel over the transcript scrolls it (and moves no invisible selection). True when handled.
    static func wheel(_ target: HitTarget?, _ step: Int, _ state: inout AppState) -> Bool {
        switch target {
        case .pane(.terminal)?, .transcriptLine?:
            state.transcriptScroll = max(0, state.transcriptScroll - step)
            return true
        default:
            return false
        }
    }

    // MARK: - The queue

    static func runQueue(_ state: inout AppState) {
        guard !state.paused, let next = state.queuedLines.first, !state.sim.isAwaitingServer else { return }
        // Connected lines wait for the greeting; local commands (connect, scenario, disconnect) go at once.
        if state.sim.isConnected && !state.visibleGreeting { return }
        if state.queuedLines.count == 1 && state.queuedDelayBeforeLast > 0 {
            // Greylisting recipes: the retry has to come later, as a real client's queue would retry.
            guard let ready = state.queuedReadyAt else { state.queuedReadyAt = state.sim.tick + state.queuedDelayBeforeLast; return }
            if state.sim.tick < ready { return }
        }
        state.queuedLines.removeFirst()
        if state.queuedLines.isEmpty { state.queuedDelayBeforeLast = 0; state.queuedReadyAt = nil }
        App.submit(next, &state)
    }
}

extension String {
    var trimmingSpaces: String { String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed()) }
}
