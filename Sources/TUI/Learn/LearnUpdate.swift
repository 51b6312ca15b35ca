// Learn mode in `update`: starting a mission (a fresh world at its start), counting the learner's lines, judging
// the checklist whenever the world changes, hints one at a time, the tick and the "why" when it passes, the quiz
// after a story, and the address book. Progress changes are saved by the runtime (Effect.saveProgress).
import SMTPCore

extension App {
    // MARK: - Missions

    /// Starts `mission` from its start state: a fresh world, no connection, the terminal ready for `connect`.
    static func startMission(_ mission: Mission, _ state: inout AppState) {
        state.sim = Grader.start(mission)
        state.transcript = [TranscriptLine(.local, "Mission “\(mission.title)”: \(mission.goal)"),
                            TranscriptLine(.local, mission.live
                                ? "This one is judged on your own program: point it at the app's listener (start smtp-tui with --listen 127.0.0.1:2525)."
                                : "The world starts afresh and nobody is connected: begin with `connect` (smtp.example.com, port 587) or `connect mx.domain.com` (port 25). F6 shows the checklist, and h a hint there.")]
        state.visibleGreeting = false; state.visibleTLS = false; state.visibleAuthenticated = false; state.lastServerCode = nil
        state.queuedLines = []; state.typedAhead = []; state.transcriptScroll = 0; state.selectedTranscriptLine = nil
        let verdict = MissionJudge.judge(mission, sim: state.sim)
        state.learn.active = ActiveMission(id: mission.id, verdict: verdict)
        state.learn.failuresChanged = true  // the listener's directed failures follow the mission (none for most)
        if mission.live, let live = state.live {
            state.learn.active?.liveEvents = []
            state.status = ("Live mission: \(live.address.isEmpty ? "the listener" : live.address) judges your program's sessions" + (mission.injections.isEmpty ? "" : "; " + mission.injections.map(\.explanation).joined(separator: "; ")), false)
        } else if mission.live {
            state.status = ("A live mission needs the app's listener: restart with smtp-tui learn --listen 127.0.0.1:2525", true)
        }
        focus(.terminal, &state)
    }

    /// The world changed (outputs arrived, a line was sent): judge the active mission again.
    static func judgeMission(_ state: inout AppState) {
        guard var active = state.learn.active, let mission = state.learn.mission(active.id) else { return }
        active.verdict = MissionJudge.judge(mission, sim: state.sim, live: active.liveEvents)
        if active.verdict.passed && !active.passed {
            active.passed = true
            state.learn.progress.passed(mission.id, commands: active.commands, hints: active.hintsShown)
            state.learn.progressChanged = true
            let next = MissionCatalog(builtin: state.learn.missions).next(after: mission.id)
            state.transcript.append(TranscriptLine(.local, "✓ Mission done: “\(mission.title)” in \(active.commands) lines (par \(mission.par)). \(mission.why)"))
            state.status = ("✓ Mission done: \(mission.title)" + (next.map { " — 6 then n for the next: \($0.title)" } ?? " — that was the last one!"), false)
        }
        state.learn.active = active
    }

    /// A line the learner entered counts against par while a mission runs.
    static func countMissionLine(_ state: inout AppState) {
        if state.learn.active?.passed == false { state.learn.active?.commands += 1 }
    }

    /// Keys of the Missions section (not typing): move, Enter starts, h a hint, n the next mission.
    static func missionsKey(_ key: Key, _ state: inout AppState) -> Bool {
        let count = state.learn.missions.count
        guard count > 0 else { return false }
        switch key {
        case .up, .char("k"): state.learn.selected = max(0, state.learn.selected - 1)
        case .down, .char("j"): state.learn.selected = min(count - 1, state.learn.selected + 1)
        case .pageUp: state.learn.selected = max(0, state.learn.selected - 10)
        case .pageDown: state.learn.selected = min(count - 1, state.learn.selected + 10)
        case .home: state.learn.selected = 0
        case .end: state.learn.selected = count - 1
        case .enter: startMission(state.learn.missions[state.learn.selected], &state)
        case .char("h"): revealHint(&state)
        case .char("n"):
            let current = state.learn.active?.id ?? state.learn.missions[state.learn.selected].id
            if let i = state.learn.missions.firstIndex(where: { $0.id == current }), i + 1 < count {
                state.learn.selected = i + 1
                startMission(state.learn.missions[i + 1], &state)
            } else {
                state.status = ("That was the last mission", false)
            }
        default: return false
        }
        return true
    }

