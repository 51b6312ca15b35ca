// A lesson story as a file: a title, the world it needs, and steps — what the client sends and one caption per
// step in plain words. Teachers copy and edit these (Scenarios/*.scenario); the built-in ones are embedded.
//
// The format, line by line (a `#` line is a comment, blank lines separate nothing):
//   title: Alice writes to Bob            required, once, before the first step
//   summary: One sentence for the menu.   optional
//   world: tight-limits                    optional: the world scenario (normal, tight-limits, shutdown)
//   step: EHLO client.example.com          starts a step: the line the client sends (`step:` alone = an empty line);
//                                          local commands work too: connect [HOST] [from MACHINE], disconnect,
//                                          scenario NAME;
//                                          `step: (wait)` sends nothing and only waits (see `wait:`)
//   also: RCPT TO:<bob@domain.com>         more lines sent in the same flight, without waiting (PIPELINING): only
//                                          where RFC 2920 allows it (never after EHLO, HELO, DATA, STARTTLS, NOOP,
//                                          QUIT, AUTH LOGIN…, nor before the EHLO reply; see Pipelining.swift) —
//                                          the loader refuses the story otherwise, unless the step shows the
//                                          consequence with `expect: 554`
//   expect: 250                            the reply code the step's last line must get (checked by tests and play)
//   wait: delivered                        after the replies, wait until the message is delivered / bounced /
//                                          deferred / queued, or until nothing moves (idle)
//   caption: What happens, and why.        required for every step; several caption lines are joined
//   quiz: Which server looks up the MX?    a question asked after the story (3–5 per built-in story), then
//   choice: Alice's mail program           two to four choices, one of them marked with "* " as the right one,
//   choice: * smtp.example.com
//   explain: Why that one, in a sentence.  and why (shown after any answer)

public struct DemoStep: Sendable, Equatable {
    /// The step that sends nothing and only lets time pass.
    public static let waitOnly = "(wait)"
    public var send: [String]
    /// The file's line of each entry of `send` (the `step:` line, then each `also:`).
    public var sendLines: [Int] = []
    public var expect: Int?
    public var wait: DemoWait?
    public var caption: String
    /// The line of the file where the step starts.
    public var line: Int
}

/// One question of the quiz after a story.
public struct QuizQuestion: Sendable, Equatable {
    public var question: String
    public var choices: [String]
    /// Index of the right choice.
    public var answer: Int
    public var explanation: String
    public var line: Int
}

/// What a step waits for once its lines are sent. Besides the journey's stages, a story can stop inside the relay
/// hop, one server-to-server exchange at a time, so a presenter can say what each command does before the next.
public enum DemoWait: Sendable, Equatable {
    case queued, delivered, bounced, deferred, idle
    /// DNS has answered the relaying server's MX question.
    case lookup
    /// The relaying server has the receiving server's answer to its next `verb` (the greeting for "220"; "." for the
    /// message itself).
    case relay(String)
    /// The receiving server has reached its SPF, DKIM and DMARC verdicts.
    case checks

    /// The words `wait:` takes, for the error message.
    public static let spellings = ["queued", "delivered", "bounced", "deferred", "idle", "lookup", "checks",
                                   "relay 220", "relay EHLO", "relay STARTTLS", "relay MAIL", "relay RCPT", "relay DATA", "relay .", "relay QUIT"]

    public init?(_ text: String) {
        let words = text.split(separator: " ").map(String.init)
        switch words.map({ $0.lowercased() }) {
        case ["queued"]: self = .queued
        case ["delivered"]: self = .delivered
        case ["bounced"]: self = .bounced
        case ["deferred"]: self = .deferred
        case ["idle"]: self = .idle
        case ["lookup"]: self = .lookup
        case ["checks"]: self = .checks
        case let w where w.count == 2 && w[0] == "relay" && ["220", "ehlo", "starttls", "mail", "rcpt", "data", ".", "quit"].contains(w[1]):
            self = .relay(words[1].uppercased())
        default: return nil
        }
    }

