// Presenter mode: a lesson story played step by step, for a teacher with a clicker. Each step types its line into
// the terminal (character by character), sends it, and lets the journey animate while its caption explains.
//
// Every step has two canonical states, its start and its end, each rebuilt from a fresh app by replaying the steps
// before it through `update` itself. Next and Previous always land on one of them, so going back and forth shows
// exactly the same frames: a real rewind, not an undo. No demo key ever reaches the server.
import SMTPCore

public struct DemoMode: Sendable {
    public var scenario: DemoScenario
    /// The step being shown (0-based).
    public var step = 0
    /// Which of the step's lines is being typed, and how many characters of it are in the input line.
    public var lineIndex = 0
    public var typed = 0
    /// Every line of the step has been sent.
    public var sent = false
    public var autoplay = false
    /// Seconds autoplay waits after a step has finished before the next one (`+`/`-` change it).
    public var pace = 4
    /// Real ticks since the step finished (autoplay counts them).
    public var restTicks = 0
    /// Ticks of typing not yet spent (one character every `typingTicks`).
    var typingBudget = 0
    public var blanked = false
    /// The transcript's length when the step's last line was sent: replies after it answer this step.
    public var sentMark = 0
    /// The simulated tick when the step began (a relay wait counts exchanges from there).
    public var since = 0

    /// Real ticks per typed character: about 20 characters a second, readable and not tedious.
    public static let typingTicks = 3

    public init(scenario: DemoScenario) { self.scenario = scenario }

    public var current: DemoStep { scenario.steps[min(step, scenario.steps.count - 1)] }
    public var isLast: Bool { step >= scenario.steps.count - 1 }
}

extension DemoMode {
    /// The line being typed now (nil once every line is sent).
    var pendingLine: String? {
        guard !sent, lineIndex < current.send.count else { return nil }
        let line = current.send[lineIndex]
        return line == DemoStep.waitOnly ? "" : line
    }
}

extension AppState {
    /// The step's replies are in and what it waits for has happened (or can never happen: nothing moves).
    public var demoStepFinished: Bool {
        guard let demo else { return false }
        guard demo.sent, !sim.isAwaitingServer else { return false }
        guard let wait = demo.current.wait else { return true }
        return wait.isReached(by: sim, since: demo.since) || !sim.isBusy
    }

    /// A story's world stands still once the step has finished: what the room sees between two clicks is the
    /// step's end, and the relay hop goes on only when the presenter moves on (one exchange a step, if the story
    /// says so). It is also what Next rebuilds, so nothing jumps back.
    var demoHolds: Bool { demo != nil && demoStepFinished }

    /// Whether the demo needs ticks: typing, or autoplay counting down.
    var demoNeedsTicks: Bool {
        guard let demo, !demo.blanked else { return false }
        return !demo.sent || (demo.autoplay && !(demo.isLast && demoStepFinished))
    }
}

extension App {
    /// Starts presenting `scenario` from its first step.
    /// With `autoplay` the story tells itself from the first step (what `--demo` and the menu do).
    public static func startDemo(_ scenario: DemoScenario, _ state: inout AppState, autoplay: Bool = false) {
        state = demoState(scenario, at: 0, ending: false, like: state)
        state.demo?.autoplay = autoplay
        // The header already names the story: the status says only what to press.
        state.status = ((autoplay ? "Autoplay on (a stops it) · " : "") + "PgDn/Space next · PgUp back · Esc leaves · ? keys", false)
    }

    /// The canonical state at the start (or, with `ending`, the end) of step `index`: a fresh app with the same
    /// size and looks, the steps before replayed through `update` to their ends.
    static func demoState(_ scenario: DemoScenario, at index: Int, ending: Bool, like old: AppState) -> AppState {
        var s = AppState(size: old.size, learn: old.learn)
        s.ascii = old.ascii
        s.themeName = old.themeName
        s.presenter = old.presenter
        s.scenarios = old.scenarios
        s.storyFolder = old.storyFolder
        s.transcript = []
        var demo = DemoMode(scenario: scenario)
        demo.pace = old.demo?.pace ?? demo.pace
        s.demo = demo  // autoplay off while replaying, or its countdown would step on by itself
        if let name = scenario.world, let world = s.sim.world.scenario(named: name) { s.sim.setScenario(world) }
        let last = min(index, scenario.steps.count - 1)
        for i in 0...max(0, last) where i < last || ending {
            s.demo?.step = i
            s.demo?.lineIndex = 0; s.demo?.typed = 0; s.demo?.sent = false
            s.demo?.since = s.sim.tick
            finishDemoStep(&s)
        }
        s.demo?.step = last
        if !ending { s.demo?.lineIndex = 0; s.demo?.typed = 0; s.demo?.sent = false; s.demo?.since = s.sim.tick; s.editor.set("") }
        s.demo?.restTicks = 0
        s.demo?.autoplay = old.demo?.autoplay ?? false
        s.focus = .terminal; s.mainSection = .terminal; s.typing = false
        return s
    }

    /// Types and sends whatever of the current step is left, then runs time until the step has finished.
    static func finishDemoStep(_ s: inout AppState) {
        while let line = s.demo?.pendingLine {
            s.editor.set("")
            sendDemoLine(line, &s)
        }
        var n = 0
        while !s.demoStepFinished && n < 60_000 { _ = update(&s, .tick(1)); n += 1 }
    }

