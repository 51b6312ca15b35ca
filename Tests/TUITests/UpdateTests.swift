import Testing
@testable import TUI
import SMTPCore

/// Runs the simulation until nothing moves, as the runtime would with real ticks.
func settle(_ state: inout AppState, limit: Int = 20_000) {
    var n = 0
    while state.sim.isBusy && n < limit { _ = App.update(&state, .tick(2)); n += 1 }
}

func type(_ line: String, _ state: inout AppState) {
    for ch in line { _ = App.update(&state, .key(.char(ch))) }
    _ = App.update(&state, .key(.enter))
    settle(&state)
}

@Suite("update: focus, keys, popups", .timeLimit(.minutes(2)))
struct UpdateTests {
    @Test func launchesTypingInTheTerminal() throws {
        let s = AppState(size: Size(width: 120, height: 36))
        #expect(s.focus == .terminal && s.typing)
    }

    @Test func escapeLeavesTheInputSoSingleKeysWork() throws {
        var s = AppState(size: Size(width: 120, height: 36))
        _ = App.update(&s, .key(.char("q")))
        #expect(s.editor.string == "q")  // typing: q is a letter, not quit
        _ = App.update(&s, .key(.escape))
        #expect(!s.typing)
        #expect(App.update(&s, .key(.char("q"))) == [.quit])
        #expect(s.editor.string == "q")  // what was typed is kept
    }

    @Test func ctrlCQuitsFromAnywhere() throws {
        var s = AppState(size: Size(width: 80, height: 24))
        #expect(App.update(&s, .key(.ctrl("c"))) == [.quit])
        s.popup = .help
        #expect(App.update(&s, .key(.ctrl("c"))) == [.quit])
    }

    @Test func tabCyclesFocusAndDigitsJump() throws {
        var s = AppState(size: Size(width: 120, height: 36))
        _ = App.update(&s, .key(.escape))
        _ = App.update(&s, .key(.tab))
        #expect(s.focus == .codes && s.mainSection == .codes)
        _ = App.update(&s, .key(.backTab))
        #expect(s.focus == .terminal)
        _ = App.update(&s, .key(.escape))
        _ = App.update(&s, .key(.char("2")))
        #expect(s.focus == .commands)
        _ = App.update(&s, .key(.char("5")))
        #expect(s.focus == .examples)
        _ = App.update(&s, .key(.char("3")))
        #expect(s.focus == .terminal && s.typing)
    }

    /// One meaning per key: T changes the theme; t is Try it in a popup and outside one only says so.
    @Test func capitalTChangesTheThemeAndLowerTOnlyTries() throws {
        var s = AppState(size: Size(width: 120, height: 36))
        _ = App.update(&s, .key(.escape))
        #expect(App.update(&s, .key(.char("t"))).isEmpty)
        #expect(s.status?.text.contains("T changes the theme") == true)
        let effects = App.update(&s, .key(.char("T")))
        #expect(effects.contains { if case .cycleTheme = $0 { return true }; return false })
    }

    @Test func listSelectionAndDetailPopupWithTryIt() throws {
        var s = AppState(size: Size(width: 120, height: 36))
        _ = App.update(&s, .key(.escape))
        _ = App.update(&s, .key(.char("2")))
        _ = App.update(&s, .key(.down))
        _ = App.update(&s, .key(.char("j")))
        #expect(s.commandIndex == 2)
        _ = App.update(&s, .key(.up))
        #expect(s.commandIndex == 1)
        _ = App.update(&s, .key(.enter))
        #expect(s.popup == .command(1))
        _ = App.update(&s, .key(.char("t")))
        #expect(s.popup == nil && s.focus == .terminal && s.typing)
        #expect(s.editor.string == CommandCatalogue.all[1].tryIt)
    }

