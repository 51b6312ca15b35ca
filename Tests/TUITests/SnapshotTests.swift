// Whole frames rendered into the in-memory buffer, compared with Snapshots/*.txt: text first, then style runs.
// Re-record with SNAPSHOT_RECORD=1 swift test --filter SnapshotTests, and review the diff before committing.
import Foundation
import Testing
@testable import TUI
import SMTPCore

enum Snapshot {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")

    static func check(_ buffer: Buffer, named name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let actual = "# text\n" + buffer.text + "\n# styles\n" + buffer.styleRuns + "\n"
        let file = folder.appendingPathComponent(name + ".txt")
        if ProcessInfo.processInfo.environment["SNAPSHOT_RECORD"] != nil {
            try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try? actual.write(to: file, atomically: true, encoding: .utf8)
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

/// A state partway through a session: connected, EHLO sent and its reply in flight.
func midSessionState(_ size: Size) -> AppState {
    var s = AppState(size: size)
    type("connect", &s)
    for ch in "EHLO client.example.com" { _ = App.update(&s, .key(.char(ch))) }
    _ = App.update(&s, .key(.enter))
    _ = App.update(&s, .tick(30))
    return s
}

@Suite("Snapshots")
struct SnapshotTests {
    static let sizes = [Size(width: 80, height: 24), Size(width: 120, height: 36), Size(width: 200, height: 60)]

    @Test(arguments: sizes)
    func launchScreen(_ size: Size) {
        Snapshot.check(Frame.render(AppState(size: size)).buffer, named: "launch-\(size.width)x\(size.height)")
    }

    @Test(arguments: sizes)
    func midSession(_ size: Size) {
        Snapshot.check(Frame.render(midSessionState(size)).buffer, named: "session-\(size.width)x\(size.height)")
    }

    @Test(arguments: [Size(width: 80, height: 24), Size(width: 120, height: 36)])
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
        _ = App.update(&s, .key(.char("5")))
        Snapshot.check(Frame.render(s).buffer, named: "codes-5xx-120x36")
        _ = App.update(&s, .key(.char("5")))
        Snapshot.check(Frame.render(s).buffer, named: "example-python-120x36")
    }

    @Test(arguments: [Size(width: 80, height: 24), Size(width: 120, height: 36)])
    func referenceViewsAtTwoSizes(_ size: Size) {
        var s = AppState(size: size)
        _ = App.update(&s, .key(.escape))
        _ = App.update(&s, .key(.char("2")))
        _ = App.update(&s, .key(.down))
        _ = App.update(&s, .key(.enter))
        Snapshot.check(Frame.render(s).buffer, named: "ref-popup-mail-\(size.width)x\(size.height)")
        _ = App.update(&s, .key(.escape))
        _ = App.update(&s, .key(.char("4")))
        for label in ["all", "2xx", "3xx", "4xx", "5xx"] {
            Snapshot.check(Frame.render(s).buffer, named: "ref-codes-\(label)-\(size.width)x\(size.height)")
            _ = App.update(&s, .key(.char("f")))
        }
        #expect(s.codeFilter == nil)
        _ = App.update(&s, .key(.char("5")))
        _ = App.update(&s, .key(.char("n")))
        Snapshot.check(Frame.render(s).buffer, named: "ref-example-swaks-\(size.width)x\(size.height)")
    }

    @Test func everySizeFromTinyToHugeRenders() {
        for (w, h) in [(1, 1), (2, 1), (1, 2), (10, 3), (39, 9), (40, 10), (41, 11), (60, 17), (79, 23), (99, 29), (100, 30), (400, 120)] {
            var s = AppState(size: Size(width: w, height: h))
            let b = Frame.render(s).buffer
            #expect(b.width == w && b.height == h)
            s.popup = .help
            _ = Frame.render(s)
            s.popup = .command(5)
            _ = Frame.render(s)
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

@Suite("Cells")
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
