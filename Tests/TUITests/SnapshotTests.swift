// Whole frames rendered into the in-memory buffer, compared with Snapshots/*.txt: text first, then style runs.
// Re-record with SNAPSHOT_RECORD=1 swift test --filter Snapshot, review the diff, then run again without it: a
// recording run always fails ("re-recorded: review the diff"), so it can never pass CI by rewriting the files.
import Foundation
import Testing
@testable import TUI
import SMTPCore

enum Snapshot {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")

    static func name(_ prefix: String, _ size: Size) -> String { "\(prefix)-\(size.width)x\(size.height)" }

    /// Every snapshot the suites render, built from the same argument lists the tests use. A test may only check
    /// a name listed here, and every file in Snapshots/ must be listed: an orphaned or mislabelled file fails.
    static var all: Set<String> {
        var names: Set<String> = ["help-120x60", "popup-ehlo-120x36", "example-python-120x36"]
        for size in SnapshotTests.sizes {
            names.insert(name("launch", size)); names.insert(name("session", size))
            names.insert(name("missions", size)); names.insert(name("quiz", size))
        }
        for size in SnapshotTests.twoSizes {
            names.insert(name("flow", size))
            names.insert(name("ref-popup-mail", size))
            names.insert(name("ref-example-swaks", size))
            for label in SnapshotTests.codeFilters { names.insert(name("ref-codes-\(label)", size)) }
        }
        for stop in JourneyStop.all {
            for size in JourneyViewTests.sizes { names.insert(name("journey-\(stop.name)", size)) }
        }
        for size in [Size(width: 80, height: 24), Size(width: 100, height: 30), Size(width: 200, height: 60)] {
            names.insert(name("presenter-bounce", size))
            names.insert(name("presenter-relay", size))
        }
        for size in LiveSnapshotTests.sizes { names.insert(name("live-session", size)) }
        for theme in ThemeTests.names {
            for depth in ThemeSnapshotTests.depths { names.insert("theme-\(theme)-\(depth.rawValue)") }
        }
        return names
    }

    /// nil: compare. true: SNAPSHOT_RECORD=1, rewrite. Any other value is refused, so `SNAPSHOT_RECORD=0` cannot
    /// silently re-record everything.
    static func recording(sourceLocation: SourceLocation) -> Bool {
        guard let value = ProcessInfo.processInfo.environment["SNAPSHOT_RECORD"] else { return false }
        if value == "1" { return true }
        Issue.record("SNAPSHOT_RECORD=\(value): only SNAPSHOT_RECORD=1 re-records; comparing instead", sourceLocation: sourceLocation)
        return false
    }

    static func check(_ buffer: Buffer, named name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        check(text: "# text\n" + buffer.text + "\n# styles\n" + buffer.styleRuns + "\n", named: name, sourceLocation: sourceLocation)
    }

    static func check(text actual: String, named name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(all.contains(name), "snapshot \(name) is not listed in Snapshot.all", sourceLocation: sourceLocation)
        let file = folder.appendingPathComponent(name + ".txt")
        if recording(sourceLocation: sourceLocation) {
            do {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                try actual.write(to: file, atomically: true, encoding: .utf8)
                Issue.record("re-recorded \(name).txt: review the diff, then run again without SNAPSHOT_RECORD", sourceLocation: sourceLocation)
            } catch {
                Issue.record("cannot record \(name).txt: \(error)", sourceLocation: sourceLocation)
            }
            return
        }
        guard let expected = try? String(contentsOf: file, encoding: .utf8) else {
            Issue.record("missing snapshot \(name).txt — record with SNAPSHOT_RECORD=1", sourceLocation: sourceLocation)
            return
        }
        if expected != actual {
            let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
            let firstDiff = zip(e, a).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(e.count, a.count)
            let expectedLine = firstDiff < e.count ? String(e[firstDiff]) : "<end>"
            let actualLine = firstDiff < a.count ? String(a[firstDiff]) : "<end>"
            Issue.record("snapshot \(name) differs at line \(firstDiff + 1):\n- \(expectedLine)\n+ \(actualLine)", sourceLocation: sourceLocation)
        }
    }
}