    @Test func helpOverlayOpensAndCloses() throws {
        var s = AppState(size: Size(width: 120, height: 36))
        _ = App.update(&s, .key(.escape))
        _ = App.update(&s, .key(.char("?")))
        #expect(s.popup == .help)
        _ = App.update(&s, .key(.escape))
        #expect(s.popup == nil)
    }

    @Test func resizeChangesLayoutAndTooSmallRecovers() throws {
        var s = AppState(size: Size(width: 120, height: 36))
        #expect(s.isWide)
        _ = App.update(&s, .resize(Size(width: 30, height: 8)))
        #expect(s.isTooSmall)
        _ = App.update(&s, .key(.char("x")))
        #expect(s.editor.isEmpty)  // keys act on nothing unseen while too small
        #expect(App.update(&s, .key(.char("q"))) == [.quit])
        _ = App.update(&s, .resize(Size(width: 80, height: 24)))
        #expect(!s.isTooSmall && !s.isWide)
    }

    @Test func codeFilterByClass() throws {
        var s = AppState(size: Size(width: 120, height: 36))
        _ = App.update(&s, .key(.escape))
        _ = App.update(&s, .key(.char("4")))
        for _ in 0..<4 { _ = App.update(&s, .key(.char("f"))) }
        #expect(s.focus == .codes && s.codeFilter == .permanentNegative)
        #expect(!s.visibleCodes.isEmpty && s.visibleCodes.allSatisfy { $0.code >= 500 })
        _ = App.update(&s, .key(.char("a")))
        #expect(s.codeFilter == nil)
    }

    @Test func clickSelectsThenOpensACommand() throws {
        var s = AppState(size: Size(width: 120, height: 36))
        let frame = Frame.render(s)
        let row = try #require(frame.hits.first { $0.target == .commandRow(3) }).rect
        _ = App.update(&s, .mouse(MouseEvent(.press, x: row.x + 2, y: row.y)))
        #expect(s.focus == .commands && s.commandIndex == 3 && s.popup == nil)
        _ = App.update(&s, .tick(30))
        _ = App.update(&s, .mouse(MouseEvent(.press, x: row.x + 2, y: row.y)))
        #expect(s.popup == .command(3))
        _ = App.update(&s, .mouse(MouseEvent(.press, x: 0, y: 0)))  // outside the popup
        #expect(s.popup == nil)
    }

    @Test func clickingASectionTabSwitches() throws {
        var s = AppState(size: Size(width: 120, height: 36))
        let tab = try #require(Frame.render(s).hits.first { $0.target == .tab(.codes) }).rect
        _ = App.update(&s, .mouse(MouseEvent(.press, x: tab.x + 1, y: tab.y)))
        #expect(s.focus == .codes)
    }
}

@Suite("update: the live session", .timeLimit(.minutes(2)))
struct SessionFlowTests {
    @Test func followingTheSuggestionsDeliversToBob() throws {
        var s = AppState(size: Size(width: 120, height: 36))
        var steps = 0
        while s.inboxCount == 0 && steps < 40 {
            if Suggestion.next(for: s) == "" { _ = App.update(&s, .key(.enter)) } else {
                _ = App.update(&s, .key(.tab))
                _ = App.update(&s, .key(.enter))
            }
            settle(&s)
            steps += 1
        }
        try #require(s.inboxCount == 1 && s.sim.arrived.count == 1)
        #expect(s.connectionLabel == "Authenticated")
        let message = s.sim.arrived[0]
        #expect(message.header("Subject") == "Hello from SMTP!")
        #expect(message.body.contains("Hi Bob, this travelled by SMTP."))
        #expect(Suggestion.next(for: s) == "QUIT")
    }

    @Test func localCommandsAreNotSentButUppercaseHelpIs() throws {
        var s = AppState(size: Size(width: 120, height: 36))
        type("help", &s)
        #expect(s.transcript.last?.kind == .local)
        type("connect", &s)
        #expect(s.connectionLabel == "Connected")
        type("HELP", &s)
        #expect(s.transcript.contains { $0.kind == .server(214) })
    }

