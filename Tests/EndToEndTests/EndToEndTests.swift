// The real binary in tmux. Every step waits for positive evidence that the new state is drawn (a marker polled
// with a deadline), never for a fixed time; lines are compared whole, colours are read back with capture-pane -e
// and compared with the default theme's role. The suite is serialized and asserts no wall-clock speed: other
// suites run beside it, so a time limit would measure the machine, not the app.
import ColourOracle
import Foundation
import Testing
import TestLanes

@Suite("End to end in tmux", .blocking, .serialized, .timeLimit(.minutes(5)))
struct EndToEndTests {
    /// The "Next: …" line of the terminal pane (the suggestion), or nil.
    static func suggestion(_ screen: String) -> String? {
        TmuxSession.pieces(screen).first { $0.hasPrefix("Next: ") }
    }

    @Test func connectAndCompleteADeliveryFollowingTheSuggestions() throws {
        let t = try TmuxSession()
        try t.waitFor("Type `connect`")
        try t.type("connect"); try t.keys("Enter")
        try t.waitForLine("S: 220 smtp.example.com ESMTP smtp-tui (simulated mail server)")
        try t.waitFor("● Connected")
        var checked235 = false
        // Accept the suggestion each time it is offered, until the message is delivered.
        for _ in 0..<24 {
            // Wait for a real suggestion: "Next: …" (with or without its reason beside it) means a reply is still on
            // its way; Tab then would only be remembered and the Enter after it held back.
            let screen = try t.waitFor("a suggestion") { Self.suggestion($0).map { !$0.hasPrefix("Next: …") } ?? false }
            let offered = try #require(Self.suggestion(screen))
            if offered == "Next: QUIT" { break }
            if !checked235, screen.contains("S: 235 2.7.0") {
                // Server reply codes are coloured by class: 235 in the default theme's reply.2xx colour.
                let coloured = try t.screen(colors: true)
                try DefaultTheme.expectDrawn("reply.2xx", try #require(SGR.colours(of: "S: 235 2.7.0 Authentication successful", offset: 3, in: coloured)))
                checked235 = true
            }
            if offered == "Next: (an empty line)" { try t.keys("Enter") } else { try t.keys("Tab"); try t.keys("Enter") }
            // Evidence the line was taken: the suggestion changes (to the next one, or to "…" while a reply travels).
            try t.waitFor("the suggestion after “\(offered)”") { Self.suggestion($0) != offered }
        }
        #expect(checked235, "the 235 reply was never seen")
        try t.waitFor("queued as")
        // While the message travels on, the diagram shows the MX lookup and the relay to mx.domain.com.
        try t.waitFor("the DNS answer in the diagram") { $0.contains("domain.com → MX 10 mx.domain.com") && $0.contains("mx.domain.com") }
        try t.waitFor("the relay phase") { $0.contains("● Delivering") }
        try t.waitFor("Bob's mailbox holding the message") { $0.contains("✉ 1 message") || $0.contains("bob@domain.com  ✉ 1") }
        try t.waitFor("● Authenticated")
        try t.keys("Escape"); try t.type("b")
        try t.waitFor("Mailboxes")
        // Two hops, two Received: headers — the MX's on top.
        let inbox = TmuxSession.pieces(try t.waitFor("Received: from client.example.com"))
        let rows = inbox.map { $0.trimmingCharacters(in: .whitespaces) }
        let mx = try #require(rows.firstIndex { $0.hasPrefix("Received: from smtp.example.com (smtp.example.com [192.0.2.25])") })
        let submission = try #require(rows.firstIndex { $0.hasPrefix("Received: from client.example.com") })
        #expect(mx < submission)
        try t.keys("Escape")
        try t.waitFor("mailboxes closed") { !$0.contains("Mailboxes —") }
        try t.type("q")
        #expect(try t.exitStatus() == 0)
    }

    @Test func mouseClicksTabsCommandsAndTryIt() throws {
        let t = try TmuxSession()
        try t.waitFor("Type `connect`")
        try t.type("connect"); try t.keys("Enter")
        try t.waitForLine("S: 220 smtp.example.com ESMTP smtp-tui (simulated mail server)")
        let tab = try t.locate("2 Commands")
        try t.click(x: tab.x + 1, y: tab.y)
        try t.waitFor("▶ SMTP commands")
        // EHLO is selected already (the first item), so one click on it opens it; a first click on another
        // item only selects it.
        let other = try t.locate("RSET")
        try t.click(x: other.x, y: other.y)
        try t.waitForLine("▸ 8 RSET")
        let row = try t.locate("EHLO / HELO")
        try t.click(x: row.x, y: row.y)
        // Evidence the click was handled: the selection moved to EHLO. Only then is "no popup" meaningful.
        let selected = try t.waitForLine("▸ 1 EHLO / HELO")
        #expect(!selected.contains("Try it"), "a click on an unselected item must only select it")
        try t.click(x: row.x, y: row.y)
        try t.waitFor("Try it")
        try t.waitFor("Syntax")
        let button = try t.locate("Try it")
        try t.click(x: button.x, y: button.y)
        try t.waitForLine("C: EHLO client.example.com")
        try t.keys("Enter")
        try t.waitForLine("S: 250-smtp.example.com Hello client.example.com")
        // The wheel over the command list moves its selection three rows down: EHLO (1) → DATA (4).
        let list = try t.locate("7 STARTTLS")
        try t.type("\u{1B}[<65;\(list.x + 1);\(list.y + 1)M")
        let wheeled = try t.waitForLine("▸ 4 DATA")
        #expect(TmuxSession.pieces(wheeled).filter { $0.hasPrefix("▸") }.count == 1, "more than one selected row")
        // A click outside a popup closes it.
        try t.keys("Escape"); try t.type("?")
        try t.waitFor("Help — every key")
        try t.click(x: 0, y: 0)
        try t.waitFor("help closed") { !$0.contains("Help — every key") }
    }

    /// The rows of a screen, without the newline capture-pane ends with.
    static func rows(_ screen: String) -> [String] {
        var rows = screen.components(separatedBy: "\n")
        if rows.last == "" { rows.removeLast() }
        return rows
    }

    @Test func resizingNeverBreaksTheFrameAndTooSmallRecovers() throws {
        let t = try TmuxSession()
        try t.waitFor("Type `connect`")
        for (w, h) in [(80, 24), (40, 12), (30, 8), (200, 60), (120, 36)] {
            try t.resize(width: w, height: h)
            if w < 40 || h < 10 {
                // The message names the new size: it is this frame, not a leftover.
                try t.waitFor("the too-small screen at \(w)x\(h)") {
                    $0.replacingOccurrences(of: "\n", with: " ").contains("(now \(w)×\(h))")
                }
                continue
            }
            // Evidence of a frame drawn for the new size: the top border ends with its corner in the last
            // column, and the last pane's bottom border (the terminal, or the status codes beside it from 160 columns)
            // ends in the last column of row h-2, above the hint bar.
            let screen = try t.waitFor("the \(w)x\(h) frame") { screen in
                let rows = Self.rows(screen)
                guard rows.count == h else { return false }
                let top = Array(rows[1]), bottom = Array(rows[h - 2])
                return top.count == w && "╮┓".contains(top[w - 1]) && bottom.count == w && "┛╯".contains(bottom[w - 1])
                    && rows[h - 1].hasPrefix(" Enter send")
            }
            let rows = Self.rows(screen)
            // Every row between the bars is closed by the frame at both edges of the new size: a pane drawn for the
            // old size, or a leftover, leaves a row open or ragged.
            let edges: Set<Character> = ["│", "┃", "╭", "╮", "╰", "╯", "┏", "┓", "┗", "┛"]
            for (y, row) in rows.enumerated().dropFirst().dropLast() {
                let cells = Array(row)
                #expect(cells.count == w && edges.contains(cells[0]) && edges.contains(cells[w - 1]),
                        "row \(y) at \(w)x\(h) is not closed by the frame: \(row)")
            }
            #expect(rows[0].contains("1 Flow"), "no section bar at \(w)x\(h)")
            #expect(!screen.contains("Please enlarge"))
        }
        #expect(!(try t.screen()).contains("[exit "), "the app exited during resizing")
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

    /// COLORTERM=truecolor with TERM=xterm-256color: the app draws through the xterm-direct entry, so the theme's
    /// own colours arrive as 24-bit SGR (tmux keeps them), not the nearest of 256.
    @Test func truecolourTerminalsGetTheThemesOwnColours() throws {
        try #require(FileManager.default.fileExists(atPath: "/usr/share/terminfo/x/xterm-direct")
                     || FileManager.default.fileExists(atPath: "/lib/terminfo/x/xterm-direct"),
                     "xterm-direct terminfo is required (apt-get install ncurses-term); .ci/run installs it")
        let t = try TmuxSession(env: ["COLORTERM": "truecolor"])
        try t.waitFor("Type `connect`")
        let screen = try t.screen(colors: true)
        let background = try #require(try ShippedTheme("default").style("background").bg)
        #expect(screen.contains("48;2;\(background.r);\(background.g);\(background.b)"), "the default background \(background) is not drawn in 24-bit")
        #expect(!screen.contains("48;5;"), "256-colour backgrounds under COLORTERM=truecolor")
        let plain = try TmuxSession()
        try plain.waitFor("Type `connect`")
        #expect(try plain.screen(colors: true).contains("48;5;235"), "without COLORTERM the 256-colour plan is used (#1c2028 → 235)")
    }

