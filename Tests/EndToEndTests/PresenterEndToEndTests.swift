// The presenter's view of the app, in tmux: --demo starts a story, a clicker's PgDn/PgUp step and rewind, autoplay
// moves by itself, the blank button blanks, nothing reaches the server, and the recordings are written.
import Foundation
import Testing
import TestLanes

@Suite("Presenter mode in tmux", .blocking, .serialized, .timeLimit(.minutes(5)))
struct PresenterEndToEndTests {
    /// The "step N of M" the header shows.
    static func step(_ screen: String) -> Int? {
        guard let r = screen.firstRange(of: /step (\d+) of \d+/) else { return nil }
        return Int(screen[r].split(separator: " ")[1])
    }

    @Test func aClickerStepsRewindsBlanksAndAutoplays() throws {
        let t = try TmuxSession(width: 100, height: 30, command: "\"$0\" --demo --autoplay")
        try t.waitFor("step 1 of 22")
        // With --autoplay and no key pressed the story tells itself: `connect` is typed, the greeting arrives, step 2
        // follows.
        try t.waitFor("the greeting") { $0.contains("S: 220 smtp.example.com ESMTP") }
        try t.waitFor("autoplay reaching step 2", seconds: 30) { Self.step($0) == 2 }
        // The clicker takes over: autoplay off, then PgUp/PgDn.
        try t.type("a")
        try t.waitFor("autoplay off") { $0.contains("Autoplay off") }
        try t.keys("PageUp")
        try t.waitFor("step 1 again") { Self.step($0) == 1 }
        try t.keys("PageDown")
        // A capture can catch a frame half drawn: wait for the step number and its caption together.
        try t.waitFor("step 2 with its caption") { Self.step($0) == 2 && $0.contains("The client introduces itself.") }
        // Let step 2 finish, then step on to 3 and back: step 2's finished state is rebuilt identically.
        let finished = try t.waitFor("the EHLO reply") { $0.contains("S: 250 CHUNKING") }
        try t.keys("PageDown")
        try t.waitFor("step 3") { Self.step($0) == 3 }
        // PgUp: back to the end of step 2, recomputed — the same screen as before PgDn.
        try t.keys("PageUp")
        func session(_ screen: String) -> [String] { TmuxSession.pieces(screen).filter { $0.hasPrefix("S: ") || $0.hasPrefix("C: ") } }
        try t.waitFor("step 2 again, as it was") { Self.step($0) == 2 && session($0) == session(finished) && $0.contains("The client introduces itself.") }
        // Presenter keys never reach the server: letters are not typed into the session. The blank button after
        // them blanks the screen, and any key brings it back at the same step: once blanked, xyz have been read.
        try t.type("xyz")
        try t.type(".")
        try t.waitFor("a blank screen") { screen in screen.allSatisfy { $0 == " " || $0 == "\n" } }
        try t.type("x")
        let back = try t.waitFor("the screen back at step 2") { Self.step($0) == 2 }
        #expect(!back.contains("xyz") && !TmuxSession.pieces(back).contains { $0.hasPrefix("C: x") }, "letters reached the session:\n\(back)")
        // Autoplay moves by itself.
        try t.type("a")
        try t.waitFor("autoplay on") { $0.contains("autoplay 4 s") || $0.contains("Autoplay on") }
        try t.waitFor("autoplay reaching step 4", seconds: 40) { (Self.step($0) ?? 0) >= 4 }
        try t.keys("Escape")
        try t.waitFor("the normal layout") { $0.contains("1 Flow") && $0.contains("Left the demo") }
        try t.keys("Escape"); try t.type("q")
        #expect(try t.exitStatus() == 0)
    }

    @Test func castAndRecordFilesAreWritten() throws {
        let dir = NSTemporaryDirectory() + "smtp-tui-cast-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let t = try TmuxSession(width: 100, height: 30, command: "\"$0\" --demo bounce --cast \(dir)/demo.cast --record \(dir)/demo.txt")
        try t.waitFor("step 1 of 16")
        try t.waitFor("the greeting") { $0.contains("S: 220 smtp.example.com ESMTP") }
        try t.type("q")
        #expect(try t.exitStatus() == 0)
        let cast = try String(contentsOfFile: dir + "/demo.cast", encoding: .utf8)
        let lines = cast.split(separator: "\n")
        #expect(lines.count >= 3)
        let header = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(header["version"] as? Int == 2)
        #expect(header["width"] as? Int == 100 && header["height"] as? Int == 30)
        var last = -1.0
        for line in lines.dropFirst() {
            let event = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [Any])
            #expect(event.count == 3 && event[1] as? String == "o")
            let time = try #require(event[0] as? Double)
            #expect(time >= last)
            last = time
        }
        #expect(cast.contains("220 smtp.example.com ESMTP"))
        let record = try String(contentsOfFile: dir + "/demo.txt", encoding: .utf8)
        #expect(record.contains("S: 220 smtp.example.com ESMTP smtp-tui (simulated mail server)\n"))
    }

    @Test func aBrokenScenarioFileNamesItsLine() throws {
        let file = NSTemporaryDirectory() + "broken-\(getpid()).scenario"
        try "title: broken\nstep: EHLO x\nexpect: 2x0\ncaption: c\n".write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let t = try TmuxSession(command: "\"$0\" --demo \(file)")
        let screen = try t.waitFor("the error and exit status") { $0.contains("[exit 2]") }
        #expect(screen.contains("\(file):3: `expect:` takes a reply code"))
    }
}