@Suite("Snapshot files", .timeLimit(.minutes(2)))
struct SnapshotFileTests {
    static func files() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: Snapshot.folder.path).filter { $0.hasSuffix(".txt") }.sorted()
    }

    @Test func everyFileIsReadByATestAndEveryNameHasAFile() throws {
        let onDisk = Set(try Self.files().map { String($0.dropLast(4)) })
        #expect(onDisk.subtracting(Snapshot.all).isEmpty, "files in Snapshots/ that no test reads: \(onDisk.subtracting(Snapshot.all).sorted())")
        #expect(Snapshot.all.subtracting(onDisk).isEmpty, "snapshots without a file: \(Snapshot.all.subtracting(onDisk).sorted())")
    }

    /// Two names with the same content mean one of them shows something else than its name says (as when key 5
    /// stopped filtering codes and opened the code examples, and "codes-5xx" quietly became the python example).
    @Test func noTwoSnapshotsAreIdentical() throws {
        var byContent: [String: String] = [:]
        for file in try Self.files() {
            let text = try String(contentsOf: Snapshot.folder.appendingPathComponent(file), encoding: .utf8)
            if let other = byContent[text] { Issue.record("\(file) is identical to \(other)") }
            byContent[text] = file
        }
    }
}

/// A state partway through a session: connected, EHLO sent and its reply in flight.
func midSessionState(_ size: Size) -> AppState {
    var s = AppState(size: size)
    type("connect", &s)
    for ch in "EHLO client.example.com" { _ = App.update(&s, .key(.char(ch))) }
    _ = App.update(&s, .key(.enter))
    _ = App.update(&s, .tick(30))
    return s
}

@Suite("Snapshots", .timeLimit(.minutes(2)))
struct SnapshotTests {
    static let sizes = [Size(width: 80, height: 24), Size(width: 120, height: 36), Size(width: 200, height: 60)]
    static let twoSizes = [Size(width: 80, height: 24), Size(width: 120, height: 36)]
    static let codeFilters = ["all", "2xx", "3xx", "4xx", "5xx"]

    @Test(arguments: sizes)
    func launchScreen(_ size: Size) {
        Snapshot.check(Frame.render(AppState(size: size)).buffer, named: "launch-\(size.width)x\(size.height)")
    }

    /// The Missions section mid-mission: the list with a tick, the checklist half done, a hint taken.
    @Test(arguments: sizes)
    func missionsSection(_ size: Size) throws {
        var s = AppState(size: size)
        s.learn.progress.passed("dot-stuffing", commands: 11, hints: 0)
        App.focus(.missions, &s)
        s.learn.selected = try #require(s.learn.missions.firstIndex { $0.id == "first-mail" })
        _ = App.update(&s, .key(.enter))
        for line in ["connect", "EHLO client.example.com", "STARTTLS"] { type(line, &s) }
        _ = App.update(&s, .key(.function(6)))
        _ = App.update(&s, .key(.char("h")))
        s.status = nil
        Snapshot.check(Frame.render(s).buffer, named: "missions-\(size.width)x\(size.height)")
    }

    /// The quiz after the happy path, first question answered wrongly: the right answer marked, the why shown.
    @Test(arguments: sizes)
    func quizAfterAStory(_ size: Size) throws {
        var s = AppState(size: size)
        let happy = try #require(ScenarioCatalog().scenarios.first { $0.name == "happy-path" })
        #expect(App.startQuiz(happy, &s))
        _ = App.update(&s, .key(.char("1")))
        Snapshot.check(Frame.render(s).buffer, named: "quiz-\(size.width)x\(size.height)")
    }

    @Test(arguments: sizes)
    func midSession(_ size: Size) {
        Snapshot.check(Frame.render(midSessionState(size)).buffer, named: "session-\(size.width)x\(size.height)")
    }

