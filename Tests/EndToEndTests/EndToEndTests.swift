import Foundation
import Testing

@Suite("End to end in tmux", .serialized)
struct EndToEndTests {
    @Test func connectAndCompleteADeliveryFollowingTheSuggestions() throws {
        let t = try TmuxSession()
        try t.waitFor("Type `connect`")
        try t.type("connect"); try t.keys("Enter")
        try t.waitFor("220 smtp.example.com")
        try t.waitFor("● Connected")
        // Accept the suggestion each time it is offered, until the message is delivered.
        for _ in 0..<24 {
            // Wait for a real suggestion: "Next: …" means a reply is still on its way.
            let screen = try t.waitFor("a suggestion", seconds: 10) { $0.contains("Next: ") && !$0.contains("Next: …") }
            if screen.contains("Next: QUIT") { break }
            if screen.contains("Next: (an empty line)") { try t.keys("Enter") } else { try t.keys("Tab"); try t.keys("Enter") }
            Thread.sleep(forTimeInterval: 0.3)
        }
        try t.waitFor("queued as")
        try t.waitFor("Recipient [1]")
        try t.waitFor("● Authenticated")
        // Server reply codes are coloured: 235 in the 2xx colour (green family).
        let colored = try t.screen(colors: true)
        #expect(colored.contains("\u{1B}["), "no colour escapes in the capture")
        try t.keys("Escape"); try t.type("b")
        try t.waitFor("Inbox of bob@domain.com")
        try t.waitFor("Received: from client.example.com")
        try t.keys("Escape")
        try t.type("q")
        #expect(try t.exitStatus() == 0)
    }

    @Test func mouseClicksTabsCommandsAndTryIt() throws {
        let t = try TmuxSession()
        try t.waitFor("Type `connect`")
        try t.type("connect"); try t.keys("Enter")
        try t.waitFor("220 smtp.example.com")
        let tab = try t.locate("2 Commands")
        try t.click(x: tab.x + 1, y: tab.y)
        try t.waitFor("▶ SMTP commands")
        // EHLO is selected already (the first item), so one click on it opens it; a first click on another
        // item only selects it.
        let other = try t.locate("RSET")
        try t.click(x: other.x, y: other.y)
        try t.waitFor("RSET selected", seconds: 5) { $0.contains("▸ 8 RSET") }
        let row = try t.locate("EHLO / HELO")
        try t.click(x: row.x, y: row.y)
        Thread.sleep(forTimeInterval: 0.2)
        #expect(!(try t.screen()).contains("Try it"), "a click on an unselected item must only select it")
        try t.click(x: row.x, y: row.y)
        try t.waitFor("Try it")
        try t.waitFor("Syntax")
        let button = try t.locate("Try it")
        try t.click(x: button.x, y: button.y)
        try t.waitFor("C: EHLO client.example.com")
        try t.keys("Enter")
        try t.waitFor("250-smtp.example.com Hello client.example.com")
        // Wheel over the command list does not crash and a click outside a popup closes it.
        try t.type("\u{1B}[<65;5;20M")
        try t.keys("Escape"); try t.type("?")
        try t.waitFor("Help — every key")
        try t.click(x: 0, y: 0)
        try t.waitFor("help closed", seconds: 5) { !$0.contains("Help — every key") }
    }

    @Test func resizingNeverBreaksTheFrameAndTooSmallRecovers() throws {
        let t = try TmuxSession()
        try t.waitFor("Type `connect`")
        for (w, h) in [(80, 24), (40, 12), (30, 8), (200, 60), (120, 36)] {
            try t.resize(width: w, height: h)
            if w < 40 || h < 10 {
                try t.waitFor("Please enlarge")
            } else {
                let screen = try t.waitFor("the \(w)x\(h) frame", seconds: 5) { $0.contains("1 Flow") && $0.contains("5 Code") && !$0.contains("Please enlarge") }
                let lines = screen.split(separator: "\n", omittingEmptySubsequences: false)
                #expect(lines.allSatisfy { $0.count <= w }, "a line is wider than \(w)")
            }
        }
        #expect(!(try t.screen()).contains("[exit "), "the app exited during resizing")
    }

