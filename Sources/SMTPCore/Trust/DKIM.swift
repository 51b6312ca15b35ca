// DKIM (RFC 6376): a domain signs a message's body and chosen header fields; any receiver fetches the public key
// from the domain's DNS (selector._domainkey.domain TXT) and checks that nothing signed changed on the way. This
// file holds the octet-level work: splitting a message into fields and body, the two canonicalizations (§3.4), the
// tag lists (§3.2), signing (§5) and verifying (§6). The arithmetic is swift-crypto's (TrustCrypto.swift).

/// One header field as octets: its name, and the whole field (continuation lines included, joined by CRLF)
/// without its final CRLF.
public struct HeaderField: Sendable, Equatable {
    public let name: String
    public let raw: [UInt8]
    /// The value after the colon, unfolded, with surrounding whitespace removed.
    public var value: String {
        guard let colon = raw.firstIndex(of: UInt8(ascii: ":")) else { return "" }
        let unfolded = raw[(colon + 1)...].filter { $0 != 0x0D && $0 != 0x0A }
        return String(decoding: unfolded, as: UTF8.self).trimmingWhitespace()
    }
}

public enum MessageOctets {
    /// Splits a message into its header fields and its body (the octets after the empty line). Lines end in CRLF;
    /// a bare LF is read as one too, and the fields and body come back with CRLF line ends.
    public static func split(_ message: [UInt8]) -> (fields: [HeaderField], body: [UInt8]) {
        var fields: [HeaderField] = []
        var at = 0
        var bodyStart = message.count
        while at < message.count {
            let lf = message[at...].firstIndex(of: 0x0A) ?? message.count
            var end = lf
            if end > at, message[end - 1] == 0x0D { end -= 1 }
            let line = message[at..<end]
            let next = min(message.count, lf + 1)
            if line.isEmpty { bodyStart = next; break }
            if let first = line.first, first == 0x20 || first == 0x09, let last = fields.popLast() {
                fields.append(HeaderField(name: last.name, raw: last.raw + [0x0D, 0x0A] + line))
            } else {
                let colon = line.firstIndex(of: UInt8(ascii: ":")) ?? line.endIndex
                let name = String(decoding: line[..<colon], as: UTF8.self).trimmingWhitespace()
                fields.append(HeaderField(name: name, raw: Array(line)))
            }
            at = next
        }
        return (fields, bodyStart < message.count ? withCRLF(Array(message[bodyStart...])) : [])
    }

    /// The same octets with every bare LF written as CRLF.
    static func withCRLF(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.contains(0x0A) else { return bytes }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 16)
        for (i, b) in bytes.enumerated() {
            if b == 0x0A, i == 0 || bytes[i - 1] != 0x0D { out.append(0x0D) }
            out.append(b)
        }
        return out
    }

    /// A message put back together from fields and a body.
    public static func join(_ fields: [HeaderField], body: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        for f in fields { out += f.raw + [0x0D, 0x0A] }
        return out + [0x0D, 0x0A] + body
    }
}

/// The two canonicalizations of RFC 6376 §3.4: "simple" tolerates no change at all; "relaxed" tolerates what
/// mail servers commonly do to a message (case of header names, folding and runs of whitespace).
public enum DKIMCanonicalization: String, Sendable, Equatable {
    case simple, relaxed

    static func isWSP(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }

    /// §3.4.1 (simple: the field unchanged) and §3.4.2 (relaxed: the name in lower case, the value unfolded, each
    /// run of whitespace one space, none at the ends nor around the colon), followed by CRLF.
    public func header(_ field: HeaderField) -> [UInt8] {
        if self == .simple { return field.raw + [0x0D, 0x0A] }
        let colon = field.raw.firstIndex(of: UInt8(ascii: ":")) ?? field.raw.endIndex
        var out = Array(field.name.lowercased().utf8) + [UInt8(ascii: ":")]
        var pendingSpace = false, started = false
        for b in field.raw[min(field.raw.count, colon + 1)...] where b != 0x0D && b != 0x0A {
            if Self.isWSP(b) { pendingSpace = true; continue }
            if pendingSpace && started { out.append(0x20) }  // none between the colon and the value
            pendingSpace = false
            started = true
            out.append(b)
        }
        return out + [0x0D, 0x0A]
    }