    @Test func pressingTCyclesThemesLive() throws {
        let t = try TmuxSession()
        try t.waitFor("theme: default")
        let before = try t.screen(colors: true)
        try t.keys("Escape"); try t.type("T")
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
        try t.waitForLine("S: 220 smtp.example.com ESMTP smtp-tui (simulated mail server)")
        try t.type("MAIL FROM:<alice@example.com>"); try t.keys("Enter")
        try t.waitForLine("S: 503 5.5.1 Error: send HELO/EHLO first")
        try DefaultTheme.expectDrawn("reply.5xx", try #require(SGR.colours(of: "S: 503 5.5.1", offset: 3, in: try t.screen(colors: true))))
        try t.keys("Escape"); try t.keys("Up")
        try t.waitFor("» 503")
    }

    @Test func escapeGarbageDoesNotQuitOrLoseTypedText() throws {
        let t = try TmuxSession()
        try t.waitFor("Type `connect`")
        try t.type("EHLO half-typed")
        try t.type("\u{1B}[99;99q\u{1B}[?1;2c\u{1B}Oq\u{1B}]0;title\u{7}")
        // A marker typed after the garbage: once it shows, every byte before it has been read.
        try t.type("#")
        let screen = try t.waitForLine("C: EHLO half-typed#")
        #expect(!screen.contains("[exit "), "escape garbage quit the app")
    }

    /// Double-width characters reach the screen in runs of cells: each takes two columns, and the text after it and
    /// the pane's border stay where the frame has them (a run that ncurses widened would push them right).
    @Test func doubleWidthTextKeepsTheFrameInPlace() throws {
        let t = try TmuxSession()
        try t.waitFor("Type `connect`")
        try t.type("NOOP 日本x語é─z")
        let screen = try t.waitForLine("C: NOOP 日本x語é─z")
        let lines = screen.components(separatedBy: "\n")
        let row = try #require(lines.firstIndex { $0.contains("C: NOOP 日本x語é─z") })
        /// Display columns of the pane borders on a line (the ideographs typed here take two columns).
        func borders(_ line: String) -> [Int] {
            var column = 0, found: [Int] = []
            for c in line {
                if "│┃".contains(c) { found.append(column) }
                column += "日本語".contains(c) ? 2 : 1
            }
            return found
        }
        let neighbour = try #require([row - 1, row + 1].first { $0 >= 0 && $0 < lines.count && borders(lines[$0]).count >= 2 },
                                     "no bordered row next to the input line:\n\(screen)")
        #expect(borders(lines[row]).count >= 2 && borders(lines[row]) == borders(lines[neighbour]), "borders moved:\n\(screen)")
        // ䷀ is one column to the app (Unicode's East Asian width) but two to the C library, as to ncurses and
        // tmux: the cell after it must still land in its own column, not one further right.
        try t.type("䷀z|")
        let after = try t.waitFor("z|").components(separatedBy: "\n")
        let changed = try #require(after.firstIndex { $0.contains("z|") })
        #expect(borders(after[changed]) == borders(after[neighbour - row + changed]), "borders moved after ䷀:\n\(after.joined(separator: "\n"))")
    }

