// Learn mode on the real binary in tmux: a mission solved by typing shows its tick, and a restarted app (same home)
// finds it done; the brisk newcomer (Tab then Enter every second) gets the message through; a live mission passes
// when a real client (Python's smtplib) meets the mission's directed 452 and still delivers.
import Foundation
import Testing
import TestLanes

@Suite("Learn mode in tmux", .blocking, .serialized, .timeLimit(.minutes(5)))
struct LearnEndToEndTests {
    /// Moves down the Missions list (j) until `title` is selected — the details beside the list then show it too,
    /// so it is on screen twice — and starts it with Enter.
    func start(_ title: String, in t: TmuxSession) throws {
        try t.waitFor("the Missions list") { $0.contains("Missions · ") }
        for _ in 0..<60 {
            if try t.screen().components(separatedBy: title).count >= 3 { break }
            try t.type("j")
            usleep(50_000)
        }
        try t.waitFor("“\(title)” selected") { $0.components(separatedBy: title).count >= 3 }
        try t.keys("Enter")
    }

    @Test func aMissionSolvedByTypingIsTickedAndStillDoneAfterARestart() throws {
        let t = try TmuxSession(width: 120, height: 36, command: "\"$0\" learn")
        try t.waitFor("the Missions section") { $0.contains("Missions · 0 of") }
        try start("Alice's first e-mail", in: t)
        try t.waitFor("the mission started") { $0.contains("mission 0/3") }
        // Each line once the reply it waits for is on screen: what a careful learner does.
        let lines: [(String, String?)] = [
            ("connect", "S: 220 smtp.example.com"), ("EHLO client.example.com", "S: 250 CHUNKING"),
            ("STARTTLS", "S: 220 2.0.0 Ready to start TLS"), ("EHLO client.example.com", "S: 250-AUTH PLAIN LOGIN"),
            ("AUTH PLAIN AGFsaWNlQGV4YW1wbGUuY29tAHdvbmRlcmxhbmQ=", "S: 235 2.7.0"),
            ("MAIL FROM:<alice@example.com>", "S: 250 2.1.0 Ok"), ("RCPT TO:<bob@domain.com>", "S: 250 2.1.5 Ok"),
            ("DATA", "S: 354 End data"), ("Subject: From the test", nil), ("", nil), ("Hello Bob.", nil),
            (".", "S: 250 2.0.0 Ok: queued as"),
        ]
        for (line, reply) in lines {
            try t.type(line); try t.keys("Enter")
            if let reply { try t.waitFor("“\(reply)” after \(line)", seconds: 60) { $0.contains(reply) } }
        }
        // The relay happens on its own; the tick comes when Bob's mailbox has the message.
        try t.waitFor("the tick", seconds: 90) { $0.contains("✓ mission done") }
        try t.keys("F6")
        try t.waitFor("the why, in the Missions section") { $0.contains("✓ Done in") && $0.contains("Missions · 1 of") }
        try t.keys("Escape"); try t.type("q")
        #expect(try t.exitStatus() == 0)
        let progress = try String(contentsOfFile: t.home.path + "/.local/state/smtp-tui/progress.json", encoding: .utf8)
        #expect(progress.contains("\"first-mail\""), "\(progress)")

        // A new app on the same home: the mission is still done.
        let again = try TmuxSession(width: 120, height: 36, env: t.home.environment, command: "\"$0\" learn")
        try again.waitFor("the progress read back") { $0.contains("Missions · 1 of") }
        for _ in 0..<60 where try !again.screen().contains("✓ Alice's first e-mail") { try again.type("j"); usleep(50_000) }
        try again.waitFor("the mission ticked in the list") { $0.contains("✓ Alice's first e-mail") }
        try again.type("q")
        #expect(try again.exitStatus() == 0)
    }

    @Test func theBriskNewcomerGetsTheMessageThrough() throws {
        // Tab (take the suggestion) then Enter, once a second, whatever the server is doing; the transcript is
        // saved on exit and read back whole.
        let t = try TmuxSession(width: 120, height: 36, command: "\"$0\" --record transcript.txt")
        try t.waitFor("the app") { $0.contains("1 Flow") }
        try t.type("connect"); try t.keys("Enter")
        var done = false
        for _ in 0..<60 where !done {
            try t.keys("Tab"); try t.keys("Enter")
            usleep(1_000_000)  // the newcomer's pace: the input being tested, not a wait for the app
            done = try t.screen().contains("S: 221 2.0.0 Bye")
        }
        try t.waitFor("the goodbye", seconds: 30) { $0.contains("S: 221 2.0.0 Bye") }
        try t.keys("Escape"); try t.type("q")
        #expect(try t.exitStatus() == 0)
        let transcript = try String(contentsOfFile: t.home.path + "/transcript.txt", encoding: .utf8)
        for code in ["S: 354 ", "S: 250 2.0.0 Ok: queued as", "S: 221 "] {
            #expect(transcript.contains(code), "\(code) missing from:\n\(transcript)")
        }
    }

    @Test func aLiveMissionPassesWhenARealClientMeetsTheDirected452AndStillDelivers() throws {
        let python = try #require(Spawn.which("python3"), "python3 is required (.ci/run installs it)")
        let t = try TmuxSession(width: 120, height: 36, command: "\"$0\" learn --listen 127.0.0.1:0")
        try t.waitFor("the Missions section") { $0.contains("Missions · 0 of") }
        try t.keys("Escape"); try t.type("3")
        let screen = try t.waitFor("the listening address") { LiveEndToEndTests.port($0) != nil }
        let port = try #require(LiveEndToEndTests.port(screen))
        try t.keys("F6")  // from the input line too
        try start("Homework 2", in: t)
        try t.waitFor("the live mission started") { $0.contains("judged on your own program") || $0.contains("Live mission") }
        let file = t.home.path + "/client.py"
        try #"""
import smtplib, ssl, sys
c = ssl.create_default_context(); c.check_hostname = False; c.verify_mode = ssl.CERT_NONE
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=30)
s.ehlo("client.test"); s.starttls(context=c); s.ehlo("client.test")
s.login("alice@example.com", "wonderland")
refused = s.sendmail("alice@example.com", ["bob@domain.com", "carol@elsewhere.org"], b"Subject: Homework 2\r\n\r\nTwo recipients.\r\n")
print("refused", {k: v[0] for k, v in refused.items()})
s.quit()
"""#.write(toFile: file, atomically: true, encoding: .utf8)
        let out = try Spawn.run([python, file, "\(port)"], captureOutput: true, seconds: 60)
        #expect(out.contains("refused {'carol@elsewhere.org': 452}"), "the client saw the directed 452: \(out)")
        try t.waitFor("the live mission's tick", seconds: 90) { $0.contains("✓ mission done") || $0.contains("✓ Done in") }
        try t.keys("Escape"); try t.type("q")
        #expect(try t.exitStatus() == 0)
    }
}
