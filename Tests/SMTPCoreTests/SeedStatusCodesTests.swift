// Every code of the original status table is produced by some learner input. The catalogue's own trigger
// recipes are replayed in CatalogueTests; this table is independent of them, written from the world's map.
import Testing
@testable import SMTPCore

struct CodeCase: CustomTestStringConvertible, Sendable {
    let code: Int
    let preamble: SessionPreamble
    let scenario: String?
    let lines: [String]
    var testDescription: String { "\(code) via \(lines.last ?? "greeting")" }
}

@Suite("The sixteen status codes of the seed", .timeLimit(.minutes(2)))
struct SeedStatusCodesTests {
    static let cases: [CodeCase] = [
        CodeCase(code: 211, preamble: .greeted, scenario: nil, lines: ["HELP STATUS"]),
        CodeCase(code: 220, preamble: .greeted, scenario: nil, lines: ["STARTTLS"]),
        CodeCase(code: 221, preamble: .connected, scenario: nil, lines: ["QUIT"]),
        CodeCase(code: 235, preamble: .secured, scenario: nil, lines: ["AUTH PLAIN \(SampleCredentials.plainInitialResponse)"]),
        CodeCase(code: 250, preamble: .connected, scenario: nil, lines: ["EHLO client.example.com"]),
        CodeCase(code: 334, preamble: .secured, scenario: nil, lines: ["AUTH LOGIN"]),
        CodeCase(code: 354, preamble: .recipientAdded, scenario: nil, lines: ["DATA"]),
        CodeCase(code: 421, preamble: .greeted, scenario: "shutdown", lines: ["NOOP"]),
        CodeCase(code: 450, preamble: .mxMailStarted, scenario: nil, lines: ["RCPT TO:<dave@domain.com>"]),
        CodeCase(code: 452, preamble: .recipientAdded, scenario: "tight-limits", lines: ["RCPT TO:<postmaster>", "RCPT TO:<bob@domain.com>"]),
        CodeCase(code: 500, preamble: .connected, scenario: nil, lines: ["HELLO smtp.example.com"]),
        CodeCase(code: 535, preamble: .secured, scenario: nil, lines: ["AUTH PLAIN AGFsaWNlQGV4YW1wbGUuY29tAHdyb25n"]),
        CodeCase(code: 550, preamble: .mxMailStarted, scenario: nil, lines: ["RCPT TO:<nobody@domain.com>"]),
        CodeCase(code: 552, preamble: .mxMailStarted, scenario: nil, lines: ["RCPT TO:<carol@domain.com>"]),
        CodeCase(code: 553, preamble: .mailStarted, scenario: nil, lines: ["RCPT TO:<bob smith@domain.com>"]),
        CodeCase(code: 554, preamble: .recipientAdded, scenario: nil, lines: ["DATA", "Subject: GTUBE test", "", "x", "."]),
    ]

    @Test(arguments: cases)
    func codeIsProduced(_ c: CodeCase) throws {
        let host = try #require(MailNetwork.standardHost(c.preamble))
        var h = try Harness(profile: host.profile, world: host.world, preamble: c.preamble)
        if let name = c.scenario { h.session.setScenario(try #require(host.world.scenario(named: name))) }
        #expect(h.lastCode(c.lines) == c.code)
    }

    /// The same codes typed into the app's simulation, as a learner would: `connect [HOST]`, the lines, waiting for
    /// each reply, with the scenario switched on after the preamble.
    @Test(arguments: cases)
    func codeIsProducedInTheSimulatedNetwork(_ c: CodeCase) throws {
        var sim = Simulation()
        let connected = sim.connect(to: c.preamble.host)
        #expect(connected)
        func type(_ line: String) -> [Int] {
            sim.send(line)
            var codes: [Int] = []
            var n = 0
            while sim.isAwaitingServer && n < 5_000 {
                for case .reply(let r, _) in sim.advance(by: 1) { codes.append(r.code) }
                n += 1
            }
            return codes
        }
        while sim.isAwaitingServer { _ = sim.advance(by: 1) }
        for line in c.preamble.clientLines {
            let codes = type(line)
            #expect(!codes.isEmpty && codes.allSatisfy { $0 < 400 }, "preamble line \(line) got \(codes)")
        }
        if let name = c.scenario { sim.setScenario(try #require(sim.world.scenario(named: name))) }
        var last: Int?
        for line in c.lines { last = type(line).last ?? last }
        #expect(last == c.code)
    }

    /// The table above must keep up with the catalogue: every code the status table marks as part of the seed
    /// needs a case here (a code added to the seed without a way to produce it fails).
    @Test func casesCoverTheWholeSeedTable() throws {
        let seedTable = Set(StatusCatalogue.all.filter(\.inSeedTable).map(\.code))
        #expect(seedTable.count == 16)
        #expect(seedTable.subtracting(Self.cases.map(\.code)).isEmpty, "seed codes without a case: \(seedTable.subtracting(Self.cases.map(\.code)).sorted())")
        #expect(Set(Self.cases.map(\.code)).subtracting(seedTable).isEmpty, "cases for codes outside the seed table")
    }
}