    /// Whether the wait is over; `since` is the simulated tick when the step began (a relay wait counts only
    /// exchanges after it, so a second `relay EHLO` waits for the EHLO after STARTTLS).
    public func isReached(by sim: Simulation, since: Int = 0) -> Bool {
        switch (self, sim.currentStage) {
        case (.idle, _): return !sim.isBusy
        case (.queued, .queued?), (.queued, .dnsLookup?), (.queued, .relaying?): return true
        case (.delivered, .delivered?), (.bounced, .bounced?): return true
        case (.deferred, .deferred?): return true
        case (.lookup, _):
            return sim.hopLines.contains { $0.tick >= since && $0.tick <= sim.tick && $0.kind == .note && $0.text.hasPrefix("DNS answer") }
        case (.checks, _):
            guard let (run, _) = sim.trust(at: sim.tick) else { return false }
            return run.start >= since && run.end <= sim.tick
        case (.relay(let verb), _):
            return Self.relayReply(verb, in: sim.hopLines, since: since).map { $0.tick <= sim.tick } ?? false
        default: return false
        }
    }

    /// The reply (its first line) to the first relay exchange for `verb` whose answer comes after `since`; it may
    /// be scheduled for later than now. Nil while no such exchange is scheduled.
    public static func relayReply(_ verb: String, in all: [HopLine], since: Int) -> HopLine? {
        let lines = all.filter { !$0.host.isEmpty }  // DNS notes carry no host
        func isReply(_ line: HopLine) -> Bool { if case .server = line.kind { return true }; return false }
        for (i, line) in lines.enumerated() {
            let asked: Bool
            switch line.kind {
            case .client:
                let word = line.text.hasPrefix("(the message") ? "." : line.text.split(separator: " ").first.map { $0.uppercased() } ?? ""
                asked = word == verb
            case .server:
                // The greeting: a reply with no command before it in this hop.
                asked = verb == "220" && (i == 0 || lines[i - 1].kind == .note)
                if asked, line.tick > since { return line }
                continue
            case .note:
                continue
            }
            guard asked, let reply = lines[(i + 1)...].first(where: isReply), reply.tick > since else { continue }
            return reply
        }
        return nil
    }
}

public struct DemoScenario: Sendable, Equatable {
    /// The file's name without its extension: what `--demo NAME` and `play NAME` take.
    public var name: String
    public var title: String
    public var summary: String
    public var world: String?
    public var steps: [DemoStep]
    /// Questions asked after the story (may be empty for a user's story).
    public var quiz: [QuizQuestion] = []
}

public struct DemoScenarioError: Error, Equatable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let reason: String
    public var description: String { "\(file):\(line): \(reason)" }
}

public enum DemoScenarioParser {
    static let keys = ["title", "summary", "world", "step", "also", "expect", "wait", "caption", "quiz", "choice", "explain"]

