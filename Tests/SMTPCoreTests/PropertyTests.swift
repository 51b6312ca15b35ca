// Random command sequences and random bytes: the engine never crashes, every reply line is well formed and at most
// 512 octets, RSET, a finished DATA and a BDAT … LAST always end the transaction, no transaction spans a STARTTLS,
// and a DSN request the server accepted (RET=, ENVID=, NOTIFY=, ORCPT=) travels with the stored message.
//
// The generator is protocol-aware, so the runs reach the states these invariants are about: each run starts from a
// valid prefix chosen at random (greeted, in TLS, authenticated, in a transaction, in DATA), the fragments that move
// a session forward are common and QUIT and error lines rare. Every run records which states it reached and which
// invariants it checked; a test fails when a state is reached in fewer than 20 % of the runs of its profile or an
// invariant is checked fewer than 500 times per profile, so a generator that drifts back into shallow sessions is noticed.
import Testing
import PropertyBased
@testable import SMTPCore

enum Fragments {
    /// (line, weight): the weight is how many tickets the line gets in the draw.
    static let weighted: [(String, Int)] = [
        // Lines that move a session forward: common.
        ("EHLO client.example.com", 4), ("STARTTLS", 8), ("AUTH PLAIN \(SampleCredentials.plainInitialResponse)", 3),
        ("MAIL FROM:<alice@example.com>", 8), ("RCPT TO:<bob@domain.com>", 8), ("DATA", 6),
        ("hello", 4), ("..dots", 1), ("Subject: GTUBE", 1), (".", 10), ("RSET", 3),
        // Other valid lines and other answers of the world.
        ("HELO x", 1), ("AUTH LOGIN", 1), ("YWxpY2VAZXhhbXBsZS5jb20=", 1), ("d29uZGVybGFuZA==", 1), ("*", 1),
        ("AUTH PLAIN", 1), ("MAIL FROM:<>", 1), ("RCPT TO:<nobody@domain.com>", 1), ("RCPT TO:<dave@domain.com>", 1),
        ("RCPT TO:<carol@domain.com>", 1), ("RCPT TO:<postmaster>", 1), ("RCPT TO:<x@elsewhere.org>", 1),
        ("NOOP", 2), ("VRFY bob", 1), ("HELP", 1), ("HELP STATUS", 1),
        // Ends the session: rare.
        ("QUIT", 1),
        // Errors: rare, one ticket each (ten in a row close the session).
        ("EHLO", 1), ("AUTH CRAM-MD5", 1), ("MAIL FROM:alice@example.com", 1), ("MAIL FROM:<a@b> SIZE=99999999", 1),
        ("RCPT TO:<bad name@domain.com>", 1), ("EXPN x", 1), ("", 1), ("\u{0}\u{1}", 1), ("MAIL", 1), ("RCPT", 1),
        ("dAtA x", 1), (String(repeating: "A", count: 600), 1),
        // DSN requests (RFC 3461), valid and not.
        ("MAIL FROM:<alice@example.com> RET=HDRS ENVID=a+2Bb", 3), ("MAIL FROM:<alice@example.com> RET=FULL", 1),
        ("RCPT TO:<bob@domain.com> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob@domain.com", 3),
        ("RCPT TO:<postmaster@domain.com> NOTIFY=NEVER", 1), ("RCPT TO:<bob@domain.com> NOTIFY=NEVER,SUCCESS", 1),
        ("MAIL FROM:<alice@example.com> RET=MAYBE", 1),
        // CHUNKING (RFC 3030): a BDAT line's chunk is what follows it, "hello" + CRLF being exactly 7 octets.
        ("BDAT 7 LAST", 4), ("BDAT 7", 2), ("BDAT 0 LAST", 1), ("BDAT 3", 1), ("BDAT x", 1),
    ]

    static let lines: [String] = weighted.map(\.0)
    /// One entry per ticket: an index into `lines`.
    static let tickets: [Int] = weighted.enumerated().flatMap { i, entry in Array(repeating: i, count: entry.1) }
}

/// A valid start for a run: the client lines that lead there, every one answered positively.
struct Prefix: Sendable, CustomTestStringConvertible {
    let name: String
    let lines: [String]
    var testDescription: String { name }

    static let ehlo = "EHLO client.example.com"
    static let auth = "AUTH PLAIN \(SampleCredentials.plainInitialResponse)"
    static let transaction = ["MAIL FROM:<alice@example.com>", "RCPT TO:<bob@domain.com>"]