    @Test func errorsShowAsFiveHundredReplies() throws {
        var s = AppState(size: Size(width: 120, height: 36))
        type("connect", &s)
        type("MAIL FROM:<alice@example.com>", &s)
        #expect(s.transcript.last?.kind == .server(503))
    }

    @Test func pastingTenThousandBodyLinesLosesNone() throws {
        var s = AppState(size: Size(width: 120, height: 36))
        type("connect", &s)
        for line in SessionPreamble.recipientAdded.clientLines { type(line, &s) }
        type("DATA", &s)
        var body = "Subject: big\n\n"
        for i in 0..<10_000 { body += "line \(i)\n" }
        _ = App.update(&s, .paste(body + ".\n"))
        settle(&s)
        try #require(s.inboxCount == 1 && s.sim.arrived.count == 1)
        #expect(s.sim.arrived[0].body.count == 10_000)
        #expect(s.sim.arrived[0].body.last == "line 9999")
    }

    @Test func lineEditorKeysAndHistory() throws {
        var e = LineEditor()
        for ch in "hello world" { _ = e.handle(.char(ch)) }
        _ = e.handle(.ctrl("w"))
        #expect(e.string == "hello ")
        _ = e.handle(.ctrl("a")); _ = e.handle(.delete)
        #expect(e.string == "ello ")
        _ = e.handle(.ctrl("k"))
        #expect(e.string == "")
        e.set("EHLO a"); _ = e.commit()
        e.set("draft")
        _ = e.handle(.up)
        #expect(e.string == "EHLO a")
        _ = e.handle(.down)
        #expect(e.string == "draft")
        let long = String(repeating: "x", count: 5_000)
        e.set(long)
        #expect(e.string.count == 5_000)  // nothing truncated
        #expect(e.viewport(width: 40).text.count == 39)
    }
}

@Suite("Transcript explanations", .timeLimit(.minutes(2)))
struct ExplanationTests {
    @Test func selectingALineExplainsIt() throws {
        var s = AppState(size: Size(width: 120, height: 36))
        type("connect", &s)
        type("EHLO client.example.com", &s)
        type("MAIL FROM:<alice@example.com>", &s)
        _ = App.update(&s, .key(.escape))
        _ = App.update(&s, .key(.up))
        let selected = s.transcript[try #require(s.selectedTranscriptLine)]
        #expect(selected.kind == .server(530))
        let text = Explanation.of(selected)
        #expect(text.contains("5.7.0 = permanent failure · security/policy"))
        let screen = Frame.render(s).buffer.text
        #expect(screen.contains("» 530"))
        _ = App.update(&s, .key(.up))
        #expect(Explanation.of(s.transcript[try #require(s.selectedTranscriptLine)]).hasPrefix("MAIL FROM"))
    }

    @Test func multiLineRepliesMentionTheHyphen() throws {
        let text = Explanation.of(TranscriptLine(.server(250), "250-PIPELINING"))
        #expect(text.contains("more lines of this reply follow") && text.contains("RFC 2920"))
        #expect(Explanation.of(TranscriptLine(.server(250), "250 SMTPUTF8")).contains("marks its last line"))
        #expect(Explanation.of(TranscriptLine(.server(334), "334 VXNlcm5hbWU6")).contains("“Username:”"))
    }
}

@Suite("Bad input", .timeLimit(.minutes(2)))
struct BadInputTests {
    @Test func anAbsurdlyLongLineReachesTheServerWhole() throws {
        var s = AppState(size: Size(width: 80, height: 24))
        type("connect", &s)
        type(String(repeating: "A", count: 5_000), &s)
        #expect(s.transcript.contains { $0.kind == .you && $0.text.count == 5_000 })
        #expect(s.transcript.last { if case .server = $0.kind { return true }; return false }?.text.hasPrefix("500 5.5.2 Error: line too long") == true)
    }

