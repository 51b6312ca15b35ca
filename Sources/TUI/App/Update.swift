// update(state, action) -> effects: the only place state changes. Pure: no I/O, no clock.
import SMTPCore

public enum App {
    public static func update(_ state: inout AppState, _ action: Action) -> [Effect] {
        var effects = dispatch(&state, action)
        if state.learn.progressChanged {
            state.learn.progressChanged = false
            effects.append(.saveProgress(state.learn.progress))
        }
        if state.learn.failuresChanged {
            state.learn.failuresChanged = false
            effects.append(.setDirectedFailures(state.learn.activeInjections))
        }
        return effects
    }

    static func dispatch(_ state: inout AppState, _ action: Action) -> [Effect] {
        switch action {
        case .resize(let size):
            state.size = size
            return []
        case .tick(let n):
            let outputs = state.advanceSimulation(realTicks: n)
            absorb(outputs, into: &state)
            if state.demo != nil { demoTick(n, &state) }
            Teacher.afterTick(&state)
            return []
        case .paste(let text):
            // While presenting nothing reaches the server by accident, pasted text included.
            if state.demo == nil { paste(text, into: &state) }
            return []
        case .mouse(let event):
            // While presenting only the quiz takes clicks: nothing reaches the session by accident.
            if state.demo != nil && state.popup != .quiz { return [] }
            return mouse(event, &state)
        case .key(let key):
            return self.key(key, &state)
        case .live(let event):
            live(event, &state)
            return []
        }
    }

    // MARK: - Keys

    static func key(_ key: Key, _ state: inout AppState) -> [Effect] {
        if key == .ctrl("c") { return [.quit] }
        // While the terminal is too small nothing is visible, so nothing but quitting may happen.
        if state.isTooSmall { return key == .char("q") ? [.quit] : [] }
        if state.demo != nil { return demoKey(key, &state) }
        state.status = nil
        state.statusExpiresAt = nil
        if Teacher.interceptKey(key, &state) { return [] }
        if let popup = state.popup { return popupKey(key, popup, &state) }
        if key == .function(2) { state.popup = .addressBook(0); state.popupScroll = 0; return [] }
        if key == .function(6) { focus(.missions, &state); return [] }
        if state.live != nil && key == .ctrl("n") {
            watch(step: 1, &state)
            return []
        }
        if state.live != nil && key == .ctrl("p") {
            // Back to the learner's own session, as the input line's hint says, from whichever client is watched.
            watchOwnSession(&state)
            return []
        }
        if state.typing && state.focus == .terminal { return typingKey(key, &state) }
        switch key {
        case .tab: cycleFocus(&state, +1)
        case .backTab: cycleFocus(&state, -1)
        case .escape: state.status = nil
        case .char("q"): return [.quit]
        case .char("?"), .function(1): state.popup = .help; state.popupScroll = 0
        // T for the theme; t alone means "Try it" (in a command or status-code popup) and nothing else.
        case .char("T"): return [.cycleTheme]
        case .char("t"): state.status = ("t is Try it, in a command or status-code popup (Enter opens one); T changes the theme", false)
        case .char("p"):
            state.paused.toggle()
            state.status = (state.paused ? "Animation paused (p resumes)" : "Animation resumed", false)
        case .char("+"), .char("="):
            state.speedQuarters = min(16, state.speedQuarters * 2)
            state.status = ("Animation speed ×\(speedLabel(state.speedQuarters))", false)
        case .char("-"):
            state.speedQuarters = max(1, state.speedQuarters / 2)
            state.status = ("Animation speed ×\(speedLabel(state.speedQuarters))", false)
        case .char("c"): state.showPrefixes.toggle()
        case .char("b"):
            state.popup = .inbox; state.popupScroll = 0; state.inboxField = nil
            if state.live?.maildir != nil { return [.refreshMaildir] }
        case .char("]") where state.live != nil && state.focus != .examples: watch(step: 1, &state)
        case .char("[") where state.live != nil && state.focus != .examples: watch(step: -1, &state)
        case .char("x") where state.focus == .examples:
            return [.runExample(CodeExamples.all[state.exampleIndex].id)]
        case .char("r"): state.popup = .relay; state.popupScroll = 0
        case .char("d"):
            if state.scenarios.isEmpty { state.status = ("No lesson stories loaded", true) } else { state.popup = .demoMenu(0) }
        case .char("i"): focus(.terminal, &state)
        case .char("@"): state.popup = .addressBook(0); state.popupScroll = 0
        case .char("y") where state.focus == .examples:
            let example = CodeExamples.all[state.exampleIndex]
            Teacher.copied(example.title, example.id, &state)
            return [.copyToClipboard(example.code)]
        case .char("f") where state.focus == .codes:
            // Cycles all → 2xx → 3xx → 4xx → 5xx (3 itself jumps to the terminal).
            let order: [ReplyClass?] = [nil, .positiveCompletion, .positiveIntermediate, .transientNegative, .permanentNegative]
            let i = order.firstIndex(of: state.codeFilter) ?? 0
            state.codeFilter = order[(i + 1) % order.count]
            state.codeIndex = 0
        case .char("a") where state.focus == .codes:
            state.codeFilter = nil
            state.codeIndex = 0
        case .char(let d) where ("1"..."6").contains(d):
            if let n = Int(String(d)), let section = Section(rawValue: n) { focus(section, &state) }
        default:
            if state.focus == .missions, missionsKey(key, &state) { return [] }
            listKey(key, &state)
        }
        return []
    }