    static func all(for profile: ServerProfile) -> [Prefix] {
        switch profile {
        case .submission:
            return [
                Prefix(name: "greeted", lines: [ehlo]),
                Prefix(name: "in TLS", lines: [ehlo, "STARTTLS", ehlo]),
                Prefix(name: "authenticated", lines: [ehlo, "STARTTLS", ehlo, auth]),
                Prefix(name: "in a transaction", lines: [ehlo, "STARTTLS", ehlo, auth] + transaction),
                Prefix(name: "in DATA", lines: [ehlo, "STARTTLS", ehlo, auth] + transaction + ["DATA"]),
                Prefix(name: "in a BDAT chunk", lines: [ehlo, "STARTTLS", ehlo, auth] + transaction + ["BDAT 7 LAST"]),
            ]
        case .mx:
            // The MX offers no AUTH (RFC 4954 is for submission), so "authenticated" has no prefix here.
            return [
                Prefix(name: "greeted", lines: [ehlo]),
                Prefix(name: "in TLS", lines: [ehlo, "STARTTLS", ehlo]),
                Prefix(name: "in a transaction", lines: [ehlo] + transaction),
                Prefix(name: "in a transaction over TLS", lines: [ehlo, "STARTTLS", ehlo] + transaction),
                Prefix(name: "in DATA", lines: [ehlo] + transaction + ["DATA"]),
                Prefix(name: "in a BDAT chunk", lines: [ehlo] + transaction + ["BDAT 7 LAST"]),
                Prefix(name: "with a DSN request", lines: [ehlo, "MAIL FROM:<alice@example.com> RET=HDRS ENVID=x",
                                                           "RCPT TO:<bob@domain.com> NOTIFY=SUCCESS ORCPT=rfc822;bob@domain.com"]),
            ]
        }
    }
}

/// What the runs of one property test reached and checked (plain arrays indexed by position: this runs for every
/// line of every run).
struct Reach {
    /// States: how many runs were ever in each.
    static let states = ["greeted", "in TLS", "authenticated", "in a transaction", "in DATA", "in a BDAT chunk", "with a DSN request"]
    /// Invariants: how many times each was checked, over all runs.
    static let invariants = ["reply lines well formed", "RSET returns to greeted", "finished DATA returns to greeted",
                             "STARTTLS refused inside a transaction", "STARTTLS resets the session",
                             "BDAT LAST returns to greeted", "an accepted DSN request is kept with the message"]
    static let wellFormed = 0, rset = 1, dataEnd = 2, startTLSRefused = 3, startTLSReset = 4, bdatEnd = 5, dsnKept = 6

    var runs = 0
    var runsReaching = Array(repeating: 0, count: states.count)
    var checks = Array(repeating: 0, count: invariants.count)
    var runsEndedByQuitOrErrors = 0

    /// `visited`: bit i set when the run was in states[i].
    mutating func add(visited: Int, checks more: [Int], closed: Bool) {
        runs += 1
        for i in Self.states.indices where visited & (1 << i) != 0 { runsReaching[i] += 1 }
        for i in Self.invariants.indices { checks[i] += more[i] }
        if closed { runsEndedByQuitOrErrors += 1 }
    }

    func reached(_ state: String) -> Int { Self.states.firstIndex(of: state).map { runsReaching[$0] } ?? 0 }

    func report(_ title: String, expectedStates: [String]) -> String {
        var lines = ["\(title): \(runs) runs, \(runsEndedByQuitOrErrors) closed early by QUIT or errors"]
        for state in expectedStates {
            let n = reached(state)
            lines.append("  reached \(state): \(n) runs (\(runs == 0 ? 0 : n * 100 / runs) %)")
        }
        for (i, invariant) in Self.invariants.enumerated() { lines.append("  checked \(invariant): \(checks[i]) times") }
        return lines.joined(separator: "\n")
    }
}

@Suite("Property-based", .timeLimit(.minutes(2)))
struct PropertyTests {
    static let runsPerProfile = 3_000
    static let minimumShareOfRuns = 0.20
    /// Per profile, so at least 1,000 over the two (STARTTLS can reset a submission session once per run at most).
    static let minimumChecks = 500