    @Test func sigtermRestoresTheTerminal() throws {
        let t = try TmuxSession(command: "\"$0\"; echo \"[exit $?]\"; stty -a; sleep 600 #")
        try t.waitFor("Type `connect`")
        let shell = try t.run(["display-message", "-p", "#{pane_pid}"]).trimmingCharacters(in: .whitespacesAndNewlines)
        // The app is the pane shell's child: send it SIGTERM as `kill` would.
        _ = try Spawn.run(["/usr/bin/pkill", "-TERM", "-P", shell, "-x", "smtp-tui"], captureOutput: true)
        #expect(try t.exitStatus() == 0)
        let screen = try t.waitFor("stty output") { $0.contains("icanon") }
        #expect(screen.contains(" icanon") && screen.contains(" echo"), "terminal left raw:\n\(screen)")
        #expect(!screen.contains("-icanon"))
    }

    @Test func dumbTerminalGetsAClearMessageAndStatus2() throws {
        let t = try TmuxSession(env: ["TERM": "dumb"])
        #expect(try t.exitStatus() == 2)
        #expect(try t.screen().contains("needs a full-screen terminal"))
    }

    @Test func unknownTerminalTypeGetsAClearMessageAndStatus2() throws {
        let t = try TmuxSession(env: ["TERM": "no-such-term"])
        #expect(try t.exitStatus() == 2)
        #expect(try t.screen().contains("has no terminfo entry"))
    }

    @Test func noColorMeansNoColourEscapes() throws {
        let t = try TmuxSession(env: ["NO_COLOR": "1"])
        try t.waitFor("Type `connect`")
        let screen = try t.screen(colors: true)
        #expect(screen.range(of: "\u{1B}\\[[0-9;]*(3[0-7]|9[0-7]|38;5;[0-9]+)m", options: .regularExpression) == nil)
        #expect(screen.contains("theme: mono"))
    }

    @Test func pressingTCyclesThemesLive() throws {
        let t = try TmuxSession()
        try t.waitFor("theme: default")
        let before = try t.screen(colors: true)
        try t.keys("Escape"); try t.type("t")
        try t.waitFor("theme: light")
        let after = try t.screen(colors: true)
        #expect(before != after)
        #expect(before.contains("48;5;235") && after.contains("48;5;255"), "background colour did not change")
    }