    @Test func nonUTF8LocaleStillDrawsAFrame() throws {
        let t = try TmuxSession(env: ["LANG": "C", "LC_ALL": "C"])
        let screen = try t.waitFor("Type `connect`")
        #expect(screen.contains("telnet smtp.example.com 587"))
        // A locale that is not UTF-8 means --ascii: no box drawing, no symbols.
        #expect(!screen.contains("─") && !screen.contains("┃") && screen.contains("+-"), "not ASCII under LANG=C:\n\(screen)")
        #expect(screen.unicodeScalars.allSatisfy { $0.isASCII }, "non-ASCII under LANG=C")
        let ascii = try TmuxSession(command: "\"$0\" --ascii")
        let plain = try ascii.waitFor("Type `connect`")
        #expect(!plain.contains("─") && plain.contains("+-"))
    }

    /// The 550 for nobody@domain.com is wider than the pane: its first row is compared whole, up to the wrap.
    private func waitForRefusal(_ t: TmuxSession) throws {
        let reply = "S: 550 5.1.1 <nobody@domain.com>: Recipient address rejected: User unknown in virtual mailbox table"
        try t.waitFor("the 550 reply") { screen in
            TmuxSession.pieces(screen).contains { $0.count >= 40 && reply.hasPrefix($0) }
        }
    }