    /// §3.4.3 (simple: the empty lines at the end removed; an empty body is one CRLF) and §3.4.4 (relaxed: also
    /// whitespace at the end of each line removed and each run of it made one space; an empty body stays empty).
    /// `body` has CRLF line ends.
    public func body(_ body: [UInt8]) -> [UInt8] {
        var lines: [ArraySlice<UInt8>] = []
        var at = 0
        while at < body.count {
            let lf = body[at...].firstIndex(of: 0x0A) ?? body.count
            var end = lf
            if end > at, end <= body.count, body[end - 1] == 0x0D { end -= 1 }
            lines.append(body[at..<end])
            at = lf + 1
        }
        var out: [UInt8] = []
        var kept: [[UInt8]] = lines.map { line in
            guard self == .relaxed else { return Array(line) }
            var l: [UInt8] = []
            var pendingSpace = false
            for b in line {
                if Self.isWSP(b) { pendingSpace = true; continue }
                if pendingSpace { l.append(0x20) }
                pendingSpace = false
                l.append(b)
            }
            return l
        }
        while let last = kept.last, last.isEmpty { kept.removeLast() }
        if kept.isEmpty { return self == .simple ? [0x0D, 0x0A] : [] }
        for line in kept { out += line + [0x0D, 0x0A] }
        return out
    }
}

/// A tag=value list (RFC 6376 §3.2): tags are case-sensitive, each at most once, whitespace around them ignored.
public struct DKIMTagList: Sendable, Equatable {
    public let tags: [(name: String, value: String)]

    public static func == (a: DKIMTagList, b: DKIMTagList) -> Bool {
        a.tags.map(\.name) == b.tags.map(\.name) && a.tags.map(\.value) == b.tags.map(\.value)
    }

    public subscript(_ name: String) -> String? { tags.first { $0.name == name }?.value }

    /// Nil when the text is not a tag list or names a tag twice.
    public init?(_ text: String) {
        var tags: [(String, String)] = []
        for part in text.split(separator: ";", omittingEmptySubsequences: false) {
            let trimmed = part.trimmingWhitespace()
            if trimmed.isEmpty { continue }  // an empty last entry (a trailing ";") is allowed
            guard let eq = trimmed.firstIndex(of: "=") else { return nil }
            let name = trimmed[..<eq].trimmingWhitespace()
            let value = trimmed[trimmed.index(after: eq)...].trimmingWhitespace()
            guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }),
                  !tags.contains(where: { $0.0 == name }) else { return nil }
            tags.append((name, value))
        }
        self.tags = tags
    }

    /// A value with all whitespace removed (base64 values may be folded anywhere, §3.5).
    static func compact(_ value: String) -> String {
        String(String.UnicodeScalarView(value.unicodeScalars.filter { $0 != " " && $0 != "\t" && $0 != "\r" && $0 != "\n" }))
    }
}

/// A DKIM-Signature field read into its tags (RFC 6376 §3.5).
public struct DKIMSignature: Sendable, Equatable {
    public let algorithm: DKIMAlgorithm
    public let signature: [UInt8]
    public let bodyHash: [UInt8]
    public let headerCanonicalization: DKIMCanonicalization
    public let bodyCanonicalization: DKIMCanonicalization
    /// d=: the signing domain, the one DMARC aligns.
    public let domain: String
    /// s=: the selector; the key is at selector._domainkey.domain.
    public let selector: String
    /// h=: the signed header fields, lower-cased, in order.
    public let signedHeaders: [String]
    public let identity: String?
    public let bodyLength: Int?
    public let timestamp: Int?
    public let expiration: Int?

    public var keyName: String { "\(selector)._domainkey.\(domain)" }

    public enum ParseError: Error, Equatable { case malformed(String), unsupported(String) }

