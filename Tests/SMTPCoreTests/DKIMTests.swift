// DKIM against the RFCs' own examples: RFC 6376 §3.4.5's canonicalization example and RFC 8463 Appendix A's
// message, signed twice (Ed25519 and RSA) with published keys. The expected octets and signatures are the RFCs',
// not this code's output.
import Testing
@testable import SMTPCore

@Suite("DKIM: canonicalization, signing and verifying (RFC 6376, RFC 8463)")
struct DKIMTests {
    /// RFC 8463 Appendix A.3, byte for byte (CRLF line ends; continuation lines start with one space).
    static let rfc8463Signed = [
        "DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;",
        " d=football.example.com; i=@football.example.com;",
        " q=dns/txt; s=brisbane; t=1528637909; h=from : to :",
        " subject : date : message-id : from : subject : date;",
        " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;",
        " b=/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11Bus",
        " Fa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==",
        "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;",
        " d=football.example.com; i=@football.example.com;",
        " q=dns/txt; s=test; t=1528637909; h=from : to : subject :",
        " date : message-id : from : subject : date;",
        " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;",
        " b=F45dVWDfMbQDGHJFlXUNB2HKfbCeLRyhDXgFpEL8GwpsRe0IeIixNTe3",
        " DhCVlUrSjV4BwcVcOF6+FF3Zo9Rpo1tFOeS9mPYQTnGdaSGsgeefOsk2Jz",
        " dA+L10TeYt9BgDfQNZtKdN1WO//KgIqXP7OdEFE4LjFYNcUxZQ4FADY+8=",
        "From: Joe SixPack <joe@football.example.com>",
        "To: Suzie Q <suzie@shopping.example.net>",
        "Subject: Is dinner ready?",
        "Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)",
        "Message-ID: <20030712040037.46341.5F8J@football.example.com>",
        "",
        "Hi.",
        "",
        "We lost the game.  Are you hungry yet?",
        "",
        "Joe.",
        "",
    ].map { $0 + "\r\n" }.joined()

    /// RFC 8463 Appendix A.2's key records.
    static let rfc8463Keys: [String: String] = [
        "brisbane._domainkey.football.example.com": "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
        "test._domainkey.football.example.com": "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWR"
            + "iGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutAC"
            + "DfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3"
            + "Ip3G+2kryOTIKT+l/K4w3QIDAQAB",
    ]

    static func lookup(_ keys: [String: String]) -> (String) -> [String] {
        { name in keys[name.lowercased()].map { [$0] } ?? [] }
    }

    @Test("RFC 6376 §3.4.5: the canonicalization example, header and body, relaxed and simple")
    func canonicalizationExample() {
        let message = Array("A: X\r\nB : Y\t\r\n\tZ  \r\n\r\n C \r\nD \t E\r\n\r\n\r\n".utf8)
        let (fields, body) = MessageOctets.split(message)
        #expect(fields.map(\.name) == ["A", "B"])
        func header(_ c: DKIMCanonicalization) -> String { String(decoding: fields.flatMap { c.header($0) }, as: UTF8.self) }
        #expect(header(.relaxed) == "a:X\r\nb:Y Z\r\n")
        #expect(header(.simple) == "A: X\r\nB : Y\t\r\n\tZ  \r\n")
        #expect(String(decoding: DKIMCanonicalization.relaxed.body(body), as: UTF8.self) == " C\r\nD E\r\n")
        #expect(String(decoding: DKIMCanonicalization.simple.body(body), as: UTF8.self) == " C \r\nD \t E\r\n")
        // §3.4.3/§3.4.4: an empty body is one CRLF under simple, nothing under relaxed.
        #expect(DKIMCanonicalization.simple.body([]) == [0x0D, 0x0A])
        #expect(DKIMCanonicalization.relaxed.body([]) == [])
    }

    @Test("RFC 8463 Appendix A: both published signatures verify with the published keys")
    func rfc8463Verifies() {
        let results = DKIMVerifier.verify(Array(Self.rfc8463Signed.utf8), txt: Self.lookup(Self.rfc8463Keys), now: 1_600_000_000)
        #expect(results.map(\.outcome) == [.pass, .pass])
        #expect(results.map(\.selector) == ["brisbane", "test"])
        #expect(results.allSatisfy { $0.domain == "football.example.com" })
    }

    @Test("RFC 8463 Appendix A: signing the same data with the published Ed25519 key gives the published b=")
    func rfc8463SignatureReproduced() throws {
        let message = Array(Self.rfc8463Signed.utf8)
        let (fields, _) = MessageOctets.split(message)
        let signatureField = try #require(fields.first)
        let signature = try DKIMSignature(field: signatureField)
        let data = DKIMVerifier.signedData(fields: fields, names: signature.signedHeaders, canonicalization: .relaxed,
                                           signatureField: signatureField)
        // What is signed: the five fields (From, Subject and Date named twice, the second time adding nothing),
        // then the signature field with b= emptied and no CRLF.
        #expect(String(decoding: data, as: UTF8.self).hasPrefix("from:Joe SixPack <joe@football.example.com>\r\nto:Suzie Q <suzie@shopping.example.net>\r\nsubject:Is dinner ready?\r\n"))
        #expect(String(decoding: data, as: UTF8.self).hasSuffix("bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=; b="))
        let seed = try #require(Base64.decode("nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A="))  // RFC 8463 A.1
        let b = try TrustCrypto.sign(data, with: .ed25519(seed: seed))
        #expect(Base64.encode(b) == "/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11BusFa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==")
    }