    static func speedLabel(_ q: Int) -> String { q % 4 == 0 ? "\(q / 4)" : q == 2 ? "½" : "¼" }

    static func typingKey(_ key: Key, _ state: inout AppState) -> [Effect] {
        switch key {
        case .escape:
            state.typing = false
            state.status = ("Left the input line: single keys work now (? help, q quit, i or 3 to type again)", false)
        case .enter:
            if state.editor.isEmpty && state.fillSuggestionWhenReady {
                // Tab asked for the suggestion while the server was answering; Enter sends it once it is in.
                state.sendSuggestionWhenReady = true
                state.status = ("The suggested command goes out as soon as the reply is in", false)
                return []
            }
            if Teacher.holdEmptyLine(&state) { return [] }
            let line = state.editor.commit()
            if Teacher.holdTypedAhead(line, &state) { return [] }
            submit(line, &state)
        case .ctrl("t"):
            // Sends at once, without waiting for the reply before it: pipelining (RFC 2920), on purpose.
            submit(state.editor.commit(), &state)
        case .tab where !state.editor.isEmpty:
            // The input line keeps the focus: Tab completes an address after "<", and never moves away.
            if !completeAddress(&state) {
                state.status = ("Tab completes an address after “<” (F2 lists them); Esc leaves the input line", false)
            }
        case .tab, .right where state.editor.isEmpty:
            if state.sim.isConnected && state.sim.isAwaitingServer {
                Teacher.queueSuggestion(&state)
            } else if let s = Suggestion.next(for: state) {
                if s.isEmpty { state.status = ("The suggestion is an empty line: press Enter to send it", false) } else { state.editor.set(s) }
            } else if key == .tab {
                state.status = ("No suggestion right now. Esc leaves the input line; Shift-Tab goes to the previous pane", false)
            }
        case .backTab:
            state.typing = false; cycleFocus(&state, -1)
        case .pageUp: state.transcriptScroll += Teacher.transcriptPage(state)
        case .pageDown: state.transcriptScroll = max(0, state.transcriptScroll - Teacher.transcriptPage(state))
        case .up where state.editor.history.isEmpty:
            state.transcriptScroll += 1
        default:
            // Typing is always for the learner's own session: a watched real client's tab gives way.
            if state.live?.watching != nil, case .char = key { watch(id: nil, &state) }
            _ = state.editor.handle(key)
        }
        return []
    }

    static func popupKey(_ key: Key, _ popup: Popup, _ state: inout AppState) -> [Effect] {
        if case .demoMenu(let row) = popup { return demoMenuKey(key, row, &state) }
        if popup == .quiz { quizKey(key, &state); return [] }
        if case .addressBook(let row) = popup { addressBookKey(key, row, &state); return [] }
        if popup == .inbox, key == .tab || key == .backTab {
            explainHeader(step: key == .tab ? 1 : -1, &state)
            return []
        }
        switch key {
        case .escape, .char("q"), .enter where popup != .help && !Frame.isCommandPopup(popup):
            state.popup = nil
        case .escape, .char("q"), .char("?"):
            state.popup = nil
        case .up, .char("k"): state.popupScroll = max(0, state.popupScroll - 1)
        case .down, .char("j"): state.popupScroll += 1
        case .pageUp: state.popupScroll = max(0, state.popupScroll - 10)
        case .pageDown, .char(" "): state.popupScroll += 10
        case .char("t"), .enter:
            if case .command(let i) = popup { tryIt(CommandCatalogue.all[i], &state) }
            else if case .statusCode(let code) = popup, key == .char("t") { Teacher.tryStatusCode(code, &state) }
            else { state.popup = nil }
        default: break
        }
        return []
    }