    public init(field: HeaderField) throws {
        guard let tags = DKIMTagList(field.value) else { throw ParseError.malformed("not a tag list, or a tag given twice") }
        guard tags["v"] == "1" else { throw ParseError.malformed("v= is not 1") }
        guard let a = tags["a"] else { throw ParseError.malformed("no a=") }
        guard let algorithm = DKIMAlgorithm(rawValue: a.lowercased()) else {
            // RFC 8301 §3.1: rsa-sha1 must no longer be accepted.
            throw ParseError.unsupported("a=\(a) is not accepted (RFC 8301)")
        }
        guard let b = tags["b"].flatMap({ Base64.decode(DKIMTagList.compact($0)) }), !b.isEmpty else { throw ParseError.malformed("no valid b=") }
        guard let bh = tags["bh"].flatMap({ Base64.decode(DKIMTagList.compact($0)) }) else { throw ParseError.malformed("no valid bh=") }
        guard let d = tags["d"], !d.isEmpty, let s = tags["s"], !s.isEmpty else { throw ParseError.malformed("no d= or s=") }
        guard let h = tags["h"] else { throw ParseError.malformed("no h=") }
        let headers = h.split(separator: ":").map { DKIMTagList.compact(String($0)).lowercased() }
        // §5.4: From must be signed.
        guard headers.contains("from") else { throw ParseError.malformed("h= does not include From") }
        let canon = (tags["c"] ?? "simple/simple").lowercased().split(separator: "/", omittingEmptySubsequences: false)
        guard let hc = DKIMCanonicalization(rawValue: String(canon.first ?? "simple")),
              let bc = DKIMCanonicalization(rawValue: canon.count > 1 ? String(canon[1]) : "simple"), canon.count <= 2 else {
            throw ParseError.malformed("c= is not simple or relaxed")
        }
        if let i = tags["i"] {
            // §3.5: the identity's domain is d= or a subdomain of it.
            let idDomain = i.split(separator: "@", omittingEmptySubsequences: false).last.map { $0.lowercased() } ?? ""
            guard idDomain == d.lowercased() || idDomain.hasSuffix("." + d.lowercased()) else {
                throw ParseError.malformed("i= is not within d=")
            }
        }
        if let q = tags["q"], !q.lowercased().split(separator: ":").contains("dns/txt") {
            throw ParseError.unsupported("q=\(q): only dns/txt keys exist")
        }
        self.algorithm = algorithm
        signature = b; bodyHash = bh
        headerCanonicalization = hc; bodyCanonicalization = bc
        domain = d.lowercased(); selector = s
        signedHeaders = headers
        identity = tags["i"]
        bodyLength = tags["l"].flatMap { Int($0) }
        timestamp = tags["t"].flatMap { Int($0) }
        expiration = tags["x"].flatMap { Int($0) }
    }
}

/// A key record (RFC 6376 §3.6.1) read from selector._domainkey.domain.
public struct DKIMKeyRecord: Sendable, Equatable {
    public let keyType: String
    /// Empty when the key was revoked (p= with no value).
    public let publicKey: [UInt8]
    /// t=s: the signature's i= must be in d= itself, not a subdomain.
    public let strict: Bool
    /// t=y: the domain is testing DKIM (verifiers treat a failure no differently than none).
    public let testing: Bool

    public init?(_ text: String) {
        guard let tags = DKIMTagList(text) else { return nil }
        if let v = tags["v"] { guard v == "DKIM1", tags.tags.first?.name == "v" else { return nil } }
        if let h = tags["h"], !h.split(separator: ":").contains(where: { DKIMTagList.compact(String($0)).lowercased() == "sha256" }) { return nil }
        if let s = tags["s"], !s.split(separator: ":").contains(where: { ["*", "email"].contains(DKIMTagList.compact(String($0)).lowercased()) }) { return nil }
        guard let p = tags["p"], let key = Base64.decode(DKIMTagList.compact(p)) else { return nil }
        keyType = (tags["k"] ?? "rsa").lowercased()
        publicKey = key
        let flags = (tags["t"] ?? "").split(separator: ":").map { DKIMTagList.compact(String($0)).lowercased() }
        strict = flags.contains("s")
        testing = flags.contains("y")
    }
}

/// What a verifier found for one signature, in RFC 8601's words (§2.7.1).
public struct DKIMResult: Sendable, Equatable {
    public enum Outcome: String, Sendable, Equatable { case pass, fail, neutral, temperror, permerror }
    public let outcome: Outcome
    public let domain: String
    public let selector: String
    /// Why, in a few words: "body hash did not verify", "signature verified", "no key at …".
    public let reason: String
    /// The key's DNS name, when a key was looked up.
    public let keyName: String?
}