    public static func parse(_ text: String, name: String, file: String) throws -> DemoScenario {
        var title: String?, summary = "", world: String?
        var steps: [DemoStep] = []
        var quiz: [QuizQuestion] = []
        func fail(_ line: Int, _ reason: String) -> DemoScenarioError { DemoScenarioError(file: file, line: line, reason: reason) }
        func finishQuestion() throws {
            guard let q = quiz.last else { return }
            guard (2...4).contains(q.choices.count) else { throw fail(q.line, "a quiz question needs two to four `choice:` lines (answered with 1–4)") }
            guard q.answer >= 0 else { throw fail(q.line, "no choice is marked right: start the right one with \"* \"") }
            guard !q.explanation.isEmpty else { throw fail(q.line, "the question has no `explain:` line") }
        }
        func finish(_ lineNumber: Int) throws {
            guard let last = steps.last else { return }
            if last.caption.isEmpty { throw fail(last.line, "the step “\(last.send.first ?? "")” has no caption: add `caption: …` after it") }
        }
        let (entries, lineCount) = try KeyValueLines.entries(text) { n, found in
            fail(n, "expected `key: value` (keys: \(keys.joined(separator: ", "))), found “\(found)”")
        }
        for entry in entries {
            let n = entry.line, key = entry.key, text = entry.value
            switch key {
            case "title":
                guard steps.isEmpty else { throw fail(n, "`title:` belongs before the first step") }
                guard title == nil else { throw fail(n, "a second `title:`") }
                guard !text.isEmpty else { throw fail(n, "the title is empty") }
                title = text
            case "summary":
                guard steps.isEmpty else { throw fail(n, "`summary:` belongs before the first step") }
                summary = text
            case "world":
                guard steps.isEmpty else { throw fail(n, "`world:` belongs before the first step") }
                guard World.standard.scenario(named: text) != nil else {
                    throw fail(n, "unknown world “\(text)” (known: \(World.standard.scenarios.map(\.name).joined(separator: ", ")))")
                }
                world = text
            case "step":
                guard title != nil else { throw fail(n, "a step before the `title:` line") }
                guard quiz.isEmpty else { throw fail(n, "a step after the quiz: the quiz comes last") }
                try finish(n)
                steps.append(DemoStep(send: [text], sendLines: [n], expect: nil, wait: nil, caption: "", line: n))
            case "also":
                guard !steps.isEmpty else { throw fail(n, "`also:` needs a `step:` before it") }
                guard quiz.isEmpty else { throw fail(n, "`also:` after the quiz: the quiz comes last") }
                steps[steps.count - 1].send.append(text)
                steps[steps.count - 1].sendLines.append(n)
            case "expect":
                guard !steps.isEmpty else { throw fail(n, "`expect:` needs a `step:` before it") }
                guard quiz.isEmpty else { throw fail(n, "`expect:` after the quiz: the quiz comes last") }
                guard text.count == 3, let code = Int(text), (200...599).contains(code) else {
                    throw fail(n, "`expect:` takes a reply code from 200 to 599, not “\(text)”")
                }
                steps[steps.count - 1].expect = code
            case "wait":
                guard !steps.isEmpty else { throw fail(n, "`wait:` needs a `step:` before it") }
                guard quiz.isEmpty else { throw fail(n, "`wait:` after the quiz: the quiz comes last") }
                guard let wait = DemoWait(text) else {
                    throw fail(n, "`wait:` takes one of \(DemoWait.spellings.joined(separator: ", ")), not “\(text)”")
                }
                steps[steps.count - 1].wait = wait
            case "quiz":
                guard !steps.isEmpty else { throw fail(n, "the quiz comes after the steps") }
                try finishQuestion()
                guard !text.isEmpty else { throw fail(n, "an empty question") }
                quiz.append(QuizQuestion(question: text, choices: [], answer: -1, explanation: "", line: n))
            case "choice":
                guard !quiz.isEmpty else { throw fail(n, "`choice:` needs a `quiz:` question before it") }
                let right = text.hasPrefix("* ")
                let choice = right ? String(text.dropFirst(2)) : text
                guard !choice.isEmpty else { throw fail(n, "an empty choice") }
                if right {
                    guard quiz[quiz.count - 1].answer < 0 else { throw fail(n, "a second choice marked right: a question has one answer") }
                    quiz[quiz.count - 1].answer = quiz[quiz.count - 1].choices.count
                }
                quiz[quiz.count - 1].choices.append(choice)
            case "explain":
                guard !quiz.isEmpty else { throw fail(n, "`explain:` needs a `quiz:` question before it") }
                let current = quiz[quiz.count - 1].explanation
                quiz[quiz.count - 1].explanation = current.isEmpty ? text : current + " " + text
            case "caption":
                guard !steps.isEmpty else { throw fail(n, "`caption:` needs a `step:` before it") }
                guard quiz.isEmpty else { throw fail(n, "a caption after the quiz: the quiz comes last") }
                guard !text.isEmpty else { throw fail(n, "an empty caption") }
                let current = steps[steps.count - 1].caption
                steps[steps.count - 1].caption = current.isEmpty ? text : current + " " + text
            default:
                throw fail(n, "unknown key “\(key)” (keys: \(keys.joined(separator: ", ")))")
            }
        }
        guard let title else { throw fail(1, "no `title:` line") }
        guard !steps.isEmpty else { throw fail(max(1, lineCount), "no steps: add `step: …` lines") }
        try finish(lineCount)
        try finishQuestion()
        let scenario = DemoScenario(name: name, title: title, summary: summary, world: world, steps: steps, quiz: quiz)
        try checkSynchronization(scenario, file: file)
        return scenario
    }