    /// The reference row `i`: a command, or after the commands an entry on why mail is trusted.
    static func referencePopup(_ i: Int) -> Popup {
        i < CommandCatalogue.all.count ? .command(i) : .trust(i - CommandCatalogue.all.count)
    }

    /// The mailboxes popup: selects the next (or previous) header field and scrolls it into view, where its
    /// explanation appears under it.
    static func explainHeader(step: Int, _ state: inout AppState) {
        let boxes = Frame.mailboxLines(state.sim)
        guard !boxes.fieldLines.isEmpty else {
            state.status = ("No message has been delivered yet: there is no header field to explain", false)
            return
        }
        let count = boxes.fieldLines.count
        let next = state.inboxField.map { ($0 + step + count) % count } ?? (step > 0 ? 0 : count - 1)
        state.inboxField = next
        state.popupScroll = max(0, Frame.maildirLines(state.live).count + boxes.fieldLines[next] - 2)
    }

    /// The menu of lesson stories: ↑↓ choose, Enter presents, Esc closes.
    static func demoMenuKey(_ key: Key, _ row: Int, _ state: inout AppState) -> [Effect] {
        let count = state.scenarios.count
        switch key {
        case .up, .char("k"): state.popup = .demoMenu(max(0, row - 1))
        case .down, .char("j"): state.popup = .demoMenu(min(count - 1, row + 1))
        case .enter, .char(" "):
            guard state.scenarios.indices.contains(row) else { state.popup = nil; return [] }
            let scenarios = state.scenarios
            state.popup = nil
            state.presenter = true
            startDemo(scenarios[row], &state, autoplay: true)
            state.scenarios = scenarios
        case .char("q"), .escape: state.popup = nil
        default: break
        }
        return []
    }

    static func listKey(_ key: Key, _ state: inout AppState) {
        let step: Int
        switch key {
        case .up, .char("k"): step = -1
        case .down, .char("j"): step = 1
        case .pageUp: step = -10
        case .pageDown: step = 10
        case .home: step = -10_000
        case .end: step = 10_000
        case .enter:
            if state.focus == .commands { state.popup = referencePopup(state.commandIndex); state.popupScroll = 0 }
            if state.focus == .codes, !state.visibleCodes.isEmpty { state.popup = .statusCode(state.visibleCodes[state.codeIndex].code); state.popupScroll = 0 }
            if state.focus == .terminal {
                if let i = state.selectedTranscriptLine { state.popup = .explanation(i); state.popupScroll = 0 } else { focus(.terminal, &state) }
            }
            return
        case .char("n"), .char("]"):
            guard state.focus == .examples else { return }
            state.exampleIndex = (state.exampleIndex + 1) % CodeExamples.all.count; state.exampleScroll = 0; state.exampleColumn = 0; return
        case .char("N"), .char("["):
            guard state.focus == .examples else { return }
            state.exampleIndex = (state.exampleIndex + CodeExamples.all.count - 1) % CodeExamples.all.count; state.exampleScroll = 0; state.exampleColumn = 0; return
        case .right, .left:
            // Long code lines are never wrapped (that would change the code); they scroll sideways instead.
            guard state.focus == .examples else { return }
            state.exampleColumn = max(0, state.exampleColumn + (key == .right ? 8 : -8)); return
        default: return
        }
        move(step, &state)
    }

    static func move(_ step: Int, _ state: inout AppState) {
        switch state.focus {
        case .commands: state.commandIndex = clamp(state.commandIndex + step, CommandCatalogue.all.count + TrustCatalogue.all.count)
        case .codes: state.codeIndex = clamp(state.codeIndex + step, state.visibleCodes.count)
        case .examples: state.exampleScroll = max(0, state.exampleScroll + step)
        case .terminal:
            // Not typing: the arrows select transcript lines, and the pane explains the selected one.
            let count = state.shownTranscript.count
            guard count > 0 else { return }
            let current = state.selectedTranscriptLine ?? count
            state.selectedTranscriptLine = clamp(current + step, count)
        case .flow: break
        case .missions: state.learn.selected = clamp(state.learn.selected + step, state.learn.missions.count)
        }
    }