    /// The next hint of the mission being played (or, if none, of the selected one).
    static func revealHint(_ state: inout AppState) {
        let id = state.learn.active?.id ?? state.learn.missions[state.learn.selected].id
        guard let mission = state.learn.mission(id) else { return }
        guard state.learn.active?.id == id else {
            state.status = ("Start the mission first (Enter): hints belong to an attempt", false)
            return
        }
        let shown = state.learn.active?.hintsShown ?? 0
        guard shown < mission.hints.count else {
            state.status = (mission.hints.isEmpty ? "This mission has no hints" : "No more hints. The reference solution: smtp-tui learn --solution \(mission.id)", false)
            return
        }
        state.learn.active?.hintsShown = shown + 1
        state.learn.progress.tookHint(id, count: shown + 1)
        state.learn.progressChanged = true
        state.status = ("Hint \(shown + 1) of \(mission.hints.count): \(mission.hints[shown])", false)
    }

    // MARK: - The quiz after a story

    static func startQuiz(_ scenario: DemoScenario, _ state: inout AppState) -> Bool {
        guard !scenario.quiz.isEmpty else { return false }
        state.learn.quiz = QuizState(story: scenario.name, title: scenario.title, questions: scenario.quiz)
        state.popup = .quiz
        state.popupScroll = 0
        return true
    }

    /// 1–4 answer the question shown; then Enter, Space or → goes on; Esc closes (the answers so far are kept).
    static func quizKey(_ key: Key, _ state: inout AppState) {
        guard var quiz = state.learn.quiz else { state.popup = nil; return }
        switch key {
        case .char(let c) where ("1"..."4").contains(c):
            guard quiz.answeredCurrent == nil, let n = Int(String(c)), n <= quiz.current.choices.count else { return }
            quiz.answers[quiz.index] = n - 1
            state.learn.quiz = quiz
            state.learn.progress.quizzes[quiz.story] = LearnProgress.QuizRecord(answers: quiz.answers, correct: quiz.correct)
            state.learn.progressChanged = true
        case .enter, .char(" "), .right, .pageDown:
            guard quiz.answeredCurrent != nil else {
                state.status = ("Answer with 1–\(quiz.current.choices.count) (or a click)", false)
                return
            }
            if quiz.index + 1 < quiz.questions.count {
                quiz.index += 1
                state.learn.quiz = quiz
            } else {
                state.popup = nil
                state.status = ("Quiz on “\(quiz.title)”: \(quiz.correct) of \(quiz.questions.count) right", false)
            }
        case .left, .pageUp:
            if quiz.index > 0 { quiz.index -= 1; state.learn.quiz = quiz }
        case .escape, .char("q"):
            state.popup = nil
        default: break
        }
    }

    // MARK: - The address book

    /// Every address of the world with what it teaches, server by server.
    public static func addressBook(_ network: MailNetwork) -> [(address: String, note: String)] {
        var rows: [(String, String)] = []
        for host in network.hosts {
            for box in host.world.mailboxes {
                let does: String
                switch box.behaviour {
                case .accepts: does = "accepts mail (\(box.demonstrates))"
                case .full: does = "mailbox full: refused with 552 5.2.2"
                case .greylisted: does = "greylisted: 450 4.2.0 at first, a retry gets through"
                case .forwards(let to): does = "moved: 251, forwarded to \(to)"
                case .list(let name, let members): does = "the \(name) mailing list: each post goes on to \(members.joined(separator: ", "))"
                }
                rows.append((box.address, "\(box.owner) · \(does) · at \(host.name)"))
            }
            rows.append(("anyone-else@\(host.world.localDomain)", "does not exist: 550 5.1.1 at \(host.name), a bounce when relayed"))
        }
        return rows
    }

    static func addressBookKey(_ key: Key, _ row: Int, _ state: inout AppState) {
        let rows = addressBook(state.sim.network)
        switch key {
        case .up, .char("k"): state.popup = .addressBook(max(0, row - 1))
        case .down, .char("j"): state.popup = .addressBook(min(rows.count - 1, row + 1))
        case .enter:
            guard rows.indices.contains(row), !rows[row].address.hasPrefix("anyone-else@") else { state.popup = nil; return }
            state.popup = nil
            focus(.terminal, &state)
            state.editor.insert(rows[row].address)
        case .escape, .char("q"), .function(2), .char("@"): state.popup = nil
        default: break
        }
    }

    /// Tab in the input line after "<" and part of an address: the world's addresses that fit, completed as far as
    /// they agree. True when it completed something or said why not.
    static func completeAddress(_ state: inout AppState) -> Bool {
        let text = state.editor.text
        guard let open = text.lastIndex(of: "<"), !text[open...].contains(">") else { return false }
        let typed = String(text[text.index(after: open)...]).lowercased()
        let candidates = addressBook(state.sim.network).map(\.address).filter { !$0.hasPrefix("anyone-else@") && $0.hasPrefix(typed) }
        guard let first = candidates.first else {
            state.status = ("No address of this world starts with “\(typed)” (F2 lists them all)", false)
            return true
        }
        var common = first
        for c in candidates.dropFirst() { while !c.hasPrefix(common) { common.removeLast() } }
        let completed = candidates.count == 1 ? first + ">" : common
        state.editor.insert(String(completed.dropFirst(typed.count)))
        if candidates.count > 1 { state.status = (candidates.joined(separator: "  "), false) }
        return true
    }
}