    /// RFC 2920 §3.1 and its kin, asked of the engine's own table (Pipelining.swift): the story's lines go through
    /// plain sessions (no time passes; each reply is known at once), and before each line the session says whether
    /// the client must now wait. A flight that goes on where it must wait is refused, unless its step shows what a
    /// server does about it (`expect: 554`) and this server does check that wait.
    public static func checkSynchronization(_ scenario: DemoScenario, file: String, network: MailNetwork = .standard) throws {
        var session: ServerSession?
        var world = scenario.world.flatMap { World.standard.scenario(named: $0) }
        for step in scenario.steps {
            let lines = step.send.filter { $0 != DemoStep.waitOnly }
            flight: for (i, line) in lines.enumerated() {
                let words = line.split(separator: " ").map(String.init)
                let inData = session?.phase == .data
                var rule: PipeliningRule?, checked = false
                if !inData, let connect = ConnectCommand(words) {
                    if let machine = connect.machine, network.machine(named: machine) == nil {
                        throw DemoScenarioError(file: file, line: step.sendLines.indices.contains(i) ? step.sendLines[i] : step.line,
                                                reason: "no machine called \(machine) in this world (machines: \((network.machines.map(\.name) + network.hosts.map(\.name)).joined(separator: ", ")))")
                    }
                    let host = connect.host.map { network.host(named: $0) } ?? network.submissionHost
                    guard let host else { session = nil; continue }
                    // Only the replies matter here: no DKIM signature, no sender checks (RSA work the app would do
                    // for every story it loads).
                    var plain = host.world
                    plain.signer = nil
                    plain.trust = nil
                    var fresh = ServerSession(world: plain, profile: host.profile)
                    if let world { fresh.setScenario(world) }
                    _ = fresh.start()
                    session = fresh
                    rule = .greeting
                    checked = true
                } else if !inData, words.first == "disconnect" {
                    session = nil
                } else if !inData, words.first == "scenario", words.count > 1 {
                    world = World.standard.scenario(named: words[1])
                    if let world { session?.setScenario(world) }
                } else if var current = session, !current.isClosed {
                    rule = current.clientMustWait(after: line)
                    _ = current.receiveLine(line)
                    checked = current.checkedWait != nil
                    session = current
                }
                guard let rule, i + 1 < lines.count else { continue }
                let early = lines[i + 1], at = step.sendLines.indices.contains(i + 1) ? step.sendLines[i + 1] : step.line
                if step.expect == 554 && checked {
                    session = nil  // the story shows the hang-up: the rest of the flight is never read
                    break flight
                }
                let shown = early.isEmpty ? "an empty line" : "“\(early.prefix(60))”"
                let what = line.isEmpty ? "an empty line" : "“\(line.prefix(60))”"
                throw DemoScenarioError(file: file, line: at, reason: step.expect == 554
                    ? "\(shown) follows \(what) in one flight, but this server does not hang up over that (\(rule.explanation)); a story must not act out a violation it cannot show"
                    : "\(shown) is sent in the same flight as \(what), before its reply: \(rule.explanation). Give it a step of its own (or show the consequence with `expect: 554`)")
            }
        }
    }
}
