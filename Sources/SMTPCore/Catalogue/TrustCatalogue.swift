// The reference for what happens beyond SMTP when mail arrives: SPF, DKIM, DMARC and the Authentication-Results
// field that records them. Examples are this world's own records and fields; every fact names its RFC section.

public struct TrustEntry: Sendable, Identifiable {
    public let id: String
    public let title: String
    public let summary: String
    /// Example lines: DNS records and header fields as this world has them.
    public let example: [String]
    public let explanation: [String]
    /// The results a receiver writes for it, with what each means.
    public let results: [ReplyNote]
    public let rfc: String
}

public enum TrustCatalogue {
    public static let all: [TrustEntry] = [spf, dkim, dmarc, authenticationResults]

    public static func entry(_ id: String) -> TrustEntry? { all.first { $0.id.lowercased() == id.lowercased() } }

    static let spf = TrustEntry(
        id: "SPF",
        title: "SPF — who may send for a domain",
        summary: "A domain lists in DNS the servers that send its mail; a receiver checks the connecting address against the envelope sender's domain.",
        example: [
            "example.com.    TXT \"v=spf1 ip4:192.0.2.25 -all\"",
            "elsewhere.org.  TXT \"v=spf1 mx ~all\"",
            "from 192.0.2.25,   MAIL FROM:<alice@example.com>  →  spf=pass",
            "from 203.0.113.66, MAIL FROM:<alice@example.com>  →  spf=fail",
        ],
        explanation: [
            """
            SPF judges the envelope. The domain of MAIL FROM publishes a TXT record that starts with "v=spf1" \
            (RFC 7208 §3, §4.5), and the receiving server asks whether the address of the machine now talking to it \
            is one the record allows (check_host(), §4). An empty MAIL FROM, as bounces have, is judged by the HELO \
            name instead (§2.4). A domain with no such record gets "none"; two records are an error (§4.5).
            """,
            """
            The record is read left to right (§4.6). Each mechanism matches or not: ip4 an address or network, a and \
            mx the addresses of the domain's hosts or mail servers, include another domain's pass, all everything. \
            The first match decides, through its qualifier: + pass (the default), - fail, ~ softfail, ? neutral \
            (§4.6.2). When nothing matches the result is neutral (§4.7). Every include, a, mx, exists and redirect \
            costs a DNS query, and more than ten make the record a permerror (§4.6.4).
            """,
            """
            What a pass proves is narrow: this server may send mail whose envelope names that domain. It says nothing \
            about the From: a reader sees, and it belongs to the last hop only: a forwarder that keeps the envelope \
            sender sends from its own address and fails the original domain's record (the "forwarded" story). \
            This world's MXes do not refuse on SPF alone: DMARC decides what a failure means (RFC 7489 §10.1 warns \
            that a receiver refusing early on -all never gets to DMARC).
            """,
            """
            In this world example.com allows only smtp.example.com (192.0.2.25, then -all), elsewhere.org its MX \
            (then ~all), and mallory.test its own server: `smtp-tui world --zone` prints every record.
            """,
        ],
        results: [
            ReplyNote("pass", "The client is one of the domain's senders (RFC 7208 §2.6.3)."),
            ReplyNote("fail", "The domain says this client is not one of its senders (§2.6.4)."),
            ReplyNote("softfail", "Probably not one of its senders; the domain asks for no refusal (§2.6.5)."),
            ReplyNote("neutral", "The domain makes no statement about this client (§2.6.2)."),
            ReplyNote("none", "No SPF record, or no domain to check (§2.6.1)."),
            ReplyNote("temperror", "A DNS failure for now; a later try may work (§2.6.6)."),
            ReplyNote("permerror", "The record cannot be read: two records, bad syntax, too many lookups (§2.6.7)."),
        ],
        rfc: "RFC 7208 §2.4, §2.6, §4, §5; in Authentication-Results: RFC 8601 §2.7.2")

    static let dkim = TrustEntry(
        id: "DKIM",
        title: "DKIM — a domain's signature on the content",
        summary: "The sending domain signs the body and chosen header fields; any receiver checks the signature with the key the domain publishes in DNS.",
        example: [
            "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=rsa2026;",
            "    t=…; h=from:to:subject:date:message-id;",
            "    bh=… (SHA-256 of the canonical body, base64);",
            "    b=… (the signature over the fields in h= and this field, base64)",
            "rsa2026._domainkey.example.com.  TXT \"v=DKIM1; k=rsa; p=MIIBIjANBgkqh…\"",
        ],
        explanation: [
            """
            The signer hashes the message's body into bh=, then signs the header fields named in h= together with the \
            DKIM-Signature field itself, its b= left empty (RFC 6376 §3.7, §5). d= is the domain that takes \
            responsibility, s= the selector: the public key is the TXT record at s._domainkey.d (§3.6.2.1), so a \
            domain can have several keys and replace them.
            """,
            """
            Canonicalization (§3.4) decides which changes on the way are forgiven. "simple" forgives almost none; \
            "relaxed" forgives the case of header names, refolded lines, runs of whitespace and empty lines at the \
            end of the body. smtp.example.com signs with c=relaxed/relaxed. No canonicalization forgives new words.
            """,
            """
            A verifier (§6.1) fetches the key, recomputes the body hash ("body hash did not verify" when the body \
            changed) and checks the signature over the header fields. A pass proves that d= signed this content and \
            that nothing signed changed, whoever carried it: it survives forwarding, not a list's footer. It says \
            nothing about the path, and nothing by itself about the From: unless DMARC aligns d= with it.
            """,
            """
            Algorithms: rsa-sha256 with keys of at least 1024 bits (2048 recommended; rsa-sha1 is no longer \
            accepted, RFC 8301 §3.1, §3.2), and ed25519-sha256 (RFC 8463). This world's RSA key is a TEST key whose \
            private half ships with smtp-tui: anyone can sign as example.com with it. It is for teaching only; \
            check the world's signatures with any DKIM tool against `smtp-tui world --zone`.
            """,
        ],
        results: [
            ReplyNote("pass", "The signature verified with the published key (RFC 8601 §2.7.1)."),
            ReplyNote("fail", "Signed, but the body hash or the signature did not verify: the message changed."),
            ReplyNote("none", "The message carries no DKIM signature."),
            ReplyNote("permerror", "The signature cannot be checked for good: no key, a revoked key, a refused algorithm."),
            ReplyNote("temperror", "The key could not be fetched for now."),
        ],
        rfc: "RFC 6376 §3.4, §3.5, §3.6, §3.7, §5, §6; RFC 8301; RFC 8463")