    static func clamp(_ i: Int, _ count: Int) -> Int { max(0, min(count - 1, i)) }

    static func cycleFocus(_ state: inout AppState, _ step: Int) {
        let all = Section.allCases
        let next = all[(all.firstIndex(of: state.focus)! + step + all.count) % all.count]
        focus(next, &state, typing: false)
    }

    public static func focus(_ section: Section, _ state: inout AppState, typing: Bool = true) {
        state.focus = section
        if [.terminal, .codes, .examples, .missions].contains(section) { state.mainSection = section }
        state.typing = section == .terminal && typing
    }

    // MARK: - Terminal

    static func tryIt(_ entry: CommandEntry, _ state: inout AppState) {
        state.popup = nil
        focus(.terminal, &state)
        state.editor.set(entry.tryIt)
        state.tryItLine = entry.tryIt
        state.status = ("Press Enter to send it\(state.sim.isConnected ? "" : " (offline: Enter connects first, then sends it)")", false)
    }

    static func paste(_ text: String, into state: inout AppState) {
        if state.popup != nil { return }
        focus(.terminal, &state)
        if state.live?.watching != nil { watch(id: nil, &state) }
        var lines = text.replacingCRLF().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // The last piece without a newline stays in the input line for the learner to finish.
        let tail = lines.removeLast()
        if let first = lines.first {
            state.editor.insert(first)
            submit(state.editor.commit(), &state)
            for line in lines.dropFirst() { submit(line, &state) }
        }
        state.editor.insert(tail)
    }

    /// Enter on the input line: a local command, or a line for the server.
    public static func submit(_ line: String, _ state: inout AppState) {
        Teacher.beforeSubmit(line, &state)
        countMissionLine(&state)
        state.transcriptScroll = 0
        state.selectedTranscriptLine = nil
        let inData = state.sim.session?.phase == .data
        let words = line.split(separator: " ")
        if !inData, let local = words.first.map(String.init), localCommand(local, Array(words.dropFirst()), line, &state) { return }
        guard state.sim.isConnected else {
            if state.sim.session != nil && state.sim.isAwaitingServer {
                // The server has hung up but its last reply is still on the way: the line goes nowhere, as in telnet.
                state.transcript.append(TranscriptLine(.you, line))
                return
            }
            Teacher.offline(line, &state)
            return
        }
        state.transcript.append(TranscriptLine(inData || state.sim.session?.phase == .data ? .data : .you, line,
                                               answersChallenge: state.sim.session?.phase == .auth))
        state.sim.send(line)
        if inData { Teacher.noteDotStuffing(line, &state) }
        if state.learn.active != nil { judgeMission(&state) }
    }

