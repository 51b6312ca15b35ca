// The catalogue can never drift from the simulation: every example is replayed through the engine, every
// "how to trigger it" recipe must really yield its code, and the seed's content is all present.
import Testing
@testable import SMTPCore

@Suite("Reference catalogue", .timeLimit(.minutes(2)))
struct CatalogueTests {
    @Test(arguments: CommandCatalogue.all.map(\.id))
    func exampleReplaysExactly(_ id: String) throws {
        let entry = try #require(CommandCatalogue.entry(id))
        let host = try #require(MailNetwork.standardHost(entry.preamble))
        var h = try Harness(profile: host.profile, world: host.world, preamble: entry.preamble)
        var got: [String] = []
        for case .client(let line) in entry.example { got += wire(h.send(line)) }
        let expected = entry.example.compactMap { if case .server(let s) = $0 { return s } else { return nil } }
        #expect(got == expected, "\(id): the example's S: lines differ from the engine")
    }

    @Test(arguments: StatusCatalogue.all.map(\.code))
    func triggerRecipeYieldsItsCode(_ code: Int) throws {
        let entry = try #require(StatusCatalogue.entry(code))
        let recipe = entry.trigger
        let host = try #require(MailNetwork.standardHost(recipe.preamble))
        var h = try Harness(profile: host.profile, world: host.world, preamble: recipe.preamble)
        if let name = recipe.scenario { h.session.setScenario(try #require(host.world.scenario(named: name))) }
        var last: Reply?
        for (i, line) in recipe.lines.enumerated() {
            if i == recipe.lines.count - 1 { h.session.now += recipe.waitTicksBeforeLast }
            last = h.send(line).last ?? last
        }
        #expect(last?.code == code, "recipe for \(code) ended with \(String(describing: last))")
    }

    @Test func seedCommandsComeFirstInOrder() throws {
        #expect(CommandCatalogue.all.prefix(8).map(\.id) == ["EHLO", "MAIL FROM", "RCPT TO", "DATA", "QUIT", "AUTH", "STARTTLS", "RSET"])
        for entry in CommandCatalogue.all {
            #expect(entry.explanation.joined().count > 300, "\(entry.id) explanation is thin")
            #expect(!entry.replies.isEmpty && !entry.syntax.isEmpty && !entry.tryIt.isEmpty)
        }
    }

    @Test func statusTableHasTheSeedsSixteenAndEveryEngineCode() throws {
        let seed: Set = [211, 220, 221, 235, 250, 334, 354, 421, 450, 452, 500, 535, 550, 552, 553, 554]
        #expect(Set(StatusCatalogue.all.filter(\.inSeedTable).map(\.code)) == seed)
        let codes = StatusCatalogue.all.map(\.code)
        #expect(codes == codes.sorted())
        for extra in [214, 251, 252, 501, 502, 503, 504, 530, 538, 555] { #expect(codes.contains(extra)) }
    }

    @Test func enhancedCodesAreDecoded() throws {
        #expect(StatusCatalogue.describeEnhanced(EnhancedStatusCode(5, 1, 1)) == "permanent failure · addressing · bad destination mailbox address")
    }

    @Test func examplesCoverEveryLanguageAndUseTheWorld() throws {
        #expect(CodeExamples.all.map(\.id) == ["python", "swaks", "curl", "node", "go", "openssl"])
        for example in CodeExamples.all {
            #expect(example.code.contains("smtp.example.com") || example.id == "swaks")
            #expect(example.code.contains("alice@example.com"))
        }
        let python = try #require(CodeExamples.example("python")).code
        for step in ["import smtplib", "MIMEMultipart", "starttls(", "login(", "sendmail("] { #expect(python.contains(step)) }
    }
}
