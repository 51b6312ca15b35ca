// A short fuzz run in CI: Scripts/fuzz-tui sends random keys, escape garbage, mouse events, pastes and resizes to
// the real app in tmux; it must never die, must quit on q, and must leave a sane tty. Longer runs: by hand. A run is
// a function of its SEED: the same seed plans the same events, so a failure printed with its seed can be replayed.
import Foundation
import Testing
import TestLanes

@Suite("Fuzzed TUI", .blocking, .serialized, .timeLimit(.minutes(5)))
struct FuzzTests {
    static var script: String {
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { root.deleteLastPathComponent() }
        return root.appendingPathComponent("Scripts/fuzz-tui").path
    }

    /// Runs the script with SEED and arguments; its output.
    static func fuzz(seed: Int, _ arguments: [String], seconds: Double = 240) throws -> String {
        let python = try #require(Spawn.which("python3"), "python3 is required for Scripts/fuzz-tui; .ci/run installs it")
        return try Spawn.run(["/usr/bin/env", "SEED=\(seed)", "SMTP_TUI_BIN=\(TmuxSession.binaryPath)", python, script] + arguments,
                             captureOutput: true, seconds: seconds)
    }

    /// The digest a plan or a run reports for its events.
    static func digest(_ output: String) -> String? { output.firstMatch(of: /plan ([0-9a-f]{16})/).map { String($0.1) } }

    @Test func theSameSeedPlansTheSameEvents() throws {
        let first = try Self.fuzz(seed: 5, ["--plan", "200"]), again = try Self.fuzz(seed: 5, ["--plan", "200"])
        #expect(first.split(separator: "\n").count == 201, "200 events and the digest:\n\(first.prefix(500))")
        #expect(first == again, "SEED=5 planned two different runs")
        #expect(try Self.fuzz(seed: 6, ["--plan", "200"]) != first, "the seed does not steer the plan")
    }

    @Test func threeHundredRandomEventsNeverKillTheApp() throws {
        try #require(TmuxSession.tmux != nil, "tmux is required; .ci/run installs it")
        // A fixed seed: a failure here is replayed with SEED=7 Scripts/fuzz-tui 300.
        let output = try Self.fuzz(seed: 7, ["300"])
        #expect(output.hasPrefix("fuzz-tui: SEED=7, 300 events, plan "), "\(output)")
        #expect(output.contains("fuzz-tui: OK 300 events (seed 7, "), "\(output)")
        // The run sent the events its seed plans.
        let planned = try #require(Self.digest(try Self.fuzz(seed: 7, ["--plan", "300"])))
        #expect(Self.digest(output) == planned, "\(output)")
    }
}