    @Test(arguments: twoSizes)
    func flowAnimationFrames(_ size: Size) {
        var s = midSessionState(size)
        _ = App.update(&s, .key(.escape))
        _ = App.update(&s, .key(.char("1")))
        _ = App.update(&s, .tick(14))  // the EHLO reply is now travelling back (ticks 42–66 after sending)
        var frames: [String] = []
        for _ in 0..<4 {
            frames.append(Frame.render(s).buffer.text)
            _ = App.update(&s, .tick(6))
        }
        // The reply code moves between frames: every frame of its journey differs.
        #expect(Set(frames).count == 4)
        #expect(frames.allSatisfy { $0.contains("←250") })
        Snapshot.check(Frame.render(s).buffer, named: "flow-\(size.width)x\(size.height)")
    }

    @Test func helpOverlayListsEveryBinding() {
        var s = AppState(size: Size(width: 120, height: 60))
        _ = App.update(&s, .key(.escape))
        _ = App.update(&s, .key(.char("?")))
        let text = Frame.render(s).buffer.text
        for binding in KeyMap.bindings { #expect(text.contains(binding.help.prefix(30)), "help lacks \(binding.help)") }
        Snapshot.check(Frame.render(s).buffer, named: "help-120x60")
    }

    @Test func commandPopupAndCodesAndExample() {
        var s = AppState(size: Size(width: 120, height: 36))
        _ = App.update(&s, .key(.escape))
        _ = App.update(&s, .key(.char("2")))
        _ = App.update(&s, .key(.enter))
        Snapshot.check(Frame.render(s).buffer, named: "popup-ehlo-120x36")
        _ = App.update(&s, .key(.escape))
        _ = App.update(&s, .key(.char("4")))
        #expect(s.focus == .codes && s.popup == nil)
        // Key 5 opens Code examples (the 5xx filter is `f`; the codes views are in referenceViewsAtTwoSizes).
        _ = App.update(&s, .key(.char("5")))
        #expect(s.focus == .examples)
        Snapshot.check(Frame.render(s).buffer, named: "example-python-120x36")
    }

    @Test(arguments: twoSizes)
    func referenceViewsAtTwoSizes(_ size: Size) {
        var s = AppState(size: size)
        _ = App.update(&s, .key(.escape))
        _ = App.update(&s, .key(.char("2")))
        _ = App.update(&s, .key(.down))
        _ = App.update(&s, .key(.enter))
        Snapshot.check(Frame.render(s).buffer, named: "ref-popup-mail-\(size.width)x\(size.height)")
        _ = App.update(&s, .key(.escape))
        _ = App.update(&s, .key(.char("4")))
        for label in Self.codeFilters {
            Snapshot.check(Frame.render(s).buffer, named: "ref-codes-\(label)-\(size.width)x\(size.height)")
            _ = App.update(&s, .key(.char("f")))
        }
        #expect(s.codeFilter == nil)
        _ = App.update(&s, .key(.char("5")))
        _ = App.update(&s, .key(.char("n")))
        Snapshot.check(Frame.render(s).buffer, named: "ref-example-swaks-\(size.width)x\(size.height)")
    }

    /// The popup's border as drawn: the bounding box of its cells, or nil when no popup border is on screen.
    static func popupBorder(_ b: Buffer) -> Rect? {
        var xs: [Int] = [], ys: [Int] = []
        for y in 0..<b.height { for x in 0..<b.width where b[x, y].role == .popupBorder { xs.append(x); ys.append(y) } }
        guard let x0 = xs.min(), let x1 = xs.max(), let y0 = ys.min(), let y1 = ys.max() else { return nil }
        return Rect(x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1)
    }

    @Test func everySizeFromTinyToHugeRenders() throws {
        let sizes = [(1, 1), (2, 1), (1, 2), (10, 3), (39, 9), (40, 10), (41, 11), (60, 17), (79, 23), (99, 29), (100, 30), (400, 120)]
        let command = CommandCatalogue.all[5]
        for (w, h) in sizes {
            var s = AppState(size: Size(width: w, height: h))
            let b = Frame.render(s).buffer
            #expect(b.width == w && b.height == h)
            for (popup, title) in [(Popup.help, "Help — every key"), (.command(5), command.title)] {
                s.popup = popup
                let frame = Frame.render(s).buffer
                #expect(frame.width == w && frame.height == h)
                let border = Self.popupBorder(frame)
                if w < 40 || h < 10 {
                    // Too small: the "please enlarge" screen, no popup drawn over it.
                    #expect(border == nil, "\(w)x\(h): a popup was drawn on the too-small screen")
                    continue
                }
                let box = try #require(border, "\(w)x\(h): \(title) popup not drawn")
                // Centred, 96 columns at most, one cell of margin all round: the whole border inside the frame.
                let width = min(w - 2, 96)
                #expect(box == Rect(x: (w - width) / 2, y: 1, width: width, height: h - 2), "\(w)x\(h): popup at \(box)")
                #expect(frame[box.x, box.y].text == "┏" && frame[box.maxX - 1, box.y].text == "┓", "\(w)x\(h): top corners")
                #expect(frame[box.x, box.maxY - 1].text == "┗" && frame[box.maxX - 1, box.maxY - 1].text == "┛", "\(w)x\(h): bottom corners")
                #expect(frame.line(box.y).contains(" \(title) "), "\(w)x\(h): title missing from \(frame.line(box.y))")
                #expect(frame.line(box.maxY - 2).contains("[ Esc  Close ]"), "\(w)x\(h): no close button on the last row")
            }
        }
        let small = Frame.render(AppState(size: Size(width: 30, height: 8))).buffer.text
        #expect(small.contains("Please enlarge"))
    }

    @Test func asciiModeUsesNoBoxDrawing() {
        var s = AppState(size: Size(width: 120, height: 36))
        s.ascii = true
        let text = Frame.render(s).buffer.text
        #expect(!text.contains("─") && !text.contains("━") && text.contains("+-"))
    }
}

@Suite("Cells", .timeLimit(.minutes(2)))
struct CellTests {
    @Test func wideCharactersTakeTwoCellsAndClip() {
        var b = Buffer(width: 6, height: 1)
        let end = b.put("日本語", x: 0, y: 0, role: .text)
        #expect(end == 6)
        #expect(b.line(0) == "日本語")
        var c = Buffer(width: 5, height: 1)
        c.put("日本語", x: 0, y: 0, role: .text)
        #expect(c.line(0) == "日本 ")  // the third would be cut in half: left blank
        c.put("x", x: 1, y: 0, role: .text)  // overwrite half of 日
        #expect(c.line(0) == " x本 ")
    }

    @Test func clippingAtEveryEdge() {
        var b = Buffer(width: 4, height: 2)
        b.put("abcdef", x: -2, y: 0, role: .text)
        b.put("zz", x: 3, y: 1, role: .text)
        b.put("no", x: 0, y: 5, role: .text)
        #expect(b.text == "cdef\n   z")
        b.put("\u{1}\u{7F}", x: 0, y: 1, role: .text)
        #expect(b.line(1).hasPrefix("\u{FFFD}\u{FFFD}"))
    }

    @Test func layoutSplitsNeverOverlapOrOverflow() {
        let r = Rect(x: 0, y: 0, width: 10, height: 5)
        let parts = r.split(.horizontal, [.fixed(3), .percent(50), .fill])
        #expect(parts.map(\.width) == [3, 5, 2])
        let tiny = r.split(.vertical, [.fixed(3), .fixed(4), .min(2)])
        #expect(tiny.map(\.height).reduce(0, +) == 5)
        #expect(Wrap.lines("the quick brown fox", width: 9) == ["the quick", "brown fox"])
        #expect(Wrap.lines("abcdefghij", width: 4) == ["abcd", "efgh", "ij"])
    }

}