    @Test("A changed body fails the body hash; a changed signed field fails the signature; an unsigned field may be added")
    func tampering() {
        let keys = Self.lookup(Self.rfc8463Keys)
        func outcomes(_ text: String) -> [DKIMResult.Outcome] {
            DKIMVerifier.verify(Array(text.utf8), txt: keys, now: 1_600_000_000).map(\.outcome)
        }
        let body = DKIMVerifier.verify(Array(Self.rfc8463Signed.replacingFirst("hungry", "angry").utf8), txt: keys, now: 1_600_000_000)
        #expect(body.map(\.outcome) == [.fail, .fail])
        #expect(body.allSatisfy { $0.reason.hasPrefix("body hash did not verify") })
        #expect(outcomes(Self.rfc8463Signed.replacingFirst("dinner", "lunch")) == [.fail, .fail])
        #expect(outcomes(Self.rfc8463Signed.replacingFirst("Message-ID:", "X-Mailer: any\r\nMessage-ID:")) == [.pass, .pass])
        // Relaxed canonicalization forgives what servers do to whitespace and header-name case.
        #expect(outcomes(Self.rfc8463Signed.replacingFirst("Subject: Is", "SUBJECT:   Is")) == [.pass, .pass])
    }

    @Test("Keys decide too: none published, revoked, of the other type, or the signature's algorithm refused")
    func keyProblems() {
        let message = Array(Self.rfc8463Signed.utf8)
        func first(_ keys: [String: String]) -> DKIMResult? { DKIMVerifier.verify(message, txt: Self.lookup(keys), now: 0).first }
        #expect(first([:])?.outcome == .permerror)
        #expect(first([:])?.reason == "no key at brisbane._domainkey.football.example.com")
        #expect(first(["brisbane._domainkey.football.example.com": "v=DKIM1; k=ed25519; p="])?.reason.contains("revoked") == true)
        #expect(first(["brisbane._domainkey.football.example.com": Self.rfc8463Keys["test._domainkey.football.example.com"] ?? ""])?.outcome == .permerror)
        let sha1 = DKIMVerifier.verify(Array(Self.rfc8463Signed.replacingFirst("a=rsa-sha256", "a=rsa-sha1").utf8), txt: Self.lookup(Self.rfc8463Keys), now: 0)
        #expect(sha1.map(\.outcome) == [.pass, .permerror])
    }

    @Test("The signer's output verifies, also after a relay re-folds nothing but adds a Received: above it")
    func signAndVerify() throws {
        let signer = World.exampleComSigner
        let message = Array("From: Alice <alice@example.com>\r\nTo: Bob <bob@domain.com>\r\nSubject: Hi\r\n\r\nHello Bob.\r\n".utf8)
        let field = try signer.signatureField(for: message, timestamp: 1_796_029_200)
        #expect(field.hasPrefix("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=\(signer.selector);"))
        #expect(field.contains("h=from:to:subject;"))
        let signed = DKIMSigner.crlf(field) + [0x0D, 0x0A] + message
        let zone = MailNetwork.standard.dns
        let results = DKIMVerifier.verify(Array("Received: from x by y; Mon, 30 Nov 2026 09:00:00 +0000\r\n".utf8) + signed,
                                          txt: zone.txt, now: 1_796_029_200)
        #expect(results.map(\.outcome) == [.pass])
        var changed = signed
        let at = try #require(changed.lastIndex(of: UInt8(ascii: "B")))  // the B of "Bob." in the body
        changed[at] = UInt8(ascii: "R")
        #expect(DKIMVerifier.verify(changed, txt: zone.txt, now: 0).map(\.outcome) == [.fail])
    }

    @Test("The world's published key is the public half of the embedded TEST private key")
    func worldKeyMatches() throws {
        let record = try #require(MailNetwork.standard.dns.txt("\(World.exampleComSigner.selector)._domainkey.example.com").first)
        let key = try #require(DKIMKeyRecord(record))
        #expect(key.keyType == "rsa")
        #expect(key.publicKey == (try TrustCrypto.rsaPublicKey(pem: World.testSigningKeyPEM)))
    }
}

extension String {
    func replacingFirst(_ target: String, _ replacement: String) -> String {
        guard let r = firstRange(of: target) else { return self }
        return String(self[..<r.lowerBound]) + replacement + String(self[r.upperBound...])
    }
}
