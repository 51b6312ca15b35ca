// Plays a lesson story in the simulation without a screen: for `smtp-tui play` (handouts) and for tests. The app's
// demo mode drives the same steps through its own update loop, so both tell the same story.

/// What one step did.
public struct DemoStepRecord: Sendable, Equatable {
    /// A command the client sent, a line of message text (after 354), a reply line, a local command typed in the
    /// terminal (connect, disconnect, scenario), or news from the simulation.
    public enum Line: Sendable, Equatable { case client(String), data(String), server(Int, String), local(String), note(String) }
    public let step: DemoStep
    public var lines: [Line] = []
    /// The code of the last reply the step's lines got (nil for local commands that got none).
    public var lastCode: Int?
    /// True when `expect` is absent or matched.
    public var asExpected: Bool { step.expect == nil || step.expect == lastCode }
}

public struct DemoRecord: Sendable {
    public let scenario: DemoScenario
    public var steps: [DemoStepRecord]
    public var sim: Simulation
    public var failures: [String] { steps.enumerated().compactMap { i, r in
        r.asExpected ? nil : "step \(i + 1) (line \(r.step.line), “\(r.step.send[0])”): expected \(r.step.expect ?? 0), got \(r.lastCode.map(String.init) ?? "no reply")"
    } }
}

public enum DemoPlayer {
    /// Sends the step's lines the way the app's terminal does: local commands (connect, disconnect, scenario) are
    /// done here, everything else goes to the server. Returns what the learner would see typed.
    @discardableResult
    public static func send(_ step: DemoStep, to sim: inout Simulation) -> [DemoStepRecord.Line] {
        var typed: [DemoStepRecord.Line] = []
        for line in step.send where line != DemoStep.waitOnly {
            let words = line.split(separator: " ").map(String.init)
            let inData = sim.session?.phase == .data
            if !inData, let connect = ConnectCommand(words) {
                sim.connect(to: connect.host, from: connect.machine)
                let from = sim.learnerMachine.name == sim.network.clientName ? "" : " from \(sim.learnerMachine.name) [\(sim.learnerMachine.address)]"
                typed.append(.local("connect \(sim.host.name) (port \(sim.host.port))" + from))
            } else if !inData, words.first == "disconnect" {
                sim.disconnect()
                typed.append(.local("disconnect"))
            } else if !inData, words.first == "scenario", words.count > 1, let s = sim.world.scenario(named: words[1]) {
                sim.setScenario(s)
                typed.append(.local("scenario \(s.name): \(s.summary)"))
            } else {
                sim.send(line)
                typed.append(inData ? .data(line) : .client(line))
            }
        }
        return typed
    }

    /// Runs time until the step is over: its replies have arrived and its `wait` (if any) is reached.
    public static func finish(_ step: DemoStep, _ sim: inout Simulation, limit: Int = 60_000) -> [SimulationOutput] {
        var seen: [SimulationOutput] = []
        var n = 0
        let since = sim.tick
        while (sim.isAwaitingServer || !(step.wait?.isReached(by: sim, since: since) ?? true)) && n < limit {
            if !sim.isBusy && !sim.isAwaitingServer { break }  // nothing will ever change again
            seen += sim.advanceAll(by: 1)
            n += 1
        }
        return seen
    }

    public static func play(_ scenario: DemoScenario, network: MailNetwork = .standard) -> DemoRecord {
        var sim = Simulation(network: network)
        var records: [DemoStepRecord] = []
        if let name = scenario.world, let world = sim.world.scenario(named: name) { sim.setScenario(world) }
        for step in scenario.steps {
            var record = DemoStepRecord(step: step)
            record.lines = send(step, to: &sim)
            for output in finish(step, &sim) { record.add(output) }
            records.append(record)
        }
        // Let the journey finish (queue, relay, retry, bounce) so the mailboxes are final.
        var tail: [SimulationOutput] = []
        var n = 0
        while sim.isBusy && n < 60_000 { tail += sim.advanceAll(by: 1); n += 1 }
        if !records.isEmpty { for output in tail { records[records.count - 1].add(output) } }
        return DemoRecord(scenario: scenario, steps: records, sim: sim)
    }
}

