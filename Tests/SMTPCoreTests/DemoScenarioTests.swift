// Lesson stories: every file in Scenarios/ plays to completion with the codes it expects, the embedded copies are
// the files, and a broken file is reported with its line and reason.
import Foundation
import Testing
@testable import SMTPCore

@Suite("Scenario files", .timeLimit(.minutes(2)))
struct DemoScenarioTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Scenarios")

    /// Every scenario file, found by listing the folder (a new file gets its own test without touching this one).
    static let files: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
        .filter { $0.hasSuffix(".scenario") }.sorted()

    @Test func theFolderHoldsTheThirteenLessons() {
        #expect(Set(Self.files) == ["happy-path.scenario", "bounce.scenario", "wrong-password.scenario", "over-quota.scenario",
                                    "greylisting.scenario", "relay-denied.scenario", "rset.scenario", "pipelining.scenario",
                                    "direct-mx.scenario", "receipt.scenario", "spoofed-sender.scenario", "forwarded.scenario",
                                    "mailing-list.scenario"])
    }

    @Test(arguments: files)
    func playsToTheEndWithTheExpectedCodes(_ file: String) throws {
        let text = try String(contentsOf: Self.folder.appendingPathComponent(file), encoding: .utf8)
        let scenario = try DemoScenarioParser.parse(text, name: String(file.dropLast(".scenario".count)), file: file)
        let record = DemoPlayer.play(scenario)
        #expect(record.failures.isEmpty, "\(record.failures)")
        #expect(record.steps.count == scenario.steps.count)
        // Most steps that send a line say which reply they expect, so a story cannot drift silently from the engine.
        let sending = scenario.steps.filter { $0.send != [DemoStep.waitOnly] }
        #expect(sending.filter { $0.expect != nil }.count * 10 >= sending.count * 7)
        #expect(!record.sim.isBusy, "the story ends with something still moving")
    }

    @Test(arguments: files)
    func theEmbeddedCopyIsTheFile(_ file: String) throws {
        let onDisk = try String(contentsOf: Self.folder.appendingPathComponent(file), encoding: .utf8)
        let name = String(file.dropLast(".scenario".count))
        let embedded = try #require(BuiltinScenarios.all.first { $0.name == name }, "not embedded: run Scripts/embed-scenarios")
        #expect(embedded.text + "\n" == onDisk, "Scenarios/\(file) changed: run Scripts/embed-scenarios")
    }

    @Test func theStoriesEndWhereTheySay() throws {
        func play(_ name: String) throws -> DemoRecord {
            let text = try #require(BuiltinScenarios.all.first { $0.name == name }).text
            return DemoPlayer.play(try DemoScenarioParser.parse(text, name: name, file: name + ".scenario"))
        }
        let happy = try play("happy-path")
        #expect(happy.sim.mailbox("bob@domain.com").count == 1)
        let bounce = try play("bounce")
        let dsn = try #require(bounce.sim.mailbox("alice@example.com").first)
        #expect(dsn.isBounce && dsn.message.body.contains("Status: 5.1.1"))
        let quota = try play("over-quota")
        #expect(try #require(quota.sim.mailbox("alice@example.com").first).message.body.contains("Status: 5.2.2"))
        let grey = try play("greylisting")
        #expect(grey.sim.mailbox("dave@domain.com").count == 1)
        #expect(grey.sim.hopLines.contains { $0.text.hasPrefix("450 4.2.0") })
        let pipelined = try play("pipelining")
        // The four pipelined commands' replies, in order.
        let step = try #require(pipelined.steps.first { $0.step.send.count == 4 })
        let codes = step.lines.compactMap { if case .server(let c, _) = $0 { return c }; return nil }
        #expect(codes == [250, 250, 250, 354])
    }

    @Test func handoutsInTextAndMarkdown() throws {
        let text = try #require(BuiltinScenarios.all.first { $0.name == "bounce" }).text
        let record = DemoPlayer.play(try DemoScenarioParser.parse(text, name: "bounce", file: "bounce.scenario"))
        let plain = DemoReport.render(record, format: .text)
        #expect(plain.hasPrefix("A typo in the address: the bounce\n================"))
        #expect(plain.contains("    C: RCPT TO:<nobody@domain.com>"))
        #expect(plain.contains("    S: 550 5.1.1 <nobody@domain.com>: Recipient address rejected"))
        #expect(plain.contains("    Final-Recipient: rfc822; nobody@domain.com"))
        #expect(plain.contains("DNS answer: domain.com. MX 10 mx.domain.com."))
        let md = DemoReport.render(record, format: .markdown)
        #expect(md.hasPrefix("# A typo in the address: the bounce\n"))
        #expect(md.contains("## Step 7: RCPT TO:<nobody@domain.com>"))
        #expect(md.contains("```\nC: connect") || md.contains("```\n·  connect smtp.example.com (port 587)"))
    }

    struct Broken: Sendable, CustomTestStringConvertible {
        let text: String, line: Int, reason: String
        var testDescription: String { reason }
    }

    static let broken: [Broken] = [
        Broken(text: "step: EHLO x\ncaption: hi\n", line: 1, reason: "a step before the `title:` line"),
        Broken(text: "title: t\nstep: EHLO x\nstep: QUIT\ncaption: bye\n", line: 2, reason: "has no caption"),
        Broken(text: "title: t\nstep: EHLO x\nexpect: 25O\ncaption: c\n", line: 3, reason: "`expect:` takes a reply code"),
        Broken(text: "title: t\n\n# comment\nstep: EHLO x\ncaption: c\nwait: forever\n", line: 6, reason: "`wait:` takes one of"),
        Broken(text: "title: t\nworld: sunny\nstep: x\ncaption: c\n", line: 2, reason: "unknown world “sunny”"),
        Broken(text: "title: t\nstep: x\ncaption: c\ncaptoin: d\n", line: 4, reason: "unknown key “captoin”"),
        Broken(text: "title: t\nstep: x\njust words\n", line: 3, reason: "expected `key: value`"),
        Broken(text: "title: t\n", line: 2, reason: "no steps"),
        Broken(text: "summary: s\n", line: 1, reason: "no `title:` line"),
    ]

    @Test(arguments: broken)
    func aBrokenFileNamesItsLineAndReason(_ b: Broken) {
        do {
            _ = try DemoScenarioParser.parse(b.text, name: "x", file: "x.scenario")
            Issue.record("parsed without error")
        } catch let error as DemoScenarioError {
            #expect(error.file == "x.scenario")
            #expect(error.line == b.line, "\(error)")
            #expect(error.reason.contains(b.reason), "\(error)")
            #expect(error.description.hasPrefix("x.scenario:\(b.line): "))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }
}
