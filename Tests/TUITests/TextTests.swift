// Text that never silently breaks: one truncation with an ellipsis, hanging indents, tabs expanded, only glyphs
// DejaVu Sans Mono has outside --ascii and a readable look-alike for each in --ascii.
import Foundation
import Testing
@testable import TUI
import SMTPCore

/// Follows the suggestions (Tab fills the line, Enter sends it) until the session ends, collecting a frame at each step.
func followSuggestions(_ s: inout AppState, steps: Int = 80, each: (AppState) -> Void = { _ in }) {
    for _ in 0..<steps {
        _ = App.update(&s, .tick(90))
        each(s)
        guard let next = Suggestion.next(for: s) else { continue }
        if next == "connect" && s.sim.session != nil { break }  // the session ended: the walk is complete
        s.editor.set(next)
        _ = App.update(&s, .key(.enter))
    }
    _ = App.update(&s, .tick(600))
    each(s)
}

/// Every state the glyph check renders: each section, popup, example, code, the paused indicator and a whole
/// session, at the three snapshot sizes.
func everyViewState(_ size: Size) -> [AppState] {
    var states: [AppState] = []
    var s = AppState(size: size)
    states.append(s)
    followSuggestions(&s) { states.append($0) }
    _ = App.update(&s, .key(.escape))
    for section in ["1", "2", "3", "4", "5"] { _ = App.update(&s, .key(.char(Character(section)))); states.append(s) }
    for _ in CodeExamples.all { _ = App.update(&s, .key(.char("n"))); states.append(s); _ = App.update(&s, .key(.right)); states.append(s) }
    _ = App.update(&s, .key(.char("p"))); states.append(s); _ = App.update(&s, .key(.char("p")))
    var popups: [Popup] = [.help, .inbox, .relay]
    popups += CommandCatalogue.all.indices.map { Popup.command($0) }
    popups += StatusCatalogue.all.map { Popup.statusCode($0.code) }
    popups += s.transcript.indices.map { Popup.explanation($0) }
    for popup in popups {
        var p = s
        p.popup = popup
        states.append(p)
    }
    _ = App.update(&s, .key(.char("3"))); _ = App.update(&s, .key(.escape)); _ = App.update(&s, .key(.up))
    states.append(s)
    // Live mode: a real client's session under way, then finished, with a Maildir listed in the mailboxes.
    var live = LiveFeed.liveState(size: size)
    live.live?.maildir = "/tmp/mail"
    live.live?.mailFiles = [MailFileSummary(mailbox: "bob@domain.com", file: "f", from: "a", subject: "s", date: "d", size: 1)]
    for event in LiveFeed.events() {
        _ = App.update(&live, .live(event))
        for _ in 0..<6 { _ = App.update(&live, .tick(10)); states.append(live) }
    }
    settle(&live)
    states.append(live)
    live.popup = .inbox
    states.append(live)
    return states
}

@Suite("Text", .timeLimit(.minutes(2)))
struct TextTests {
    @Test func truncationAddsAnEllipsisOnlyWhenItCuts() {
        #expect(TextWidth.truncated("Authentication successful", fitting: 25) == "Authentication successful")
        #expect(TextWidth.truncated("Authentication successful", fitting: 19) == "Authentication suc…")
        #expect(TextWidth.width(of: TextWidth.truncated("日本語のテキスト", fitting: 7)) <= 7)
        #expect(TextWidth.truncated("abc", fitting: 0) == "")
        var b = Buffer(width: 10, height: 1)
        b.ascii = true
        b.putTruncated("Command not implemented", x: 0, y: 0, width: 10, role: .text)
        #expect(b.line(0) == "Command...")
    }