    @Test func aPastedFlightThatDoesNotWaitIsHungUpOnAndTheTranscriptSaysWhy() throws {
        // RFC 2920 §3.1: EHLO may only end a group. A paste sends its lines at once, so MAIL is already waiting
        // when the server goes to answer EHLO.
        var s = AppState(size: Size(width: 120, height: 36))
        type("connect mx.domain.com", &s)
        _ = App.update(&s, .paste("EHLO client.example.com\nMAIL FROM:<alice@example.com>\n"))
        settle(&s)
        let texts = s.transcript.map(\.text)
        #expect(texts.contains("554 5.5.0 Error: SMTP protocol synchronization"), "\(texts)")
        #expect(!texts.contains { $0.hasPrefix("250") }, "the EHLO reply was never sent")
        #expect(texts.contains { $0.contains("MAIL FROM:<alice@example.com>") && $0.contains("RFC 2920 §3.1") && $0.contains("554 5.5.0") })
        #expect(!s.sim.isConnected)
        // The same two lines typed one after the other, each after its reply, are answered.
        var careful = AppState(size: Size(width: 120, height: 36))
        type("connect mx.domain.com", &careful)
        type("EHLO client.example.com", &careful)
        type("MAIL FROM:<alice@example.com>", &careful)
        #expect(careful.transcript.last?.text == "250 2.1.0 Ok")
    }

    @Test func aSaslAnswerIsExplainedAsAnAnswerAndTURNAs502() throws {
        #expect(Explanation.of(TranscriptLine(.you, "YWxpY2U=", answersChallenge: true)).contains("334 challenge"))
        #expect(Explanation.of(TranscriptLine(.you, "TURN")).contains("502 5.5.1"))
        #expect(Explanation.of(TranscriptLine(.you, "FROBNICATE")).contains("500 5.5.2"))
        var s = AppState(size: Size(width: 120, height: 36))
        for line in ["connect"] + SessionPreamble.secured.clientLines + ["AUTH LOGIN", "YWxpY2VAZXhhbXBsZS5jb20="] { type(line, &s) }
        let answer = try #require(s.transcript.last { $0.text == "YWxpY2VAZXhhbXBsZS5jb20=" })
        #expect(answer.answersChallenge)
    }

    @Test func pastedBinaryNeitherCrashesNorIsLost() throws {
        var s = AppState(size: Size(width: 80, height: 24))
        let junk = String(decoding: (0..<256).map { UInt8($0) }.filter { $0 != 10 && $0 != 13 }, as: UTF8.self)
        _ = App.update(&s, .paste(junk))
        #expect(s.editor.string == junk)
        // Drawn, the control characters are made visible: none reaches the terminal raw.
        let drawn = Frame.render(s).buffer.text
        #expect(!drawn.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\n") || $0.value == 0x7F || (0x80..<0xA0).contains($0.value) },
                "a control character was drawn raw")
        #expect(drawn.contains("\u{FFFD}"))
        _ = App.update(&s, .key(.ctrl("u")))
        type("connect", &s)
        _ = App.update(&s, .paste(junk + "\n"))
        settle(&s)
        #expect(s.transcript.last { if case .server = $0.kind { return true }; return false }?.kind == .server(500))
        #expect(s.sim.isConnected)
    }
}

@Suite("Code examples", .timeLimit(.minutes(2)))
struct ExampleTests {
    @Test func yCopiesTheWholeExampleWithOSC52AndSaysSo() throws {
        // At 80 columns the fallback command is whole on the bar (it once ended in "smtp-…").
        var s = AppState(size: Size(width: 80, height: 24))
        _ = App.update(&s, .key(.escape))
        _ = App.update(&s, .key(.char("5")))
        _ = App.update(&s, .key(.char("n")))
        #expect(App.update(&s, .key(.char("y"))) == [.copyToClipboard(CodeExamples.all[1].code)])
        #expect(s.status?.text.contains("OSC 52") == true)
        #expect(Frame.render(s).buffer.text.contains("Not pasted? smtp-tui --print-example \(CodeExamples.all[1].id) prints it"))
    }