    static func check(_ outputs: [SessionOutput], _ checks: inout [Int]) {
        for case .reply(let reply, _) in outputs {
            for line in reply.wireLines {
                let bytes = Array(line.utf8)
                // Checked tens of thousands of times per run: record an issue only on failure (an #expect per
                // line would dominate the run time).
                if bytes.count + 2 > 512 { Issue.record("reply line too long: \(line.prefix(60))") }
                let ok = bytes.count >= 4 && (UInt8(ascii: "2")...UInt8(ascii: "5")).contains(bytes[0])
                    && (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[1])
                    && (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[2])
                    && (bytes[3] == UInt8(ascii: " ") || bytes[3] == UInt8(ascii: "-"))
                if !ok { Issue.record("malformed reply line: \(line)") }
                checks[Reach.wellFormed] += 1
            }
        }
    }

    static func check(_ outputs: [SessionOutput]) {
        var ignored = Array(repeating: 0, count: Reach.invariants.count)
        check(outputs, &ignored)
    }

    /// The session's states as bits of `Reach.states`.
    static func states(of session: ServerSession) -> Int {
        var s = 0
        if session.phase != .connected && session.phase != .closed && session.clientName != nil { s |= 1 << 0 }
        if session.tlsActive { s |= 1 << 1 }
        if session.authenticatedUser != nil { s |= 1 << 2 }
        if session.inTransaction { s |= 1 << 3 }
        if session.phase == .data { s |= 1 << 4 }
        if session.chunkOctetsRemaining != nil { s |= 1 << 5 }
        if session.dsnRequested || session.dsnRecipients.contains(where: { $0.notify != nil || $0.orcpt != nil }) { s |= 1 << 6 }
        return s
    }