    static func sendDemoLine(_ line: String, _ s: inout AppState) {
        guard var demo = s.demo else { return }
        if demo.current.send[demo.lineIndex] != DemoStep.waitOnly { submit(line, &s) }
        demo.lineIndex += 1
        demo.typed = 0
        if demo.lineIndex >= demo.current.send.count { demo.sent = true; demo.sentMark = s.transcript.count }
        s.demo = demo
        s.editor.set("")
    }

    /// Typing and autoplay, driven by real ticks.
    static func demoTick(_ ticks: Int, _ s: inout AppState) {
        guard var demo = s.demo, !demo.blanked else { return }
        if !demo.sent {
            demo.typingBudget += ticks
            s.demo = demo
            while var d = s.demo, let line = d.pendingLine, d.typingBudget >= DemoMode.typingTicks {
                d.typingBudget -= DemoMode.typingTicks
                if d.typed < line.count {
                    d.typed += 1
                    s.editor.set(String(line.prefix(d.typed)))
                    s.demo = d
                } else {
                    s.demo = d
                    sendDemoLine(line, &s)
                }
            }
            return
        }
        if demo.autoplay && s.demoStepFinished {
            demo.restTicks += ticks
            s.demo = demo
            if demo.restTicks >= demo.pace * SimulatedTime.ticksPerSecond && !demo.isLast { demoNext(&s) }
        }
    }

    static func demoNext(_ s: inout AppState) {
        guard let demo = s.demo else { return }
        if !s.demoStepFinished {
            s = demoState(demo.scenario, at: demo.step, ending: true, like: s)
        } else if !demo.isLast {
            s = demoState(demo.scenario, at: demo.step + 1, ending: false, like: s)
        } else if s.popup == nil, startQuiz(demo.scenario, &s) {
            s.status = ("The end of “\(demo.scenario.title)” — a short quiz (1–4 answer, Enter next, Esc closes)", false)
        } else {
            s.status = ("The end of “\(demo.scenario.title)”. Home starts again, Esc leaves the demo.", false)
        }
    }

    /// Back to the end of the previous step — what the room saw before the last Next — recomputed from scratch,
    /// so Next from there plays the following step with exactly the same frames as before.
    static func demoPrevious(_ s: inout AppState) {
        guard let demo = s.demo else { return }
        s = demo.step == 0 ? demoState(demo.scenario, at: 0, ending: false, like: s)
                           : demoState(demo.scenario, at: demo.step - 1, ending: true, like: s)
    }

    /// The presenter's keys (a clicker sends PgDn/PgUp, F5/Esc and `.` or `b`). Nothing here types or sends.
    static func demoKey(_ key: Key, _ s: inout AppState) -> [Effect] {
        guard var demo = s.demo else { return [] }
        if demo.blanked {
            demo.blanked = false
            s.demo = demo
            return []
        }
        if s.popup == .demoKeys || s.popup == .help {
            s.popup = nil
            return []
        }
        if s.popup == .quiz {
            quizKey(key, &s)
            return []
        }
        s.status = nil
        switch key {
        case .char(" "), .right, .down, .pageDown, .enter:
            demoNext(&s)
        case .left, .up, .pageUp, .backspace:
            demoPrevious(&s)
        case .char("a"), .function(5):
            demo.autoplay.toggle()
            demo.restTicks = 0
            s.demo = demo
            s.status = (demo.autoplay ? "Autoplay on: a step every \(demo.pace) s after the last one finishes (+/- to change)" : "Autoplay off", false)
        case .char("+"), .char("="):
            demo.pace = max(1, demo.pace - 1)
            s.demo = demo
            s.status = ("Autoplay pause between steps: \(demo.pace) s", false)
        case .char("-"):
            demo.pace = min(30, demo.pace + 1)
            s.demo = demo
            s.status = ("Autoplay pause between steps: \(demo.pace) s", false)
        case .home:
            s = demoState(demo.scenario, at: 0, ending: false, like: s)
        case .char("."), .char("b"):
            demo.blanked = true
            s.demo = demo
        case .char("?"), .function(1):
            s.popup = .demoKeys
        case .escape:
            s.demo = nil
            s.presenter = false
            s.typing = true
            s.status = ("Left the demo: the session is yours now (type, or `connect` again)", false)
        case .char("q"), .ctrl("c"):
            return [.quit]
        default:
            s.status = ("Presenting: PgDn/Space next · PgUp back · a autoplay · . blank · Esc leave · ? keys", false)
        }
        return []
    }

    /// The demo keys for the overlay; a test presses every one and checks `demoKey` acts on it.
    public static let demoBindings: [(keys: [Key], help: String)] = [
        ([.char(" "), .right, .down, .pageDown, .enter], "next step; while a step still plays, the first press shows its end and the second moves on"),
        ([.left, .up, .pageUp, .backspace], "back to the end of the previous step, recomputed: forward again shows the same frames"),
        ([.char("a"), .function(5)], "autoplay on or off"),
        ([.char("+"), .char("-")], "shorter or longer pause between steps in autoplay"),
        ([.home], "back to the first step"),
        ([.char("."), .char("b")], "blank the screen; any key brings it back"),
        ([.escape], "leave the demo and keep the session"),
        ([.char("?")], "these keys"),
        ([.char("q"), .ctrl("c")], "quit"),
    ]
}