/// A domain's signer: its selector, its private key and which header fields it signs.
public struct DKIMSigner: Sendable, Equatable {
    public var domain: String
    public var selector: String
    public var key: DKIMPrivateKey
    /// The fields signed when present, in this order (RFC 6376 §5.4.1's list of fields worth signing).
    public var fieldsToSign = ["from", "to", "cc", "subject", "date", "message-id", "reply-to", "in-reply-to", "references",
                               "mime-version", "content-type", "content-transfer-encoding"]

    public init(domain: String, selector: String, key: DKIMPrivateKey) {
        self.domain = domain; self.selector = selector; self.key = key
    }

    /// The DKIM-Signature field for `message` (relaxed/relaxed), folded with LF and a tab as stored headers are,
    /// to be placed above the message's first field. `timestamp` is t= (Unix seconds).
    public func signatureField(for message: [UInt8], timestamp: Int) throws -> String {
        let (fields, body) = MessageOctets.split(message)
        let present = Set(fields.map { $0.name.lowercased() })
        let signed = fieldsToSign.filter { present.contains($0) }
        let bodyHash = Base64.encode(TrustCrypto.sha256(DKIMCanonicalization.relaxed.body(body)))
        let head = "DKIM-Signature: v=1; a=\(key.algorithm.rawValue); c=relaxed/relaxed; d=\(domain); s=\(selector);\n\tt=\(timestamp); h=\(signed.joined(separator: ":"));\n\tbh=\(bodyHash);\n\tb="
        let unsigned = HeaderField(name: "DKIM-Signature", raw: Self.crlf(head))
        let data = DKIMVerifier.signedData(fields: fields, names: signed, canonicalization: .relaxed, signatureField: unsigned)
        let b = Base64.encode(try TrustCrypto.sign(data, with: key))
        // b= folded into lines of 64 (whitespace inside a base64 value is ignored, §3.5).
        var folded = "", rest = Substring(b)
        while !rest.isEmpty {
            folded += (folded.isEmpty ? "" : "\n\t ") + rest.prefix(64)
            rest = rest.dropFirst(64)
        }
        return head + folded
    }

    static func crlf(_ stored: String) -> [UInt8] {
        Array(stored.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\r\n").utf8)
    }
}

public enum DKIMVerifier {
    /// What the header hash covers (§3.7): each field h= names, taken from the bottom up when a name repeats (a
    /// name with no field left contributes nothing), canonicalized, then the signature field itself with b=
    /// emptied and no CRLF after it.
    static func signedData(fields: [HeaderField], names: [String], canonicalization c: DKIMCanonicalization,
                           signatureField: HeaderField) -> [UInt8] {
        var used = Set<Int>()
        var data: [UInt8] = []
        for name in names {
            guard let i = fields.indices.last(where: { !used.contains($0) && fields[$0].name.lowercased() == name }) else { continue }
            used.insert(i)
            data += c.header(fields[i])
        }
        let own = c.header(HeaderField(name: signatureField.name, raw: withoutSignatureValue(signatureField.raw)))
        return data + own.dropLast(2)
    }

    /// The field with the value of its b= tag deleted (RFC 6376 §3.7), whitespace around the value included.
    static func withoutSignatureValue(_ raw: [UInt8]) -> [UInt8] {
        guard let colon = raw.firstIndex(of: UInt8(ascii: ":")) else { return raw }
        func blank(_ b: UInt8) -> Bool { DKIMCanonicalization.isWSP(b) || b == 0x0D || b == 0x0A }
        var segment = colon + 1
        while segment < raw.count {
            let end = raw[segment...].firstIndex(of: UInt8(ascii: ";")) ?? raw.count
            var nameStart = segment
            while nameStart < end, blank(raw[nameStart]) { nameStart += 1 }
            var nameEnd = nameStart
            while nameEnd < end, !blank(raw[nameEnd]), raw[nameEnd] != UInt8(ascii: "=") { nameEnd += 1 }
            var eq = nameEnd
            while eq < end, blank(raw[eq]) { eq += 1 }
            if raw[nameStart..<nameEnd].elementsEqual([UInt8(ascii: "b")]), eq < end, raw[eq] == UInt8(ascii: "=") {
                return Array(raw[...eq]) + raw[end...]
            }
            segment = end + 1
        }
        return raw
    }