    @Test(arguments: ServerProfile.allCases)
    func randomCommandSequencesFromValidPrefixes(_ profile: ServerProfile) async {
        let prefixes = Prefix.all(for: profile)
        // The greeted prefix gets two tickets: only from there can STARTTLS succeed in the submission profile.
        let starts = [0] + Array(prefixes.indices)
        var reach = Reach()
        let picks = Gen.int(in: 0...(Fragments.tickets.count - 1)).array(of: 10...40)
        await propertyCheck(count: Self.runsPerProfile, input: Gen.int(in: 0...(starts.count - 1)), picks) { start, tickets in
            let (visited, checks, closed) = Self.runSequence(prefix: prefixes[starts[start]], tickets: tickets, profile: profile)
            reach.add(visited: visited, checks: checks, closed: closed)
        }
        let expected = profile == .mx ? Reach.states.filter { $0 != "authenticated" } : Reach.states
        print(reach.report("Property-based \(profile.rawValue)", expectedStates: expected))
        // A failing property stops the runs early; then the counts say nothing and the failure is reported above.
        guard reach.runs >= Self.runsPerProfile else {
            Issue.record("\(profile.rawValue): stopped after \(reach.runs) of \(Self.runsPerProfile) runs")
            return
        }
        for state in expected {
            let n = reach.reached(state)
            #expect(Double(n) >= Self.minimumShareOfRuns * Double(reach.runs),
                    "\(profile.rawValue): only \(n) of \(reach.runs) runs reached \(state)")
        }
        for (i, invariant) in Reach.invariants.enumerated() {
            let n = reach.checks[i]
            #expect(n >= Self.minimumChecks, "\(profile.rawValue): \(invariant) checked only \(n) times")
        }
    }

    /// Runs one sequence; returns the states it was in, how often each invariant was checked, and whether it closed.
    static func runSequence(prefix: Prefix, tickets: [Int], profile: ServerProfile) -> (Int, [Int], Bool) {
        var session = ServerSession(profile: profile)
        var checks = Array(repeating: 0, count: Reach.invariants.count)
        check(session.start(), &checks)
        for line in prefix.lines {
            let answer = replies(session.receiveLine(line))
            // A BDAT line is answered once its chunk has come (RFC 3030 §2): a prefix may end waiting for it.
            #expect((!answer.isEmpty || line.hasPrefix("BDAT")) && answer.allSatisfy { $0.isPositive }, "\(profile.rawValue) prefix \(prefix.name): \(line) → \(answer.map(\.code))")
        }
        var visited = states(of: session)
        // Whether the open transaction carries a DSN request the server accepted.
        var dsnAsked = session.dsnRequested || session.dsnRecipients.contains { $0.notify != nil || $0.orcpt != nil }
        for ticket in tickets {
            let line = Fragments.lines[Fragments.tickets[ticket]]
            let wasInTransaction = session.inTransaction
            // Inside a BDAT chunk a line is octets of the message, not a command (RFC 3030 §2).
            let inChunkBefore = session.chunkOctetsRemaining != nil
            let before = inChunkBefore ? .data : session.phase
            let outputs = session.receiveLine(line)
            check(outputs, &checks)
            let codes = replies(outputs).map(\.code)
            if before != .data && before != .auth && line == "STARTTLS" {
                if wasInTransaction {
                    #expect(!outputs.contains(.tlsStarted), "STARTTLS accepted inside a transaction")
                    #expect(session.inTransaction || session.isClosed, "a refused STARTTLS dropped the transaction")
                    checks[Reach.startTLSRefused] += 1
                }
                if outputs.contains(.tlsStarted) {
                    #expect(session.phase == .connected && !session.inTransaction && session.authenticatedUser == nil
                            && session.clientName == nil && session.recipients.isEmpty)
                    checks[Reach.startTLSReset] += 1
                }
            }
            if before != .data && before != .auth && line == "RSET" && codes == [250] {
                #expect(session.phase == before || session.phase == .greeted, "RSET moved \(before) to \(session.phase)")
                if before != .connected { #expect(session.phase == .greeted) }
                #expect(session.recipients.isEmpty && session.reversePath == nil)
                checks[Reach.rset] += 1
            }
            if let delivered = outputs.lazy.compactMap({ if case .delivered(let m) = $0 { return m }; return nil }).first {
                #expect((delivered.dsn != nil) == dsnAsked, "DSN request \(dsnAsked ? "lost" : "invented") on the way to the store")
                checks[Reach.dsnKept] += 1
            }
            if codes.contains(where: { $0 < 400 }), before != .data, before != .auth,
               line.hasPrefix("MAIL FROM:") && (line.contains("RET=") || line.contains("ENVID="))
               || line.hasPrefix("RCPT TO:") && (line.contains("NOTIFY=") || line.contains("ORCPT=")) { dsnAsked = true }
            if !session.inTransaction { dsnAsked = false }
            if inChunkBefore, let end = outputs.firstIndex(where: { if case .reply(_, .messageEnd) = $0 { return true }; return false }) {
                // The chunk ended the message (LAST): the transaction is over, whatever the rest of the line did.
                #expect(!session.isClosed || outputs[end...].contains(.closed))
                #expect(session.recipients.isEmpty || session.phase == .mail || session.phase == .rcpt,
                        "BDAT LAST left recipients behind in \(session.phase)")
                checks[Reach.bdatEnd] += 1
            }
            if before == .data && !inChunkBefore && line == "." && !session.isClosed {
                #expect(session.phase == .greeted, "a finished DATA left the session in \(session.phase)")
                #expect(session.recipients.isEmpty && session.reversePath == nil)
                #expect(codes.count == 1)
                checks[Reach.dataEnd] += 1
            }
            visited |= states(of: session)
            if session.isClosed { break }
        }
        return (visited, checks, session.isClosed)
    }

    @Test func randomBytes() async {
        await propertyCheck(count: 300, input: Gen.uint8(in: 0...255).array(of: 0...3000), Gen.int(in: 1...97)) { bytes, chunk in
            var session = ServerSession(profile: .mx)
            _ = session.start()
            var i = 0
            while i < bytes.count {
                Self.check(session.receive(bytes[i..<min(bytes.count, i + chunk)]))
                i += chunk
            }
            Self.check(session.endOfInput())
            #expect(session.isClosed)
        }
    }

    @Test(arguments: ServerProfile.allCases)
    func randomBytesInsideData(_ profile: ServerProfile) async throws {
        let prefix = try #require(Prefix.all(for: profile).first { $0.name == "in DATA" }).lines
        await propertyCheck(count: 300, input: Gen.uint8(in: 0...255).array(of: 0...5000)) { bytes in
            var session = ServerSession(profile: profile)
            _ = session.start()
            for line in prefix { _ = session.receiveLine(line) }
            #expect(session.phase == .data)
            Self.check(session.receive(bytes))
            Self.check(session.receive(Array("\r\n.\r\n".utf8)))
            #expect(session.phase == .greeted || session.isClosed)
        }
    }
}