    static let dmarc = TrustEntry(
        id: "DMARC",
        title: "DMARC — the From: domain's policy",
        summary: "Mail passes when SPF or DKIM passed for a domain aligned with the From: domain; otherwise the receiver applies that domain's policy: none, quarantine or reject.",
        example: [
            "_dmarc.example.com.    TXT \"v=DMARC1; p=reject; adkim=r; aspf=r\"",
            "_dmarc.elsewhere.org.  TXT \"v=DMARC1; p=none\"",
            "From: Alice <alice@example.com>, dkim=pass header.d=example.com  →  dmarc=pass",
            "From: Alice <alice@example.com>, spf=pass for mallory.test, no signature  →  dmarc=fail, 550 5.7.26",
        ],
        explanation: [
            """
            DMARC ties SPF and DKIM to the address a reader sees: the domain in the From: field, the author domain \
            (RFC 7489 §3.1, §6.6.1). Its policy is the TXT record at _dmarc.<that domain>; a domain without one \
            falls back to its organizational domain's record (§6.6.3), whose sp= then applies.
            """,
            """
            Alignment (§3.1): an SPF pass counts only when the MAIL FROM domain is the From: domain, a DKIM pass only \
            when d= is. Relaxed alignment, the default (aspf=r, adkim=r), accepts the same organizational domain, \
            e.g. mail.example.com for example.com; strict (s) wants the very same name.
            """,
            """
            One aligned pass is enough (§4.2). Otherwise DMARC fails and the policy says what the domain wants \
            (§6.3): p=none delivers and only asks for reports, p=quarantine asks receivers to treat the mail as \
            suspicious, p=reject to refuse it during SMTP — here with 550 5.7.26, "multiple authentication checks \
            failed" (RFC 7372 §3.4).
            """,
            """
            What it stops: a stranger writing your domain into From: (the "forged sender" story). What it breaks: \
            mail that is changed and resent under your From:, as lists do — which is why lists rewrite From: to \
            their own address, and why ARC (RFC 8617) lets intermediaries vouch for what they received. A message \
            with no From: has no author domain to check; §6.6.1 notes such messages are typically rejected, since RFC \
            5322 §3.6 requires a From:, but this world's servers accept them and write dmarc=none.
            """,
        ],
        results: [
            ReplyNote("pass", "SPF or DKIM passed for a domain aligned with From: (RFC 7489 §4.2)."),
            ReplyNote("fail", "Neither did; the policy (p=) decides what happens (§6.3)."),
            ReplyNote("none", "The From: domain publishes no policy, or there is no single From: domain."),
            ReplyNote("permerror", "The From: field holds no single address to check."),
        ],
        rfc: "RFC 7489 §3.1, §4.2, §6.3, §6.6; RFC 7372 §3.4")

    static let authenticationResults = TrustEntry(
        id: "Authentication-Results",
        title: "Authentication-Results — the receiver's verdicts",
        summary: "The receiving server writes down what it checked and what it found, so filters and mail programs after it can use the verdicts.",
        example: [
            "Authentication-Results: mx.domain.com;",
            "    spf=pass smtp.mailfrom=example.com;",
            "    dkim=pass header.d=example.com header.s=rsa2026;",
            "    dmarc=pass (p=reject) header.from=example.com",
        ],
        explanation: [
            """
            The field starts with the authserv-id, the name of the server that did the checks, followed by one \
            statement per method: method=result, then the identity checked, such as smtp.mailfrom for SPF, \
            header.d and header.s for DKIM, header.from for DMARC (RFC 8601 §2.2, §2.7). Comments in parentheses \
            add detail: why a signature failed, which policy applied.
            """,
            """
            The checking server adds it at the top of the message (§4), like Received:; mx.domain.com puts it above \
            its own Received:. A message can carry several, one per server that checked on the way (the forwarded \
            story shows two): the one your own server added is the one to believe.
            """,
            """
            Anyone can write such a field, so RFC 8601 §5 has a server delete fields that arrive from outside \
            claiming its own authserv-id (§7.1 explains the forgery); this world's servers skip that step. ARC \
            (RFC 8617) goes further: intermediaries seal the results they saw, so a later server may choose to trust \
            them.
            """,
        ],
        results: [
            ReplyNote("spf=…", "The SPF result for smtp.mailfrom (or smtp.helo)."),
            ReplyNote("dkim=…", "One result per signature, with its header.d= and header.s=."),
            ReplyNote("dmarc=…", "The DMARC result for header.from, with the policy in a comment."),
        ],
        rfc: "RFC 8601 §2.2, §2.7, §4, §5, §7.1")
}