extension DemoStepRecord {
    /// The lines as a reader wants them: news from elsewhere in the journey that arrived while this step still
    /// waited for its replies (a delivery finishing during QUIT, say) comes after those replies, not between a
    /// command and its answer.
    public var inReadingOrder: [Line] {
        guard let lastReply = lines.lastIndex(where: { if case .server = $0 { return true }; return false }) else { return lines }
        var before: [Line] = [], news: [Line] = []
        for line in lines[...lastReply] {
            if case .note = line { news.append(line) } else { before.append(line) }
        }
        return before + news + lines[(lastReply + 1)...]
    }

    mutating func add(_ output: SimulationOutput) {
        switch output {
        case .session(.reply(let reply, _)):
            for line in reply.wireLines { lines.append(.server(reply.code, line)) }
            lastCode = reply.code
        case .session(.tlsStarted): lines.append(.note("TLS handshake done"))
        case .session(.authenticated(let user)): lines.append(.note("logged in as \(user)"))
        case .session(.closed): lines.append(.note("connection closed"))
        case .session(.delivered): break
        case .note(let text): lines.append(.note(text))
        }
    }
}

/// The whole story as text or Markdown: captions, both transcripts, the DNS answers and the mailboxes.
public enum DemoReport {
    public enum Format: String, Sendable, CaseIterable { case text, markdown }

    public static func render(_ record: DemoRecord, format: Format) -> String {
        let md = format == .markdown
        var out: [String] = []
        func heading(_ level: Int, _ text: String) {
            if md { out.append(String(repeating: "#", count: level) + " " + text) } else {
                out.append(text)
                out.append(String(repeating: level == 1 ? "=" : "-", count: min(78, text.count)))
            }
        }
        func block(_ lines: [String]) {
            guard !lines.isEmpty else { return }
            if md { out.append("```"); out += lines; out.append("```") } else { out += lines.map { "    " + $0 } }
        }
        let s = record.scenario
        heading(1, s.title)
        if !s.summary.isEmpty { out += ["", s.summary] }
        for (i, step) in record.steps.enumerated() {
            out.append("")
            heading(2, "Step \(i + 1): \(step.step.send[0].isEmpty ? "(an empty line)" : step.step.send[0])")
            out.append(step.step.caption)
            out.append("")
            block(step.inReadingOrder.map {
                switch $0 {
                case .client(let l): return "C: " + l
                case .data(let l): return "D: " + l
                case .server(_, let l): return "S: " + l
                case .local(let n), .note(let n): return "·  " + n
                }
            })
        }
        let hops = record.sim.hopLines
        if !hops.isEmpty {
            out.append("")
            heading(2, "The relay hops: server to server, with the DNS lookups and the receiving server's checks")
            out.append("")
            block(hops.map {
                switch $0.kind {
                case .client: return "C: " + $0.text
                case .server: return "S: " + $0.text
                case .note: return "·  " + $0.text
                }
            })
        }
        out.append("")
        heading(2, "Mailboxes afterwards")
        if record.sim.arrivals.isEmpty { out += ["", "No message reached a mailbox."] }
        for arrival in record.sim.arrivals {
            out.append("")
            out.append((md ? "**" : "") + "\(arrival.mailbox) at \(arrival.host)" + (arrival.notice.map { $0 == .failed ? " — a bounce report" : " — a delivery status notice (\($0.rawValue))" } ?? "") + (md ? "**" : ""))
            out.append("")
            let message = arrival.message
            block(message.headers.flatMap { $0.split(separator: "\n", omittingEmptySubsequences: false).map { String($0).replacingTabs() } }
                  + [""] + message.body.prefix(200) + (message.body.count > 200 ? ["… \(message.body.count - 200) more lines"] : []))
        }
        if !s.quiz.isEmpty {
            // The quiz for a handout: the questions, then the answers with why (a teacher can cut the page there).
            out.append("")
            heading(2, "Questions")
            for (i, q) in s.quiz.enumerated() {
                out.append("")
                out.append("\(i + 1). \(q.question)")
                for (n, choice) in q.choices.enumerated() { out.append("   \(n + 1)) \(choice)") }
            }
            out.append("")
            heading(2, "Answers")
            for (i, q) in s.quiz.enumerated() {
                out.append("")
                out.append("\(i + 1). \(q.answer + 1)) \(q.choices[q.answer]) — \(q.explanation)")
            }
        }
        let failures = record.failures
        if !failures.isEmpty {
            out.append("")
            heading(2, "Steps that did not go as the scenario expects")
            out += failures.map { "- " + $0 }
        }
        return out.joined(separator: "\n") + "\n"
    }
}

extension String {
    func replacingTabs() -> String { split(separator: "\t", omittingEmptySubsequences: false).joined(separator: "    ") }
}
