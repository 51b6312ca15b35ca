// A short fuzz run in CI: Scripts/fuzz-tui sends random keys, escape garbage, mouse events, pastes and resizes to
// the real app in tmux; it must never die, must quit on q, and must leave a sane tty. Longer runs: by hand.
import Foundation
import Testing

@Suite("Fuzzed TUI", .serialized, .timeLimit(.minutes(5)))
struct FuzzTests {
    @Test func threeHundredRandomEventsNeverKillTheApp() throws {
        let python = try #require(Spawn.which("python3"), "python3 is required for Scripts/fuzz-tui; .ci/run installs it")
        try #require(TmuxSession.tmux != nil, "tmux is required; .ci/run installs it")
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { root.deleteLastPathComponent() }
        let script = root.appendingPathComponent("Scripts/fuzz-tui").path
        // A fixed seed: a failure here is reproducible with SEED=7 Scripts/fuzz-tui 300.
        let output = try Spawn.run(["/usr/bin/env", "SEED=7", "SMTP_TUI_BIN=\(TmuxSession.binaryPath)", python, script, "300"],
                                   captureOutput: true, seconds: 240)
        #expect(output.hasPrefix("fuzz-tui: OK 300 events"), "\(output)")
    }
}
