// `smtp-tui learn` on the real binary: --list, --grade with text and JSON (exit 0 passed, 1 not, 2 usage) for the six
// missions the issue names, right and wrong, --check on a mission file, and --reset.
import Foundation
import Testing
@testable import SMTPCore
import TestLanes

@Suite("smtp-tui learn on the binary", .blocking, .serialized, .timeLimit(.minutes(3)))
struct LearnCommandTests {
    static let submit = "connect\nEHLO client.example.com\nSTARTTLS\nEHLO client.example.com\nAUTH PLAIN AGFsaWNlQGV4YW1wbGUuY29tAHdvbmRlcmxhbmQ=\n"

    /// (mission, a wrong attempt, words its failing check must contain)
    static let wrong: [(String, String, String)] = [
        ("first-mail", "connect\nEHLO client.example.com\nAUTH PLAIN AGFsaWNlQGV4YW1wbGUuY29tAHdvbmRlcmxhbmQ=\nMAIL FROM:<alice@example.com>\nRCPT TO:<bob@domain.com>\nQUIT\n", "530"),
        ("dot-stuffing", "connect mx.domain.com\nEHLO x\nMAIL FROM:<alice@example.com>\nRCPT TO:<bob@domain.com>\nDATA\nSubject: x\n\n.signature\n.\nQUIT\n", "the dot was removed"),
        ("unknown-recipient", "connect mx.domain.com\nEHLO x\nMAIL FROM:<alice@example.com>\nRCPT TO:<bob@domain.com>\nDATA\nSubject: x\n\nhi\n.\nQUIT\n", "RCPT got: 250 2.1.5"),
        ("bounce", submit + "MAIL FROM:<alice@example.com>\nRCPT TO:<someone@elsewhere.org>\nDATA\nSubject: x\n\nhi\n.\nQUIT\n", "that address exists"),
        ("greylisting", submit + "MAIL FROM:<alice@example.com>\nRCPT TO:<dave@domain.com>\nRSET\nQUIT\n", "no message was ever accepted"),
        ("auth-plain", "connect\nEHLO client.example.com\nSTARTTLS\nEHLO client.example.com\nAUTH PLAIN AGFsaWNlQGV4YW1wbGUuY29tAHdyb25n\nQUIT\n", "535 5.7.8"),
    ]