    @Test func brokenThemeFromTheCommandLineExits2() throws {
        let path = NSTemporaryDirectory() + "broken-\(getpid()).toml"
        try "inherits = \"default\"\n[roles]\n\"reply.6xx\" = { fg = \"red\" }\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let t = try TmuxSession(command: "\"$0\" --theme \(path)")
        #expect(try t.exitStatus() == 2)
        let screen = try t.screen()
        #expect(screen.contains(":3: reply.6xx: unknown role"))
        #expect(screen.contains("did you mean"))
    }

    @Test func outOfOrderCommandShowsARedReply() throws {
        let t = try TmuxSession()
        try t.waitFor("Type `connect`")
        try t.type("connect"); try t.keys("Enter")
        try t.waitFor("220 smtp.example.com")
        try t.type("MAIL FROM:<alice@example.com>"); try t.keys("Enter")
        try t.waitFor("503 5.5.1")
        let line = try t.screen(colors: true).split(separator: "\n").first { $0.contains("5.5.1") } ?? ""
        // The default theme's reply.5xx (#f38181) is xterm-256 colour 210.
        #expect(line.contains("38;5;210"), "503 not drawn in the 5xx colour: \(line)")
        try t.keys("Escape"); try t.keys("Up")
        try t.waitFor("ⓘ 503")
    }

    @Test func aCrashStillRestoresTheTerminal() throws {
        let t = try TmuxSession(env: ["SMTP_TUI_TEST_CRASH": "1"], command: "\"$0\"; echo \"[exit $?]\"; stty -a; sleep 600 #")
        let status = try t.exitStatus(seconds: 20)
        #expect(status != 0)
        let screen = try t.waitFor("stty output") { $0.contains("icanon") }
        #expect(!screen.contains("-icanon") && !screen.contains("-echo "), "terminal left raw after a crash:\n\(screen)")
    }

    @Test func escapeGarbageDoesNotQuitOrLoseTypedText() throws {
        let t = try TmuxSession()
        try t.waitFor("Type `connect`")
        try t.type("EHLO half-typed")
        try t.type("\u{1B}[99;99q\u{1B}[?1;2c\u{1B}Oq\u{1B}]0;title\u{7}")
        Thread.sleep(forTimeInterval: 0.5)
        let screen = try t.screen()
        #expect(!screen.contains("[exit "), "escape garbage quit the app")
        #expect(screen.contains("C: EHLO half-typed"))
    }

    @Test func nonUTF8LocaleStillDrawsAFrame() throws {
        let t = try TmuxSession(env: ["LANG": "C", "LC_ALL": "C"])
        let screen = try t.waitFor("Type `connect`")
        #expect(screen.contains("telnet smtp.example.com 587"))
        let ascii = try TmuxSession(command: "\"$0\" --ascii")
        let plain = try ascii.waitFor("Type `connect`")
        #expect(!plain.contains("─") && plain.contains("+-"))
    }

    /// Types a line and waits until `reply` shows.
    private func send(_ t: TmuxSession, _ line: String, expect reply: String) throws {
        try t.type(line); try t.keys("Enter")
        try t.waitFor(reply)
    }

    /// Connects, secures, logs in and starts a message, checking each step's reply on screen.
    private func startTransaction(_ t: TmuxSession) throws {
        try t.waitFor("● Offline")
        try send(t, "connect", expect: "● Connected")
        try send(t, "EHLO client.example.com", expect: "250 CHUNKING")
        try send(t, "STARTTLS", expect: "● TLS")
        try send(t, "EHLO client.example.com", expect: "250-AUTH PLAIN LOGIN")
        try send(t, "AUTH PLAIN AGFsaWNlQGV4YW1wbGUuY29tAHdvbmRlcmxhbmQ=", expect: "● Authenticated")
        try send(t, "MAIL FROM:<alice@example.com>", expect: "250 2.1.0 Ok")
    }

    @Test func aWholeSessionTypedByHandWithDotStuffing() throws {
        let t = try TmuxSession()
        try t.waitFor("● Offline")
        try send(t, "connect", expect: "● Connected")
        try send(t, "EHLO client.example.com", expect: "250 CHUNKING")
        try send(t, "STARTTLS", expect: "● TLS")
        #expect(try t.screen().contains("cannot speak TLS"))
        try send(t, "EHLO client.example.com", expect: "250-AUTH PLAIN LOGIN")
        try send(t, "AUTH PLAIN AGFsaWNlQGV4YW1wbGUuY29tAHdyb25n", expect: "535 5.7.8")
        try send(t, "AUTH PLAIN AGFsaWNlQGV4YW1wbGUuY29tAHdvbmRlcmxhbmQ=", expect: "● Authenticated")
        try send(t, "MAIL FROM:<alice@example.com>", expect: "250 2.1.0 Ok")
        try send(t, "RCPT TO:<nobody@domain.com>", expect: "550 5.1.1")
        // Replies are coloured by class: 5xx in the default theme's red (xterm-256 colour 210).
        let refused = try t.screen(colors: true).split(separator: "\n").first { $0.contains("5.1.1 <nobody@domain.com>") } ?? ""
        #expect(refused.contains("38;5;210"), "550 not in the 5xx colour: \(refused)")
        try send(t, "RCPT TO:<bob@domain.com>", expect: "250 2.1.5 Ok")
        try send(t, "DATA", expect: "354 End data")
        for line in ["Subject: typed by hand", "", "First line", "..a line that starts with a dot", "Last line"] {
            try t.type(line); try t.keys("Enter")
        }
        try send(t, ".", expect: "queued as")
        try t.waitFor("Recipient [1]")
        let colours = try t.screen(colors: true)
        let lines = colours.split(separator: "\n")
        // 2xx in the default theme's green (#8fd4a0 → xterm-256 colour 115).
        #expect(lines.first { $0.contains("queued as") }?.contains("38;5;115") == true)
        // Body lines are drawn in the data role, distinct from what you typed.
        let data = lines.first { $0.contains("Last line") } ?? ""
        let you = lines.first { $0.contains("RCPT TO:<bob@domain.com>") } ?? ""
        #expect(!data.isEmpty && !you.isEmpty)
        #expect(data.contains("38;5;") && you.contains("38;5;"))
        try send(t, "QUIT", expect: "221 2.0.0 Bye")
        try t.waitFor("● Closed")
        try t.keys("Escape"); try t.type("b")
        try t.waitFor("Inbox of bob@domain.com")
        let inbox = try t.screen()
        #expect(inbox.contains(".a line that starts with a dot"))
        #expect(!inbox.contains("..a line"))
        #expect(inbox.contains("Subject: typed by hand"))
        #expect(inbox.contains("with ESMTPSA"))
    }

    @Test func aRejectedRecipientBouncesBackInTheDiagram() throws {
        let t = try TmuxSession()
        try startTransaction(t)
        // Quarter speed, so the bounce is on screen long enough to see.
        try t.keys("Escape"); try t.type("--i")
        try t.type("RCPT TO:<nobody@domain.com>"); try t.keys("Enter")
        try t.waitFor("the bounce", seconds: 10) { $0.contains("↩550") }
        try t.waitFor("550 5.1.1")
    }

    @Test func pastingTenThousandLinesKeepsTheUIResponsive() throws {
        let t = try TmuxSession()
        try startTransaction(t)
        try send(t, "RCPT TO:<bob@domain.com>", expect: "250 2.1.5 Ok")
        try send(t, "DATA", expect: "354 End data")
        var body = "Subject: ten thousand lines\n\n"
        for i in 0..<10_000 { body += "line \(i) of the pasted body\n" }
        body += ".\n"
        let file = NSTemporaryDirectory() + "paste-\(getpid()).txt"
        try body.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        try t.run(["load-buffer", file])
        let start = Date()
        try t.run(["paste-buffer", "-p"])  // -p: bracketed paste, as a terminal sends it
        try t.waitFor("queued as", seconds: 30)
        let seconds = Date().timeIntervalSince(start)
        #expect(seconds < 20, "the paste took \(seconds) s")
        try t.waitFor("line 9999 of the pasted body")
        try t.keys("Escape"); try t.type("b")
        try t.waitFor("Inbox of bob@domain.com")
    }

    @Test func aBrokenUserThemeWhileCyclingKeepsTheCurrentOne() throws {
        let config = NSTemporaryDirectory() + "smtp-tui-config-\(getpid())"
        try FileManager.default.createDirectory(atPath: config + "/smtp-tui/themes", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: config) }
        try "inherits = \"default\"\n[roles]\ntext = { fg = \"nonsense\" }\n".write(toFile: config + "/smtp-tui/themes/zz-broken.toml", atomically: true, encoding: .utf8)
        let t = try TmuxSession(env: ["XDG_CONFIG_HOME": config])
        try t.waitFor("theme: default")
        try t.keys("Escape")
        for name in ["light", "projector", "mono", "okabe-ito"] {
            try t.type("t")
            try t.waitFor("theme: \(name)")
        }
        try t.type("t")
        try t.waitFor("Theme zz-broken not loaded")
        let screen = try t.screen()
        #expect(screen.contains("theme: okabe-ito"))
        #expect(screen.contains("zz-broken.toml:3: text: bad colour"))
    }
}