    /// Types a line and waits until the pane shows `reply` as a whole line.
    private func send(_ t: TmuxSession, _ line: String, expect reply: String) throws {
        try t.type(line); try t.keys("Enter")
        try t.waitForLine(reply)
    }

    /// Connects, secures, logs in and starts a message, checking each step's reply on screen.
    private func startTransaction(_ t: TmuxSession) throws {
        try t.waitFor("● Offline")
        try send(t, "connect", expect: "S: 220 smtp.example.com ESMTP smtp-tui (simulated mail server)")
        try send(t, "EHLO client.example.com", expect: "S: 250 CHUNKING")
        try send(t, "STARTTLS", expect: "S: 220 2.0.0 Ready to start TLS")
        try t.waitFor("● TLS")
        try send(t, "EHLO client.example.com", expect: "S: 250-AUTH PLAIN LOGIN")
        try send(t, "AUTH PLAIN AGFsaWNlQGV4YW1wbGUuY29tAHdvbmRlcmxhbmQ=", expect: "S: 235 2.7.0 Authentication successful")
        try send(t, "MAIL FROM:<alice@example.com>", expect: "S: 250 2.1.0 Ok")
    }

    @Test func aWholeSessionTypedByHandWithDotStuffing() throws {
        let t = try TmuxSession()
        try t.waitFor("● Offline")
        try send(t, "connect", expect: "S: 220 smtp.example.com ESMTP smtp-tui (simulated mail server)")
        try send(t, "EHLO client.example.com", expect: "S: 250 CHUNKING")
        try send(t, "STARTTLS", expect: "S: 220 2.0.0 Ready to start TLS")
        try t.waitFor("● TLS")
        #expect(try t.screen().contains("cannot speak TLS"))
        try send(t, "EHLO client.example.com", expect: "S: 250-AUTH PLAIN LOGIN")
        try send(t, "AUTH PLAIN AGFsaWNlQGV4YW1wbGUuY29tAHdyb25n", expect: "S: 535 5.7.8 Error: authentication failed: authentication failure")
        try send(t, "AUTH PLAIN AGFsaWNlQGV4YW1wbGUuY29tAHdvbmRlcmxhbmQ=", expect: "S: 235 2.7.0 Authentication successful")
        try send(t, "MAIL FROM:<alice@example.com>", expect: "S: 250 2.1.0 Ok")
        try t.type("RCPT TO:<bob smith@domain.com>"); try t.keys("Enter")
        try t.waitFor("the 553 reply") { TmuxSession.pieces($0).contains { $0.hasPrefix("S: 553 5.1.3 <bob smith@domain.com>") } }
        // Replies are coloured by class: 5xx in the default theme's reply.5xx colour.
        let refused = try DefaultTheme.expectDrawn("reply.5xx", try #require(SGR.colours(of: "S: 553 5.1.3 <bob smith@domain.com>", offset: 3, in: try t.screen(colors: true))))
        try send(t, "RCPT TO:<bob@domain.com>", expect: "S: 250 2.1.5 Ok")
        try send(t, "DATA", expect: "S: 354 End data with <CR><LF>.<CR><LF>")
        for line in ["Subject: typed by hand", "", "First line", "..a line that starts with a dot", "Last line"] {
            try t.type(line); try t.keys("Enter")
            if !line.isEmpty { try t.waitForLine("D: " + line) }
        }
        try t.type("."); try t.keys("Enter")
        let queued = try t.waitFor("the queue id") { TmuxSession.pieces($0).contains { $0.wholeMatch(of: /S: 250 2\.0\.0 Ok: queued as [0-9A-F]{10}/) != nil } }
        try t.waitFor("Bob's mailbox holding the message") { $0.contains("✉ 1 message") || $0.contains("bob@domain.com  ✉ 1") }
        let colours = try t.screen(colors: true)
        // 2xx in the default theme's reply.2xx colour.
        let ok = try DefaultTheme.expectDrawn("reply.2xx", try #require(SGR.colours(of: "S: 250 2.0.0 Ok: queued as", offset: 3, in: colours)))
        #expect(CIEDE2000.difference(ok, refused) >= 10, "2xx \(ok) and 5xx \(refused) look alike")
        // Body lines are drawn in the data role, distinct from what you typed (the you role).
        let data = try DefaultTheme.expectDrawn("transcript.data", try #require(SGR.colours(of: "D: Last line", offset: 3, in: colours)))
        #expect(!queued.contains("[exit "))
        try send(t, "QUIT", expect: "S: 221 2.0.0 Bye")
        let you = try DefaultTheme.expectDrawn("transcript.you", try #require(SGR.colours(of: "C: QUIT", offset: 3, in: try t.screen(colors: true))))
        #expect(CIEDE2000.difference(data, you) >= 10, "body lines \(data) look like typed commands \(you)")
        try t.waitFor("● Closed")
        try t.keys("Escape"); try t.type("b")
        try t.waitFor("Mailboxes")
        let inbox = TmuxSession.pieces(try t.screen())
        #expect(inbox.contains { $0.hasSuffix(".a line that starts with a dot") && !$0.hasSuffix("..a line that starts with a dot") })
        #expect(inbox.contains { $0.hasSuffix("Subject: typed by hand") })
        #expect(inbox.contains { $0.contains("with ESMTPSA") })
    }

    @Test func aRejectedRecipientAtTheMXTravelsBackAsAReply() throws {
        let t = try TmuxSession()
        try t.waitFor("● Offline")
        try send(t, "connect mx.domain.com", expect: "S: 220 mx.domain.com ESMTP smtp-tui (simulated mail server)")
        try send(t, "EHLO client.example.com", expect: "S: 250 CHUNKING")
        try send(t, "MAIL FROM:<alice@example.com>", expect: "S: 250 2.1.0 Ok")
        // Quarter speed, so the refusal is on screen long enough to see.
        try t.keys("Escape"); try t.type("--i")
        try t.waitFor("×¼")
        try t.type("RCPT TO:<nobody@domain.com>"); try t.keys("Enter")
        try t.waitFor("the refusal travelling back") { $0.contains("←550✗") }
        try waitForRefusal(t)
    }

    @Test func anUnknownRecipientEndsWithABounceInAlicesMailbox() throws {
        let t = try TmuxSession()
        try startTransaction(t)
        // The submission server cannot know domain.com's users: it accepts, and the MX refuses later.
        try send(t, "RCPT TO:<nobody@domain.com>", expect: "S: 250 2.1.5 Ok")
        try send(t, "DATA", expect: "S: 354 End data with <CR><LF>.<CR><LF>")
        for line in ["Subject: to nobody", ""] { try t.type(line); try t.keys("Enter") }
        try t.type("Hello?"); try t.keys("Enter")
        try t.waitForLine("D: Hello?")
        try t.type("."); try t.keys("Enter")
        try t.waitFor("the bounce in Alice's mailbox") { $0.contains("1 bounce (DSN)") && $0.contains("● Bounced") }
        try t.keys("Escape"); try t.type("b")
        try t.waitFor("Alice's mailbox in the list") { $0.contains("Alice: alice@example.com at smtp.example.com — 1 message, 1 bounce") }
        // Page down to the machine-readable part of the report.
        for _ in 0..<6 {
            if try t.screen().contains("Status: 5.1.1") { break }
            let before = try t.screen()
            try t.keys("PageDown")
            try t.waitFor("the popup scrolled") { $0 != before }
        }
        let report = TmuxSession.pieces(try t.waitFor("Status: 5.1.1"))
        #expect(report.contains { $0.hasSuffix("Final-Recipient: rfc822; nobody@domain.com") })
        #expect(report.contains { $0.hasSuffix("Action: failed") })
    }

    /// No wall-clock limit: this checks that nothing is lost and the UI keeps answering, not how fast a debug
    /// build is while other suites compete for the CPU (the deadline only ends a hung run). Every line is checked,
    /// in order, in the session transcript the app saves on exit (--record).
    @Test func pastingTenThousandLinesLosesNothing() throws {
        let t = try TmuxSession(command: "\"$0\" --record transcript.txt")
        let record = t.home.path + "/transcript.txt"
        try startTransaction(t)
        try send(t, "RCPT TO:<bob@domain.com>", expect: "S: 250 2.1.5 Ok")
        try send(t, "DATA", expect: "S: 354 End data with <CR><LF>.<CR><LF>")
        let lines = ["Subject: ten thousand lines", ""] + (0..<10_000).map { "line \($0) of the pasted body" }
        let file = t.home.path + "/paste.txt"
        try (lines + ["."]).map { $0 + "\n" }.joined().write(toFile: file, atomically: true, encoding: .utf8)
        try t.run(["load-buffer", file])
        try t.run(["paste-buffer", "-p"])  // -p: bracketed paste, as a terminal sends it
        try t.waitFor("the queue id", seconds: 120) { TmuxSession.pieces($0).contains { $0.hasPrefix("S: 250 2.0.0 Ok: queued as ") } }
        try t.waitFor("Bob's mailbox holding the message", seconds: 120) { $0.contains("✉ 1 message") || $0.contains("bob@domain.com  ✉ 1") }
        try t.keys("Escape"); try t.type("b")
        try t.waitFor("Bob: bob@domain.com at mx.domain.com — 1 message")
        try t.keys("Escape"); try t.keys("Escape"); try t.type("q")
        #expect(try t.exitStatus() == 0)
        let saved = try String(contentsOfFile: record, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        let start = try #require(saved.firstIndex(of: "S: 354 End data with <CR><LF>.<CR><LF>"))
        let body: [String] = saved[(start + 1)...].prefix { !$0.hasPrefix("S: ") }.map(String.init)
        let sent: [String] = (lines + ["."]).map { "D: " + $0 }
        #expect(body == sent, "the body as recorded: \(body.count) lines, \(body.prefix(3)) … \(body.suffix(3))")
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
            try t.type("T")
            try t.waitFor("theme: \(name)")
        }
        try t.type("T")
        try t.waitFor("Theme zz-broken not loaded")
        let screen = try t.screen()
        #expect(screen.contains("theme: okabe-ito"))
        #expect(screen.contains("zz-broken.toml:3: text: bad colour"))
    }
}