    func write(_ text: String, _ name: String) throws -> String {
        let path = NSTemporaryDirectory() + "smtp-tui-learn-\(getpid())-\(name)"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func run(_ args: [String], home: String) throws -> (status: Int32, out: String, err: String) {
        try Binary.run("/usr/bin/env", ["HOME=\(home)", "XDG_CONFIG_HOME=\(home)/config", "XDG_STATE_HOME=\(home)/state", Binary.path] + args)
    }

    /// The app's last hint points here: the printed solution, graded, passes; an unknown id is a usage error.
    @Test func solutionPrintsAnAttemptThatPasses() throws {
        let home = NSTemporaryDirectory()
        let r = try run(["learn", "--solution", "dot-stuffing"], home: home)
        #expect(r.status == 0)
        let file = try write(r.out, "solution")
        let graded = try run(["learn", "--grade", "dot-stuffing", file], home: home)
        #expect(graded.status == 0, "\(graded.out)")
        #expect(try run(["learn", "--solution", "no-such"], home: home).status == 2)
    }

    /// `play NAME --source` prints the story file itself, as the demo menu tells a teacher to copy it.
    @Test func playSourcePrintsTheStoryFile() throws {
        let r = try run(["play", "bounce", "--source"], home: NSTemporaryDirectory())
        #expect(r.status == 0)
        let file = try #require(BuiltinScenarios.all.first { $0.name == "bounce" }).text
        #expect(r.out == file + "\n")
        #expect(try DemoScenarioParser.parse(r.out, name: "mine", file: "mine.scenario").steps.count > 5)
    }

    @Test func listPrintsEveryMissionByChapter() throws {
        let r = try run(["learn", "--list"], home: NSTemporaryDirectory())
        #expect(r.status == 0)
        let lines = r.out.split(separator: "\n")
        #expect(lines.count >= 24)
        for line in lines { #expect(line.split(separator: "\t").count == 3, "\(line)") }
        for id in ["first-mail", "dot-stuffing", "unknown-recipient", "bounce", "greylisting", "auth-plain"] {
            #expect(lines.contains { $0.hasPrefix(id + "\t") }, "\(id)")
        }
    }

    @Test(arguments: wrong.map(\.0))
    func theSolutionPassesInJSONAndAWrongAttemptFailsSayingWhatTheWorldShows(_ id: String) throws {
        let home = NSTemporaryDirectory()
        let mission = try #require(MissionCatalog().mission(id))
        let right = try write(mission.solution.joined(separator: "\n") + "\n", "\(id)-right.txt")
        let pass = try run(["learn", "--grade", id, right, "--format", "json"], home: home)
        #expect(pass.status == 0, "\(pass.out)\(pass.err)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(pass.out.utf8)) as? [String: Any])
        #expect(json["status"] as? String == "pass")
        #expect(json["mission"] as? String == id)
        #expect((json["checks"] as? [[String: Any]])?.allSatisfy { $0["status"] as? String == "pass" } == true)
        #expect(json["par"] as? Int == mission.par)
        let (_, attempt, words) = try #require(Self.wrong.first { $0.0 == id })
        let failing = try write(attempt, "\(id)-wrong.txt")
        let fail = try run(["learn", "--grade", id, failing, "--format", "json"], home: home)
        #expect(fail.status == 1, "\(fail.out)\(fail.err)")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(fail.out.utf8)) as? [String: Any])
        #expect(result["status"] as? String == "fail")
        let messages = ((result["checks"] as? [[String: Any]]) ?? []).filter { $0["status"] as? String == "fail" }.compactMap { $0["message"] as? String }
        #expect(messages.contains { $0.contains(words) }, "\(messages)")
        let text = try run(["learn", "--grade", id, failing], home: home)
        #expect(text.status == 1 && text.out.contains("✗ ") && text.out.contains(words), "\(text.out)")
    }

    @Test func usageErrorsExit2() throws {
        let home = NSTemporaryDirectory()
        #expect(try run(["learn", "--grade", "no-such-mission", "/etc/hostname"], home: home).status == 2)
        #expect(try run(["learn", "--grade", "dot-stuffing", "/no/such/file"], home: home).status == 2)
        #expect(try run(["learn", "--grade", "dot-stuffing"], home: home).status == 2)
    }

    @Test func checkValidatesAMissionFile() throws {
        let home = NSTemporaryDirectory()
        let good = try #require(BuiltinMissions.all.first { $0.name == "dot-stuffing" }).text
        let ok = try run(["learn", "--check", try write(good + "\n", "good.mission")], home: home)
        #expect(ok.status == 0 && ok.out.contains("passes with its reference solution"), "\(ok.out)\(ok.err)")
        // A solution that no longer reaches the goal: exit 1, and why.
        let broken = good.replacingOccurrences(of: "solution: ..signature", with: "solution: .signature")
        let bad = try run(["learn", "--check", try write(broken + "\n", "bad.mission")], home: home)
        #expect(bad.status == 1 && bad.out.contains("the dot was removed"), "\(bad.out)")
        let malformed = try run(["learn", "--check", try write("id: x\ncheck: teleport\n", "malformed.mission")], home: home)
        #expect(malformed.status == 2 && malformed.err.contains("malformed.mission:2: unknown check"), "\(malformed.err)")
    }

    @Test func resetForgetsTheProgress() throws {
        let home = NSTemporaryDirectory() + "smtp-tui-learn-reset-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: home) }
        try FileManager.default.createDirectory(atPath: home + "/state/smtp-tui", withIntermediateDirectories: true)
        try #"{"missions":{"dot-stuffing":{"done":true,"commands":11,"hints":0}},"quizzes":{},"version":1}"#
            .write(toFile: home + "/state/smtp-tui/progress.json", atomically: true, encoding: .utf8)
        let r = try run(["learn", "--reset"], home: home)
        #expect(r.status == 0)
        #expect(!FileManager.default.fileExists(atPath: home + "/state/smtp-tui/progress.json"))
    }

    @Test func aMalformedUserMissionIsReportedWithItsLineAndExit2() throws {
        let home = NSTemporaryDirectory() + "smtp-tui-learn-user-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: home) }
        try FileManager.default.createDirectory(atPath: home + "/config/smtp-tui/missions", withIntermediateDirectories: true)
        try "id: mine\nchapter: 9 Mine\nfail: sometimes\n".write(toFile: home + "/config/smtp-tui/missions/mine.mission", atomically: true, encoding: .utf8)
        let r = try run(["learn", "--list"], home: home)
        #expect(r.status == 2)
        #expect(r.err.contains("mine.mission:3: `fail:` takes"), "\(r.err)")
    }
}
