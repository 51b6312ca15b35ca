// A libFuzzer target for the SMTP engine. Not part of the Swift package (so `swift test` never builds it):
// Scripts/fuzz-engine compiles it together with Sources/SMTPCore into one module with
// `swiftc -sanitize=fuzzer,address -parse-as-library` and runs it.
//
// Input: byte 0 chooses the setup (bit 0: mx profile instead of submission; bit 1: start logged in on submission;
// bit 2: the tight-limits scenario; bit 3: RFC 2920's synchronization check on; bit 4: trust — the mx checks SPF,
// DKIM and DMARC against the world's DNS, submission DKIM-signs), byte 1 seeds the chunking, the rest is what the
// client sends. The same bytes
// go to two sessions: A gets them in pseudo-random chunks of 1–64 octets, B line by line. Checked, and trapped on
// (libFuzzer then saves the input as a crash):
//   - no crash, no sanitizer report (ASan), and memory stays bounded;
//   - every reply line matches ^[2-5][0-9][0-9][ -] and is at most 512 octets with its CRLF;
//   - a 250 to RSET, and the end of a message (DATA's dot or BDAT LAST), leave the session greeted;
//   - no transaction spans STARTTLS: after the handshake there is no sender, no recipient and no login;
//   - the chunking changes nothing: A and B give the same outputs, up to the first STARTTLS (after it, RFC 3207
//     makes the server drop whatever plaintext shared the packet, which depends on the chunking) — with the
//     synchronization check off; with it on, what arrived together is exactly what it judges, so the chunkings
//     may differ, but B (one line per read) never meets it and A's outputs, up to a 554 5.5.0, are B's;
//   - after the session closes it says nothing more.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum EngineFuzz {
    struct Setup {
        let profile: ServerProfile
        let loggedIn: Bool
        let tight: Bool
        let synchronized: Bool
        let trust: Bool
        let chunkSeed: UInt64
    }

    static func setup(_ header: UnsafeBufferPointer<UInt8>) -> Setup {
        let flags = header.count > 0 ? header[0] : 0
        let seed = header.count > 1 ? UInt64(header[1]) : 0
        return Setup(profile: flags & 1 == 1 ? .mx : .submission, loggedIn: flags & 2 == 2, tight: flags & 4 == 4,
                     synchronized: flags & 8 == 8, trust: flags & 16 == 16, chunkSeed: seed &* 0x9E37_79B9_7F4A_7C15 | 1)
    }

    static func fail(_ why: String) -> Never {
        fputs("engine invariant broken: \(why)\n", stderr)
        abort()
    }

    static func newSession(_ s: Setup) -> ServerSession {
        var world = World.standard
        if s.tight, let tight = world.scenario(named: "tight-limits") { world.scenario = tight }
        if s.trust {
            world.trust = TrustChecks(zone: MailNetwork.standardZone)
            world.signer = World.exampleComSigner
        }
        var session = ServerSession(world: world, profile: s.profile)
        session.enforcesPipelining = s.synchronized
        _ = session.start()
        if s.loggedIn && s.profile == .submission {
            for line in SessionPreamble.authenticated.clientLines { _ = session.receiveLine(line) }
        }
        return session
    }

    static func checkReplies(_ outputs: [SessionOutput]) {
        for case .reply(let reply, _) in outputs {
            for line in reply.wireLines {
                let b = Array(line.utf8)
                guard b.count + 2 <= 512 else { fail("reply line of \(b.count + 2) octets: \(line.prefix(80))") }
                guard b.count >= 4, (0x32...0x35).contains(b[0]), (0x30...0x39).contains(b[1]), (0x30...0x39).contains(b[2]),
                      b[3] == 0x20 || b[3] == 0x2D else { fail("malformed reply line: \(line.prefix(80))") }
            }
        }
    }

    /// Feeds one piece to session B and checks the invariants that need the state before and after it. Each
    /// piece ends at a line feed, so it completes at most one command.
    static func feedChecked(_ session: inout ServerSession, _ piece: ArraySlice<UInt8>) -> [SessionOutput] {
        let wasClosed = session.isClosed
        let outputs = session.receive(piece)
        if wasClosed && !outputs.isEmpty { fail("output after the session closed") }
        checkReplies(outputs)
        let last = outputs.last { if case .reply = $0 { return true } else { return false } }
        if outputs.contains(.tlsStarted) {
            guard session.phase == .connected || session.isClosed, session.reversePath == nil, session.recipients.isEmpty,
                  session.authenticatedUser == nil, session.tlsActive else { fail("a transaction or login spans STARTTLS") }
        }
        if case .reply(let reply, let cause)? = last, !session.isClosed {
            if cause == .command(verb: "RSET"), reply.code == 250 {
                guard session.phase == .greeted || session.phase == .connected, session.recipients.isEmpty,
                      session.reversePath == nil else { fail("RSET left phase \(session.phase)") }
            }
            if cause == .messageEnd, session.chunkOctetsRemaining == nil {
                guard session.phase == .greeted else { fail("the end of a message left phase \(session.phase)") }
            }
        }
        // Memory stays bounded whatever is sent: the body never grows past the size limit plus one line.
        guard session.body.count <= session.world.scenario.maxMessageSize + ServerSession.textLineLimit + 2 else {
            fail("body buffer grew to \(session.body.count)")
        }
        return outputs
    }

    static func run(_ data: UnsafeBufferPointer<UInt8>) {
        let s = setup(UnsafeBufferPointer(rebasing: data.prefix(2)))
        let stream = Array(data.dropFirst(2))

        // B: line by line, with the per-command checks.
        var b = newSession(s)
        var outB: [SessionOutput] = []
        var start = 0
        while start < stream.count {
            let end = stream[start...].firstIndex(of: 0x0A).map { $0 + 1 } ?? stream.count
            outB += feedChecked(&b, stream[start..<end])
            start = end
        }
        outB += b.endOfInput()
        guard b.isClosed else { fail("endOfInput did not close") }

        // A: pseudo-random chunks.
        var a = newSession(s)
        var outA: [SessionOutput] = []
        var x = s.chunkSeed
        start = 0
        while start < stream.count {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17
            let end = min(stream.count, start + 1 + Int(x % 64))
            let piece = a.receive(stream[start..<end])
            checkReplies(piece)
            outA += piece
            start = end
        }
        outA += a.endOfInput()

        func upToTLS(_ outputs: [SessionOutput]) -> ArraySlice<SessionOutput> {
            guard let tls = outputs.firstIndex(of: .tlsStarted) else { return outputs[...] }
            return outputs[...tls]
        }
        var (pa, pb) = (upToTLS(outA), upToTLS(outB))
        if s.synchronized {
            guard !outB.contains(where: { if case .reply(let r, _) = $0 { return r.enhanced == EnhancedStatusCode(5, 5, 0) && r.code == 554 }; return false }) else {
                fail("one line per read met the synchronization check")
            }
            guard let refusal = pa.firstIndex(where: { if case .reply(let r, _) = $0 { return r.code == 554 && r.enhanced == EnhancedStatusCode(5, 5, 0) }; return false }) else {
                if pa != pb.prefix(pa.count) { fail("with the check on but never met, the chunking changed the outputs") }
                return
            }
            // What came before the hang-up is what one line per read got, except the reply the 554 replaced.
            pa = pa[..<refusal]
            guard pa == pb.prefix(pa.count) else { fail("before the 554 5.5.0 the chunkings disagree") }
            return
        }
        if !outA.contains(.tlsStarted) && !outB.contains(.tlsStarted) {
            guard pa == pb else { fail("chunking changed the outputs (\(pa.count) vs \(pb.count))") }
        } else {
            // Up to and including the handshake the two must agree.
            let n = min(pa.count, pb.count)
            guard pa.prefix(n) == pb.prefix(n) else { fail("chunking changed the outputs before STARTTLS") }
        }
    }

    /// Seed inputs made from the transcripts the tests replay: every catalogue example, every status-code recipe,
    /// and a few whole sessions (DATA, pipelined BDAT with binary content, DSN, STARTTLS, an error flood).
    static func seeds() -> [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        func lines(_ l: [String]) -> [UInt8] { Array(l.map { $0 + "\r\n" }.joined().utf8) }
        func header(_ profile: ServerProfile, _ preamble: SessionPreamble, _ n: Int) -> ([UInt8], [String]) {
            let loggedIn = preamble == .authenticated || preamble == .mailStarted || preamble == .recipientAdded
            let flags: UInt8 = (profile == .mx ? 1 : 0) | (loggedIn ? 2 : 0)
            let after: [String]
            switch preamble {
            case .mailStarted: after = ["MAIL FROM:<alice@example.com>"]
            case .recipientAdded: after = ["MAIL FROM:<alice@example.com>", "RCPT TO:<bob@domain.com>"]
            default: after = loggedIn ? [] : preamble.clientLines
            }
            return ([flags, UInt8(truncatingIfNeeded: n &* 37)], after)
        }
        for (i, entry) in CommandCatalogue.all.enumerated() {
            let (h, pre) = header(.submission, entry.preamble, i)
            let typed = entry.example.compactMap { if case .client(let l) = $0 { return l } else { return nil } }
            out["catalogue-\(entry.id.replacingSpaces)"] = h + lines(pre + typed)
        }
        for (i, entry) in StatusCatalogue.all.enumerated() {
            let (h, pre) = header(.submission, entry.trigger.preamble, i)
            out["status-\(entry.code)"] = h + lines(pre + entry.trigger.lines)
        }
        let mx = ["EHLO a.example", "MAIL FROM:<x@a.example>", "RCPT TO:<bob@domain.com>", "DATA", "hello", "..dot", ".", "QUIT"]
        out["mx-data"] = [1, 7] + lines(mx)
        let binary: [UInt8] = [0x00, 0xFF, 0x0D, 0x41, 0x0A, 0x2E, 0x0D, 0x0A, 0x2E]
        out["mx-bdat-binary"] = [1, 3] + lines(["EHLO a", "MAIL FROM:<a@b.example> RET=HDRS ENVID=x+2B1",
                                               "RCPT TO:<bob@domain.com> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob+40domain.com"])
            + Array("BDAT 9\r\n".utf8) + binary + Array("BDAT 9 LAST\r\n".utf8) + binary + lines(["DATA", "RSET", "QUIT"])
        out["mx-vrfy-tolerances"] = [1, 9] + lines(["STARTTLS", "EHLO x", "VRFY bob", "MAIL  FROM:  <a@b.example>>",
                                                   "MAIL FROM:<\"a\"@[192.0.2.1]>", "RCPT TO:<bob>", "RCPT TO:<>", "HELP"])
        out["flood"] = [5, 1] + lines(Array(repeating: "BOGUS", count: 25))
        // Trust: signed and unsigned messages at an MX that checks, and a message signed on submission.
        let signature = "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=rsa2026; t=1; h=from:subject; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=AAAA"
        out["mx-trust-forged"] = [17, 11] + lines(["EHLO mail.mallory.test", "MAIL FROM:<m@mallory.test>", "RCPT TO:<bob@domain.com>", "DATA",
                                                   signature, " x", "From: Alice <alice@example.com>", "Subject: hi", "", "body", ".", "QUIT"])
        out["submission-trust-signed"] = [18, 13] + lines(["MAIL FROM:<alice@example.com>", "RCPT TO:<bob@domain.com>", "DATA",
                                                           "From: Alice <alice@example.com>", "Subject: signed", "", "hello", ".", "QUIT"])
        return out
    }
}

private extension String {
    var replacingSpaces: String { String(map { $0 == " " ? "-" : $0 }) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func engineFuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    EngineFuzz.run(UnsafeBufferPointer(start: data, count: size))
    return 0
}

/// With ENGINE_FUZZ_WRITE_SEEDS=DIR set, writes the seed corpus to DIR and exits (Scripts/fuzz-engine uses it).
@_cdecl("LLVMFuzzerInitialize")
public func engineFuzzInitialize(_ argc: UnsafeMutablePointer<CInt>?, _ argv: UnsafeMutableRawPointer?) -> CInt {
    guard let dir = getenv("ENGINE_FUZZ_WRITE_SEEDS").map({ String(cString: $0) }) else { return 0 }
    for (name, bytes) in EngineFuzz.seeds() {
        guard let file = fopen("\(dir)/\(name)", "w") else { continue }
        _ = bytes.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, file) }
        fclose(file)
    }
    exit(0)
}