    /// Verifies every DKIM-Signature of `message`, top to bottom (at most five), with keys from `txt` (a TXT
    /// lookup: the records at a name, each one's strings joined). `now` is Unix seconds, for x= (expiry).
    public static func verify(_ message: [UInt8], txt: (String) -> [String], now: Int) -> [DKIMResult] {
        let (fields, body) = MessageOctets.split(message)
        return fields.filter { $0.name.lowercased() == "dkim-signature" }.prefix(5).map { field in
            verify(field, fields: fields, body: body, txt: txt, now: now)
        }
    }

    static func verify(_ field: HeaderField, fields: [HeaderField], body: [UInt8], txt: (String) -> [String], now: Int) -> DKIMResult {
        let sig: DKIMSignature
        do { sig = try DKIMSignature(field: field) } catch {
            let tags = DKIMTagList(field.value)
            let reason: String
            switch error as? DKIMSignature.ParseError {
            case .malformed(let why)?: reason = "malformed signature: \(why)"
            case .unsupported(let why)?: reason = why
            case nil: reason = "malformed signature"
            }
            return DKIMResult(outcome: .permerror, domain: tags?["d"] ?? "", selector: tags?["s"] ?? "", reason: reason, keyName: nil)
        }
        func result(_ o: DKIMResult.Outcome, _ reason: String, looked: Bool = true) -> DKIMResult {
            DKIMResult(outcome: o, domain: sig.domain, selector: sig.selector, reason: reason, keyName: looked ? sig.keyName : nil)
        }
        if let x = sig.expiration, x < now { return result(.permerror, "the signature expired (x=)", looked: false) }
        // §6.1.2: the key. No record, several, or one that is not a usable key of this type: a permanent failure.
        let records = txt(sig.keyName)
        guard !records.isEmpty else { return result(.permerror, "no key at \(sig.keyName)") }
        guard records.count == 1, let key = DKIMKeyRecord(records[0]) else { return result(.permerror, "the key record at \(sig.keyName) is not usable") }
        guard !key.publicKey.isEmpty else { return result(.permerror, "the key at \(sig.keyName) was revoked (empty p=)") }
        guard key.keyType == sig.algorithm.keyType, TrustCrypto.isUsable(publicKey: key.publicKey, algorithm: sig.algorithm) else {
            return result(.permerror, "the key at \(sig.keyName) is not an \(sig.algorithm.keyType) key")
        }
        if key.strict, let i = sig.identity, let idDomain = i.split(separator: "@").last, idDomain.lowercased() != sig.domain {
            return result(.permerror, "the key allows no subdomain in i= (t=s)")
        }
        // §3.7: the body hash, then the header hash with its signature.
        var canonicalBody = sig.bodyCanonicalization.body(body)
        if let l = sig.bodyLength {
            guard l <= canonicalBody.count else { return result(.permerror, "l= is longer than the body") }
            canonicalBody = Array(canonicalBody.prefix(l))
        }
        guard TrustCrypto.sha256(canonicalBody) == sig.bodyHash else {
            return result(.fail, "body hash did not verify: the body changed after signing")
        }
        let data = signedData(fields: fields, names: sig.signedHeaders, canonicalization: sig.headerCanonicalization, signatureField: field)
        guard TrustCrypto.verify(sig.signature, of: data, algorithm: sig.algorithm, publicKey: key.publicKey) else {
            return result(.fail, "signature did not verify: a signed header field changed, or another key signed")
        }
        return result(.pass, "signature verified with the key at \(sig.keyName)")
    }
}

extension StringProtocol {
    /// The text without spaces, tabs, CRs and LFs at either end.
    func trimmingWhitespace() -> String {
        let scalars = Array(unicodeScalars)
        func space(_ s: Unicode.Scalar) -> Bool { s == " " || s == "\t" || s == "\r" || s == "\n" }
        var start = 0, end = scalars.count
        while start < end, space(scalars[start]) { start += 1 }
        while end > start, space(scalars[end - 1]) { end -= 1 }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: scalars[start..<end])
        return String(out)
    }
}