    @Test func wrappedLinesHangUnderTheirText() {
        let lines = Wrap.lines("S: 550 5.1.1 <nobody@domain.com>: Recipient address rejected", width: 24, hanging: 3)
        #expect(lines.count > 2)
        #expect(lines[0].hasPrefix("S: 550"))
        for line in lines.dropFirst() { #expect(line.hasPrefix("   ") && !line.hasPrefix("    "), "\(line)") }
        #expect(Wrap.labelWidth("Tab            Next pane") == 15)
        #expect(Wrap.labelWidth("  C: EHLO x") == 3)
        #expect(Wrap.labelWidth("plain prose here") == 0)
    }

    @Test(arguments: SnapshotTests.sizes)
    func transcriptContinuationRowsAreIndented(_ size: Size) throws {
        var s = AppState(size: size)
        type("connect", &s)
        _ = App.update(&s, .tick(120))
        type("NOOP " + Array(repeating: "a line long enough to wrap in every pane", count: 8).joined(separator: " "), &s)
        _ = App.update(&s, .tick(120))
        let rows = Frame.render(s).buffer.text.split(separator: "\n").map(String.init)
        let first = try #require(rows.lastIndex { $0.contains("C: NOOP a line long") })
        // The row after the first piece is a continuation: it starts with the pane border and three spaces.
        let next = rows[first + 1]
        let column = try #require(rows[first].range(of: "C: NOOP", options: .backwards)).lowerBound
        let offset = rows[first].distance(from: rows[first].startIndex, to: column)
        let chars = Array(next)
        #expect(String(chars[offset..<(offset + 3)]) == "   ", "not indented: \(next)")
        #expect(chars[offset + 3] != " ", "indented too far: \(next)")
    }

    @Test func tabsAreExpandedNeverDrawnAsReplacementCharacters() throws {
        var b = Buffer(width: 20, height: 1)
        b.put("a\tb", x: 0, y: 0, role: .text)
        #expect(b.line(0).hasPrefix("a   b"))
        var s = AppState(size: Size(width: 120, height: 36))
        _ = App.update(&s, .key(.escape))
        _ = App.update(&s, .key(.char("5")))
        s.exampleIndex = try #require(CodeExamples.all.firstIndex { $0.id == "go" })
        #expect(CodeExamples.all[s.exampleIndex].code.contains("\t"), "the Go example has tabs to test with")
        let text = Frame.render(s).buffer.text
        #expect(!text.contains("\u{FFFD}"))
        s.ascii = true
        #expect(!Frame.render(s).buffer.text.contains("?\t") && !Frame.render(s).buffer.text.contains("\t"))
    }

    @Test func rowDiffersFindsExactlyTheChangedRows() {
        var a = Buffer(width: 20, height: 6)
        a.put("hello", x: 0, y: 1, role: .text)
        var b = a
        #expect((0..<6).allSatisfy { !b.rowDiffers(from: a, y: $0, columns: 20) })
        b.put("x", x: 12, y: 3, role: .text)
        #expect((0..<6).filter { b.rowDiffers(from: a, y: $0, columns: 20) } == [3])
        // Only the columns the terminal shows count; a row outside, or a buffer of another size, always differs.
        #expect(!b.rowDiffers(from: a, y: 3, columns: 10))
        b[0, 5] = Cell(text: " ", role: .background, reverse: true)
        #expect(b.rowDiffers(from: a, y: 5, columns: 1))
        #expect(b.rowDiffers(from: a, y: 9, columns: 20))
        #expect(Buffer(width: 21, height: 6).rowDiffers(from: a, y: 0, columns: 20))
    }

    @Test func asciiLookAlikesAreReadable() {
        #expect(Glyphs.ascii("§4.5.2 …") == "S.4.5.2 ...")
        var s = AppState(size: Size(width: 80, height: 24))
        s.ascii = true
        let b = Frame.render(s).buffer
        #expect(b.cells.allSatisfy { $0.text.utf8.allSatisfy { $0 < 0x80 } })
    }

    /// Every glyph any view draws (across every state and size) is in DejaVu Sans Mono, and has a look-alike other
    /// than "?" for --ascii.
    @Test(arguments: SnapshotTests.sizes)
    func everyGlyphIsInDejaVuSansMonoAndHasAnASCIILookAlike(_ size: Size) {
        var seen: [String: String] = [:]  // glyph → a frame line that shows it
        for state in everyViewState(size) {
            let buffer = Frame.render(state).buffer
            for y in 0..<buffer.height {
                for x in 0..<buffer.width {
                    let g = buffer[x, y].text
                    if g.isEmpty || g.utf8.allSatisfy({ $0 < 0x80 }) || seen[g] != nil { continue }
                    seen[g] = buffer.line(y)
                }
            }
        }
        #expect(seen.count > 10, "the walk drew too few symbols to be a real check: \(seen.keys.sorted())")
        for (glyph, line) in seen.sorted(by: { $0.key < $1.key }) {
            let hex = glyph.unicodeScalars.map { String($0.value, radix: 16, uppercase: true) }.joined(separator: "+")
            #expect(DejaVuSansMono.covers(glyph), "\(glyph) (U+\(hex)) is not in DejaVu Sans Mono, drawn in: \(line)")
            #expect(Glyphs.lookAlike[glyph] != nil, "\(glyph) (U+\(hex)) has no ASCII look-alike for --ascii, drawn in: \(line)")
        }
    }
}