    @Test func longLinesScrollSideways() throws {
        var s = AppState(size: Size(width: 120, height: 36))
        _ = App.update(&s, .key(.escape))
        _ = App.update(&s, .key(.char("5")))
        // The MIMEText line is wider than the pane at 120 columns (see the python snapshot).
        let code = CodeExamples.all[0].code.split(separator: "\n", omittingEmptySubsequences: false)
        let row = try #require(code.firstIndex { $0.contains("MIMEText(\"Hi Bob") })
        // Bring the line to the top of the pane first, so only its width can hide its end.
        for _ in 0..<row { _ = App.update(&s, .key(.down)) }
        #expect(Frame.render(s).buffer.text.contains("MIMEText("))
        let tail = String(code[row].suffix(10))
        #expect(!Frame.render(s).buffer.text.contains(tail))
        for _ in 0..<10 { _ = App.update(&s, .key(.right)) }
        #expect(Frame.render(s).buffer.text.contains(tail))
        for _ in 0..<10 { _ = App.update(&s, .key(.left)) }
        #expect(s.exampleColumn == 0)
    }

    @Test func highlighterMarksKeywordsStringsCommentsAndNumbers() throws {
        let tokens = Highlighter.tokens("with smtplib.SMTP(\"smtp.example.com\", 587) as server:  # connect", language: .python)
        #expect(tokens.contains(Token(text: "with", role: .syntaxKeyword)))
        #expect(tokens.contains(Token(text: "\"smtp.example.com\"", role: .syntaxString)))
        #expect(tokens.contains(Token(text: "587", role: .syntaxNumber)))
        #expect(tokens.last == Token(text: "# connect", role: .syntaxComment))
        #expect(tokens.map(\.text).joined() == "with smtplib.SMTP(\"smtp.example.com\", 587) as server:  # connect")
    }
}

/// The key table drives the hint bar and the help overlay; this checks that every key it lists really does
/// something in the context it names, so the overlay can never promise a key that is dead.
@Suite("Key table", .timeLimit(.minutes(2)))
struct KeyTableTests {
    static func state(for context: String) -> AppState {
        var s = AppState(size: Size(width: 120, height: 36))
        // Some state to act on: a connected session with a transcript, a delivered message.
        type("connect", &s)
        type("EHLO client.example.com", &s)
        _ = App.update(&s, .key(.escape))
        switch context {
        case "Lists": App.focus(.commands, &s, typing: false); s.commandIndex = 3
        case "Lists, transcript": App.focus(.codes, &s, typing: false); s.codeIndex = 3
        case "Status codes": App.focus(.codes, &s, typing: false)
        case "Code examples": App.focus(.examples, &s, typing: false); s.exampleScroll = 2; s.exampleColumn = 8
        case "Command popup": s.popup = .command(0)
        case "Typing, empty line": App.focus(.terminal, &s)
        case "Live (--listen or Run it)":
            s.live = LiveBoard(address: "127.0.0.1:2525")
            _ = App.update(&s, .live(.opened(connection: 1, peer: "127.0.0.1:40000")))
        default: App.focus(.commands, &s, typing: false)
        }
        return s
    }

    @Test func everyListedKeyDoesSomething() throws {
        for binding in KeyMap.bindings {
            for key in binding.keys {
                var s = Self.state(for: binding.context)
                let before = Frame.render(s).buffer
                let effects = App.update(&s, .key(key))
                let after = Frame.render(s).buffer
                #expect(!effects.isEmpty || before != after, "\(key.label) (\(binding.context)) did nothing: \(binding.help)")
            }
        }
    }
}
