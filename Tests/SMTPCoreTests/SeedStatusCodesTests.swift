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
        CodeCase(code: 450, preamble: .mailStarted, scenario: nil, lines: ["RCPT TO:<dave@domain.com>"]),
        CodeCase(code: 452, preamble: .recipientAdded, scenario: "tight-limits", lines: ["RCPT TO:<postmaster>", "RCPT TO:<bob@domain.com>"]),
        CodeCase(code: 500, preamble: .connected, scenario: nil, lines: ["HELLO smtp.example.com"]),
        CodeCase(code: 535, preamble: .secured, scenario: nil, lines: ["AUTH PLAIN AGFsaWNlQGV4YW1wbGUuY29tAHdyb25n"]),
        CodeCase(code: 550, preamble: .mailStarted, scenario: nil, lines: ["RCPT TO:<nobody@domain.com>"]),
        CodeCase(code: 552, preamble: .mailStarted, scenario: nil, lines: ["RCPT TO:<carol@domain.com>"]),
        CodeCase(code: 553, preamble: .mailStarted, scenario: nil, lines: ["RCPT TO:<bob smith@domain.com>"]),
        CodeCase(code: 554, preamble: .recipientAdded, scenario: nil, lines: ["DATA", "Subject: GTUBE test", "", "x", "."]),
    ]

    @Test(arguments: cases)
    func codeIsProduced(_ c: CodeCase) throws {
        var h = try Harness(preamble: c.preamble)
        if let name = c.scenario { h.session.setScenario(try #require(World.standard.scenario(named: name), "no scenario \(name)")) }
        #expect(h.lastCode(c.lines) == c.code)
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
