// The grader: replays what a learner would type, from the mission's start, the way a careful learner types it —
// each line once every reply before it has arrived (a line starting with "> " goes right behind the one before,
// without waiting: pipelining) — then lets the world run until its queues are quiet, and judges. The same replay
// checks the built-in missions' reference solutions (`learn --check`).

public struct GradeResult: Sendable, Equatable {
    public let missionID: String
    public let verdict: MissionVerdict
    /// Lines the attempt typed (connect and message lines included): compared with the mission's par.
    public let commands: Int
    public let par: Int
    public var passed: Bool { verdict.passed }
}

public enum Grader {
    /// The longest the world may keep moving after the last line (ticks): ten simulated minutes.
    static let settleLimit = 36_000

    /// The world at a mission's start: nobody connected, the mission's world scenario in force on every server.
    public static func start(_ mission: Mission, network: MailNetwork = .standard) -> Simulation {
        var network = network
        if let name = mission.world, let scenario = World.standard.scenario(named: name) {
            for i in network.hosts.indices { network.hosts[i].world.scenario = scenario }
        }
        return Simulation(network: network)
    }

    /// The lines of an attempt file: one per line as typed; a final newline ends the last line, not a new one.
    public static func lines(of file: String) -> [String] {
        var lines = file.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            line.hasSuffix("\r") ? String(line.dropLast()) : String(line)
        }
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    public static func grade(_ mission: Mission, lines: [String], network: MailNetwork = .standard) -> GradeResult {
        var sim = start(mission, network: network)
        for line in lines { play(line, on: &sim) }
        var n = 0
        while sim.isBusy && n < settleLimit { _ = sim.advanceAll(by: 1); n += 1 }
        return GradeResult(missionID: mission.id, verdict: MissionJudge.judge(mission, sim: sim), commands: lines.count, par: mission.par)
    }

    /// Sends one typed line: a local command (connect [HOST], telnet HOST PORT, open HOST PORT, disconnect, scenario
    /// NAME) or a line for the server, after waiting for the replies before it unless it starts with "> ".
    public static func play(_ typed: String, on sim: inout Simulation) {
        var line = typed
        let pipelined = line.hasPrefix("> ") && sim.session?.phase != .data
        if pipelined { line = String(line.dropFirst(2)) } else { waitForReplies(&sim) }
        let words = line.split(separator: " ").map(String.init)
        let inData = sim.session?.phase == .data
        if !inData, let connect = ConnectCommand(words) {
            sim.connect(to: connect.host, from: connect.machine)
        } else if !inData, words.first == "disconnect" {
            sim.disconnect()
        } else if !inData, words.first == "scenario", words.count > 1, let s = sim.world.scenario(named: words[1]) {
            sim.setScenario(s)
        } else {
            sim.send(line)
        }
    }

    static func waitForReplies(_ sim: inout Simulation) {
        var n = 0
        while sim.isAwaitingServer && n < 20_000 { _ = sim.advanceAll(by: 1); n += 1 }
    }

    /// What `learn --check` reports about a mission file: its reference solution must pass within par, and its goal
    /// must not be met before anyone has typed. Empty when all is well.
    public static func problems(with mission: Mission) -> [String] {
        guard !mission.live else { return [] }  // judged on real programs; nothing to replay
        var problems: [String] = []
        let solved = grade(mission, lines: mission.solution)
        if !solved.passed {
            if let f = solved.verdict.failure { problems.append("the reference solution fails: \(f)") }
            for c in solved.verdict.checks where !c.passed { problems.append("the reference solution fails “\(c.name)”: \(c.message)") }
        }
        if solved.commands > mission.par { problems.append("the reference solution takes \(solved.commands) lines, over par \(mission.par)") }
        let untouched = grade(mission, lines: [])
        if untouched.verdict.checks.allSatisfy(\.passed) { problems.append("the goal is already met before anything is typed") }
        return problems
    }
}