    /// Handles `connect`, `disconnect`, `clear`, `reset`, `scenario`, `help` — lower-case only, so `HELP` still
    /// goes to the server as in a real telnet session.
    static func localCommand(_ word: String, _ args: [Substring], _ line: String, _ state: inout AppState) -> Bool {
        switch word {
        case "connect", "telnet", "open":
            // `connect [HOST] [from MACHINE]`, and what a learner used to telnet types: `telnet HOST PORT`, `open HOST PORT`.
            let command = ConnectCommand([word] + args.map(String.init))
            let name = command?.host ?? state.sim.network.submissionHostName
            let machine = command?.machine.map { state.sim.network.machine(named: $0) }
            if state.sim.isConnected {
                state.transcript.append(TranscriptLine(.local, "Already connected to \(state.sim.host.name). `disconnect` first."))
            } else if case .some(nil) = machine {
                let known = (state.sim.network.machines.map(\.name) + state.sim.network.hosts.map(\.name)).joined(separator: ", ")
                state.transcript.append(TranscriptLine(.local, "No machine called \(command?.machine ?? "") in this simulation. Machines to connect from: \(known)."))
            } else if let host = state.sim.network.host(named: name) {
                if let port = command?.port, port != host.port {
                    state.transcript.append(TranscriptLine(.local, "\(host.name) listens on port \(host.port) in this simulation, not \(port): connecting to \(host.port)."))
                }
                if case .some(let from?) = machine, from.name != state.sim.network.clientName {
                    state.transcript.append(TranscriptLine(.local, "You sit at \(from.name) [\(from.address)]: \(from.role). The server sees this address."))
                }
                state.transcript.append(TranscriptLine(.local, "Trying \(host.address)… (telnet \(host.name) \(host.port): \(host.role))"))
                state.visibleGreeting = false; state.visibleTLS = false; state.visibleAuthenticated = false
                state.sim.connect(to: host.name, from: command?.machine)
            } else {
                let known = state.sim.network.hosts.map(\.name).joined(separator: ", ")
                state.transcript.append(TranscriptLine(.local, "No server called \(name) in this simulation. Servers: \(known) (`connect` alone means smtp.example.com)."))
            }
        case "disconnect":
            state.sim.disconnect()
            state.transcript.append(TranscriptLine(.local, "Connection closed by you."))
        case "clear":
            state.transcript.removeAll()
            state.selectedTranscriptLine = nil
            state.transcriptScroll = 0
        case "reset":
            guard Teacher.confirmReset(&state) else { return true }
            state.sim.reset()
            state.visibleGreeting = false; state.visibleTLS = false; state.visibleAuthenticated = false
            state.transcript = [TranscriptLine(.local, "Everything reset: no connection, empty mailboxes. Type `connect`.")]
        case "scenario":
            guard let name = args.first, let scenario = state.sim.world.scenario(named: String(name)) else {
                let names = state.sim.world.scenarios.map { "\($0.name) — \($0.summary)" }
                state.transcript.append(TranscriptLine(.local, "Scenarios: " + names.joined(separator: " | ")))
                return true
            }
            state.sim.setScenario(scenario)
            state.transcript.append(TranscriptLine(.local, "Scenario \(scenario.name) — \(scenario.summary)"))
        case "help":
            state.transcript.append(TranscriptLine(.local,
                "Local commands (not SMTP): connect [HOST] (smtp.example.com, or mx.domain.com to talk to the MX on port 25), disconnect, clear, reset, scenario NAME, help. Type HELP in capitals to ask the server."))
        default:
            return false
        }
        return true
    }

    /// Replies and events that became visible this tick go into the transcript and the indicators.
    static func absorb(_ outputs: [SimulationOutput], into state: inout AppState) {
        defer { if !outputs.isEmpty && state.learn.active != nil { judgeMission(&state) } }
        for item in outputs {
            let output: SessionOutput
            switch item {
            case .note(let text):
                journeyNote(text, &state)
                continue
            case .session(let o): output = o
            }
            switch output {
            case .reply(let reply, let cause):
                if cause == .greeting { state.visibleGreeting = true }
                // The learner's own message was queued: the journey's news is about it from now on.
                if cause == .messageEnd && reply.code == 250 { state.live?.journeyOwner = nil }
                for line in reply.wireLines { state.transcript.append(TranscriptLine(.server(reply.code), line)) }
                state.lastServerCode = reply.code
                if reply.code == 220 && cause == .command(verb: "STARTTLS") {
                    state.transcript.append(TranscriptLine(.local,
                        "A real telnet cannot speak TLS: you would use `openssl s_client -starttls smtp -connect smtp.example.com:587` or swaks. The simulator does the handshake for you now…"))
                }
            case .tlsStarted:
                state.visibleTLS = true
                state.transcript.append(TranscriptLine(.local, "TLS handshake done: the link is encrypted. The server forgot everything: say EHLO again."))
            case .authenticated(let user):
                state.visibleAuthenticated = true
                state.transcript.append(TranscriptLine(.local, "Logged in as \(user)."))
            case .delivered:
                break  // what happens to it next arrives as notes from the journey
            case .closed:
                state.transcript.append(TranscriptLine(.local, "Connection closed by foreign host."))
            }
        }
        if state.transcript.count > 20_000 { state.transcript.removeFirst(state.transcript.count - 20_000) }
    }

    // MARK: - Mouse

