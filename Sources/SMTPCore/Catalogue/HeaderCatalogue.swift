// What each header field of a delivered message means, for the mailboxes view: selected, a field is explained in a
// sentence or two with its RFC section; Authentication-Results: and DKIM-Signature: are read out value by value.

public enum HeaderCatalogue {
    /// The explanation of one stored header field (name and value, folded lines joined by LF).
    public static func explain(_ field: String) -> String {
        let colon = field.firstIndex(of: ":") ?? field.endIndex
        let name = field[..<colon].lowercased()
        let value = colon < field.endIndex ? String(field[field.index(after: colon)...]).trimmingWhitespace() : ""
        switch name {
        case "return-path":
            return "Return-Path: the envelope sender (MAIL FROM), written by the server that delivered the message into the mailbox; bounces go there (RFC 5321 §4.4). <> means a notice that must never be answered with another."
        case "received":
            return "Received: one line per server that took the message, the newest on top (RFC 5321 §4.4): \"from\" the name the client gave and the address the server saw, \"by\" the server itself, \"with\" how (ESMTP; S = TLS, A = logged in, RFC 3848), its queue id, for whom and when. Read from the top, it is the path backwards."
        case "authentication-results":
            return authenticationResults(value)
        case "dkim-signature":
            return dkimSignature(value)
        case "from":
            return "From: the author, as the mail program shows it (RFC 5322 §3.6.2). SMTP never checks it against MAIL FROM; DMARC judges this domain (RFC 7489 §3.1)."
        case "to", "cc":
            return "\(name == "to" ? "To" : "Cc"): the recipients the author addressed (RFC 5322 §3.6.3). Text for the reader: the envelope's RCPT TO decided where the message went."
        case "subject":
            return "Subject: the topic (RFC 5322 §3.6.5). A mailing list that tags it changes a signed field, and the DKIM signature fails."
        case "date":
            return "Date: when the message was written (RFC 5322 §3.6.1); a submission server adds one when the program left it out (RFC 6409 §8)."
        case "message-id":
            return "Message-ID: a unique name for this message (RFC 5322 §3.6.4), used by replies and by duplicate checks; added by the submission server when missing (RFC 6409 §8)."
        case "reply-to":
            return "Reply-To: where replies go instead of From: (RFC 5322 §3.6.2). A list that rewrites From: to its own address keeps the author here."
        case "list-id":
            return "List-Id: which mailing list sent this copy (RFC 2919 §3), so mail programs can sort and filter lists."
        case "list-post":
            return "List-Post: how to write to the list (RFC 2369 §3.4)."
        case "mime-version", "content-type", "content-transfer-encoding":
            return "\(field[..<colon]): how the body is encoded (MIME, RFC 2045 §4-§6)."
        case "original-envelope-id", "x-original-to":
            return "\(field[..<colon]): the envelope as it was first given, kept for notices (RFC 3461)."
        default:
            return "\(field[..<colon]): a field the sender's program or a server added; RFC 5322 §3.6.8 allows fields of any name, and a reader may ignore those it does not know."
        }
    }

    /// Authentication-Results: read out statement by statement.
    static func authenticationResults(_ value: String) -> String {
        let server = value.split(separator: ";").first.map { String($0).trimmingWhitespace() } ?? "the receiving server"
        var out = "Authentication-Results: the verdicts \(server) reached before it accepted the message (RFC 8601 §2.2). Only the one your own server added, at the top, can be believed (§7.1)."
        for (method, result) in AuthenticationResultsField.results(value) {
            let meaning: String
            switch (method, result) {
            case ("spf", "pass"): meaning = "the sending server's address is among the envelope domain's senders (RFC 7208)"
            case ("spf", "fail"): meaning = "the sending server is not among the envelope domain's senders, and the domain says so firmly (-all) — usual after forwarding"
            case ("spf", "softfail"): meaning = "not among the envelope domain's senders; the domain asks only for a closer look (~all)"
            case ("spf", "none"): meaning = "the envelope domain publishes no SPF record"
            case ("spf", "neutral"): meaning = "the domain's record says nothing about this server"
            case ("dkim", "pass"): meaning = "the signature verified: the signing domain vouches for this content, unchanged (RFC 6376)"
            case ("dkim", "fail"): meaning = "a signature is there but no longer matches: something it covered changed on the way"
            case ("dkim", "none"): meaning = "no DKIM signature"
            case ("dmarc", "pass"): meaning = "SPF or DKIM passed for a domain aligned with From: (RFC 7489 §4.2)"
            case ("dmarc", "fail"): meaning = "nothing aligned with From: passed; the From: domain's policy decided what happened next"
            case ("dmarc", "none"): meaning = "no DMARC policy to apply (none published, or no single From: domain)"
            default: meaning = "see RFC 8601 §2.7"
            }
            out += " \(method)=\(result): \(meaning)."
        }
        return out
    }

    /// DKIM-Signature: its tags in words.
    static func dkimSignature(_ value: String) -> String {
        let tags = DKIMTagList(value)
        let d = tags?["d"] ?? "?", s = tags?["s"] ?? "?"
        let signed = (tags?["h"] ?? "").split(separator: ":").map { DKIMTagList.compact(String($0)) }.joined(separator: ", ")
        return "DKIM-Signature: \(d) signed this message (RFC 6376 §3.5). a= the algorithm, c= how much change is forgiven (§3.4), h= the signed fields (\(signed)), bh= the hash of the body, b= the signature. The key is the TXT record at \(s)._domainkey.\(d) (`smtp-tui world --zone`); any DKIM tool can check it."
    }
}
