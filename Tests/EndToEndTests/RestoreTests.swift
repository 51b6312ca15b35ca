// The terminal is handed back whole however the app ends (q, Ctrl-C, SIGTERM, SIGHUP, a crash) and while it is
// suspended (SIGTSTP) until it takes the terminal again (SIGCONT): mouse reporting off, the main screen back, the
// cursor visible, bracketed paste off, the tty cooked. Every mode is read back from the terminal itself (tmux's pane
// modes, stty, and what a paste delivers to a shell), never from the app's own code; and each is first seen on
// while the app runs, so "off" afterwards means it was turned off.
import Foundation
import Testing
import TestLanes

@Suite("Terminal restore in tmux", .blocking, .serialized, .timeLimit(.minutes(5)))
struct RestoreTests {
    enum Ending: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case q, ctrlC, sigterm, sighup, crash, sigsegv, sigabrt
        var testDescription: String { rawValue }
        /// The app is killed by a signal (its handler restores, then the signal ends it).
        var isCrash: Bool { [.crash, .sigsegv, .sigabrt].contains(self) }
    }

    /// What the shell runs once the app has ended: its status, stty's flags, then one line read from the terminal
    /// and shown with cat -v (an escape shows as ^[). `#` comments out the "[exit]" the session appends.
    static let probe = #"; echo "[exit $?]"; stty -a; IFS= read -r line; echo "read:$line" | cat -v; sleep 600 #"#

    /// The flags `stty -a` printed, as whole words ("echo" is not "echoe", "-icanon" is not "icanon").
    static func sttyFlags(_ text: Substring) -> Set<String> {
        Set(text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == ";" }).map(String.init))
    }

    /// The tty is cooked again: the stty output after `marker` has icanon, echo and isig on.
    static func expectCookedTTY(_ t: TmuxSession, after marker: String) throws {
        let screen = try t.waitFor("stty output after \(marker)") { screen in
            guard let r = screen.range(of: marker) else { return false }
            return screen[r.upperBound...].contains("speed") && screen[r.upperBound...].contains("icanon")
        }
        let flags = Self.sttyFlags(screen[try #require(screen.range(of: marker)).upperBound...])
        for flag in ["icanon", "echo", "isig"] {
            #expect(flags.contains(flag) && !flags.contains("-" + flag), "terminal left without \(flag):\n\(screen)")
        }
    }

    /// Pastes a line as a terminal does (in brackets only when the program in front asked for them) into the shell's
    /// `read`, and returns the line it read as cat -v shows it.
    static func pasteProbe(_ t: TmuxSession, label: String = "read:") throws -> String {
        let marker = "probe\(UInt16.random(in: 1000...9999))"
        try t.run(["set-buffer", "--", marker])
        try t.run(["paste-buffer", "-p"])
        try t.keys("Enter")
        func line(_ screen: String) -> String? { TmuxSession.pieces(screen).last { $0.hasPrefix(label) && $0.contains(marker) } }
        let line = try #require(line(try t.waitFor("the pasted line read back") { line($0) != nil }))
        return line.replacingOccurrences(of: marker, with: "PROBE")
    }

    /// Waits until tmux reports the given modes for the pane.
    @discardableResult
    static func waitForModes(_ t: TmuxSession, _ what: String, _ wanted: [String: Int]) throws -> [String: Int] {
        let deadline = Date().addingTimeInterval(30)
        var modes: [String: Int] = [:]
        while Date() < deadline {
            modes = try t.modes()
            if wanted.allSatisfy({ modes[$0.key] == $0.value }) { return modes }
            usleep(100_000)
        }
        throw TmuxError(description: "timed out waiting for \(what): modes \(modes.sorted { $0.key < $1.key })")
    }

    /// The app holds the terminal: alternate screen, mouse reporting in SGR form, no cursor (outside the input line).
    static let held = ["alternate_on": 1, "mouse_any_flag": 1, "mouse_sgr_flag": 1, "cursor_flag": 0]
    /// The terminal as a shell wants it.
    static let released = ["alternate_on": 0, "cursor_flag": 1, "mouse_any_flag": 0, "mouse_button_flag": 0,
                           "mouse_all_flag": 0, "mouse_standard_flag": 0, "mouse_sgr_flag": 0, "mouse_utf8_flag": 0]

    /// The probe itself: with bracketed paste on, a paste reaches the shell in brackets (so "no brackets" later
    /// means the mode is off, not that this tmux never sends them).
    @Test func theProbeSeesBracketedPasteWhenItIsOn() throws {
        let t = try TmuxSession(command: #"printf "\033[?2004h"; IFS= read -r line; echo "read:$line" | cat -v; sleep 600 #"#)
        #expect(try Self.pasteProbe(t) == "read:^[[200~PROBE^[[201~")
    }

    @Test(arguments: Ending.allCases.map { ($0, false) } + [(.sigterm, true), (.sighup, true)])
    func everyEndingHandsTheTerminalBack(_ ending: Ending, live: Bool) throws {
        // Live mode too: the listener's threads run beside the main loop and must not take the signal.
        let t = try TmuxSession(env: ending == .crash ? ["SMTP_TUI_TEST_CRASH": "1"] : [:],
                                command: "\"$0\"" + (live ? " --listen 127.0.0.1:0" : "") + Self.probe)
        if ending != .crash {  // the requested crash comes right after the first frame
            try t.waitFor(live ? "listening on 127.0.0.1:" : "Type `connect`")
            try t.keys("Escape")  // out of the input line: q is a key, and the cursor is hidden
            try Self.waitForModes(t, "the app to hold the terminal", Self.held)
        }
        switch ending {
        case .q: try t.type("q")
        case .ctrlC: try t.keys("C-c")
        case .crash: break
        case .sigterm, .sighup, .sigsegv, .sigabrt:
            let pid = try #require(t.appPID, "the app is not running")
            let signal = switch ending { case .sigterm: SIGTERM; case .sighup: SIGHUP; case .sigsegv: SIGSEGV; default: SIGABRT }
            #expect(kill(pid, signal) == 0)
        }
        let status = try t.exitStatus()
        if ending.isCrash {
            #expect(status > 128, "a crash must end the app by its signal, not with status \(status)")
        } else {
            #expect(status == 0)
        }
        try Self.waitForModes(t, "the terminal handed back", Self.released)
        try Self.expectCookedTTY(t, after: "[exit ")
        #expect(try Self.pasteProbe(t) == "read:PROBE", "bracketed paste left on")
    }

    /// SIGTSTP (kill -TSTP, or a job-control shell's suspend) with the app in a job of its own, as in an interactive
    /// shell (bash with job control; in an orphaned process group the kernel would ignore the stop). While stopped
    /// the shell has a normal terminal; `fg` (SIGCONT) gives it back to the app, which redraws and understands the
    /// very next key and paste.
    @Test func suspendAndResume() throws {
        // After the probe, `read` waits for a key before `fg`: the probe's answer is on the shell's screen, which
        // the app's alternate screen hides as soon as it resumes.
        let script = #"set -m; "$0"; echo "[suspended $?]"; stty -a; IFS= read -r line; echo "read:$line" | cat -v; "#
            + #"read -r go; fg; echo "[exit $?]"; stty -a; IFS= read -r line; echo "again:$line" | cat -v; sleep 600 #"#
        let t = try TmuxSession(command: script, shell: "bash")
        try t.waitFor("Type `connect`")
        try t.keys("Escape"); try t.type("2")
        try t.waitForLine("▸ 1 EHLO / HELO")
        try Self.waitForModes(t, "the app to hold the terminal", Self.held)
        let pid = try #require(t.appPID, "the app is not running")
        #expect(kill(pid, SIGTSTP) == 0)
        try t.waitFor("[suspended 148]")  // 128 + SIGTSTP: the shell saw the job stop
        try Self.waitForModes(t, "the terminal handed back while suspended", Self.released)
        try Self.expectCookedTTY(t, after: "[suspended 148]")
        #expect(try Self.pasteProbe(t) == "read:PROBE", "bracketed paste left on while suspended")
        try t.keys("Enter")  // `fg`. The alternate screen starts blank: the list seen again means the app drew it again.
        try t.waitForLine("▸ 1 EHLO / HELO")
        try Self.waitForModes(t, "the app to hold the terminal again", Self.held)
        // The first key after the resume is understood (the keypad mode is back): the selection moves.
        try t.keys("Down")
        try t.waitForLine("▸ 2 MAIL FROM")
        // A paste arrives in brackets again: it lands in the input line instead of being taken as keys (? = help).
        try t.run(["set-buffer", "--", "?pasted"])
        try t.run(["paste-buffer", "-p"])
        let pasted = try t.waitForLine("C: ?pasted")
        #expect(!pasted.contains("Help — every key"), "the paste was taken as keys after the resume")
        try t.keys("Escape"); try t.type("q")
        try t.waitFor("[exit 0]")
        try Self.waitForModes(t, "the terminal handed back at the end", Self.released)
        try Self.expectCookedTTY(t, after: "[exit 0]")
        #expect(try Self.pasteProbe(t, label: "again:") == "again:PROBE", "bracketed paste left on")
    }
}