    static func mouse(_ event: MouseEvent, _ state: inout AppState) -> [Effect] {
        let frame = Frame.render(state)
        let target = frame.hits.last { $0.rect.contains(x: event.x, y: event.y) }?.target
        switch event.kind {
        case .wheelUp, .wheelDown:
            let step = event.kind == .wheelUp ? -3 : 3
            if state.popup != nil { state.popupScroll = max(0, state.popupScroll + step); return [] }
            if Teacher.wheel(target, step, &state) { return [] }
            let section: Section?
            switch target {
            case .pane(let s)?: section = s
            case .commandRow?: section = .commands
            case .codeRow?: section = .codes
            case .transcriptLine?: section = .terminal
            default: section = nil
            }
            if let section {
                let saved = state.focus
                state.focus = section
                move(step, &state)
                state.focus = saved
            }
            return []
        case .release:
            return []
        case .press:
            break
        }
        let double = state.lastClick.map { $0.x == event.x && $0.y == event.y && state.uptime - $0.tick < 12 } ?? false
        state.lastClick = (event.x, event.y, state.uptime)
        if state.popup != nil {
            switch target {
            case .popupButton(.tryIt)?:
                if case .command(let i)? = state.popup { tryIt(CommandCatalogue.all[i], &state) }
                else if case .statusCode(let code)? = state.popup { Teacher.tryStatusCode(code, &state) }
            case .popupButton(.close)?, nil: state.popup = nil
            case .quizChoice(let i)?: quizKey(.char(Character(String(i + 1))), &state)
            case .addressRow(let i)?:
                if state.popup == .addressBook(i) || double { addressBookKey(.enter, i, &state) } else { state.popup = .addressBook(i) }
            case .headerField(let i)?: state.inboxField = state.inboxField == i ? nil : i
            case .popupBody?: break
            default: state.popup = nil
            }
            return []
        }
        switch target {
        case .tab(let s)?: focus(s, &state)
        case .pane(let s)?: focus(s, &state)
        case .commandRow(let i)?:
            let wasSelected = state.commandIndex == i && state.focus == .commands
            focus(.commands, &state)
            state.commandIndex = i
            if wasSelected || double { state.popup = referencePopup(i); state.popupScroll = 0 }
        case .codeRow(let i)?:
            let wasSelected = state.codeIndex == i && state.focus == .codes
            focus(.codes, &state); state.codeIndex = i
            if (wasSelected || double), state.visibleCodes.indices.contains(i) { state.popup = .statusCode(state.visibleCodes[i].code); state.popupScroll = 0 }
        case .codeFilter(let f)?:
            focus(.codes, &state); state.codeFilter = f; state.codeIndex = 0
        case .exampleTab(let i)?:
            focus(.examples, &state); state.exampleIndex = i; state.exampleScroll = 0
        case .suggestion?:
            if let s = Suggestion.next(for: state) { focus(.terminal, &state); state.editor.set(s) }
        case .viewAllCommands?: focus(.commands, &state)
        case .flowNode(.recipient)?, .flowNode(.senderMailbox)?: state.popup = .inbox; state.popupScroll = 0; state.inboxField = nil
        case .flowNode(.dns)?, .flowNode(.mx)?, .relayHop?: state.popup = .relay; state.popupScroll = 0
        case .flowNode?: focus(.flow, &state)
        case .transcriptLine(let i)?:
            focus(.terminal, &state); state.selectedTranscriptLine = i
        case .copyExample?:
            let example = CodeExamples.all[state.exampleIndex]
            Teacher.copied(example.title, example.id, &state)
            return [.copyToClipboard(example.code)]
        case .runExample?:
            focus(.examples, &state, typing: false)
            return [.runExample(CodeExamples.all[state.exampleIndex].id)]
        case .liveTab(let id)?:
            focus(.terminal, &state, typing: id == nil)
            watch(id: id, &state)
        case .missionRow(let i)?:
            let wasSelected = state.learn.selected == i && state.focus == .missions
            focus(.missions, &state)
            state.learn.selected = i
            if (wasSelected || double), state.learn.missions.indices.contains(i) { startMission(state.learn.missions[i], &state) }
        case .popupButton?, .popupBody?, .quizChoice?, .addressRow?, .headerField?, nil: break
        }
        return []
    }
}

extension String {
    func replacingCRLF() -> String {
        var out = ""
        out.reserveCapacity(utf8.count)
        var lastCR = false
        for ch in unicodeScalars {
            if ch == "\r" { out.unicodeScalars.append("\n"); lastCR = true; continue }
            if ch == "\n" && lastCR { lastCR = false; continue }
            lastCR = false
            out.unicodeScalars.append(ch)
        }
        return out
    }
}
