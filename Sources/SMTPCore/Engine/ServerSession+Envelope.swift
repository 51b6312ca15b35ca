// The envelope: MAIL FROM (RFC 5321 §4.1.1.2) and RCPT TO (§4.1.1.3), with their parameters.

extension ServerSession {
    mutating func mail(_ rawArgument: Substring, into out: inout [SessionOutput]) {
        let cause = ReplyCause.command(verb: "MAIL")
        // Postfix (strict_rfc821_envelopes = no) accepts extra spaces: "MAIL  FROM:  <a@b.c>".
        let argument = rawArgument.drop(while: { $0 == " " })
        guard phase != .connected else { return needHello(cause, into: &out) }
        guard !bdatUsed else {
            // RFC 3030 §2: the BDAT transaction must end with BDAT … LAST (or RSET) first. Postfix's words.
            return reply(Reply(503, EnhancedStatusCode(5, 5, 1), "Error: MAIL after BDAT"), to: cause, into: &out)
        }
        guard !inTransaction else {
            return reply(Reply(503, EnhancedStatusCode(5, 5, 1), "Error: nested MAIL command"), to: cause, into: &out)
        }
        guard Self.hasASCIIPrefix(argument, "FROM:") else {
            return reply(Reply(501, EnhancedStatusCode(5, 5, 4), "Syntax: MAIL FROM:<address>"), to: cause, into: &out)
        }
        if profile == .submission {
            // Gmail's and Microsoft's submission ports answer exactly so; RFC 3207 §4 / RFC 4954 §6 give the codes.
            guard tlsActive else {
                return reply(Reply(530, EnhancedStatusCode(5, 7, 0), "Must issue a STARTTLS command first"), to: cause, into: &out)
            }
            guard authenticatedUser != nil else {
                return reply(Reply(530, EnhancedStatusCode(5, 7, 0), "Authentication required"), to: cause, into: &out)
            }
        }
        let (pathText, parameters, junk) = AddressParser.splitPathAndParameters(argument.dropFirst(5))
        if junk {
            // "<a@b.c>>": a malformed path, not an unknown parameter (555). Postfix's words and code.
            return reply(Reply(501, EnhancedStatusCode(5, 1, 7), "Bad sender address syntax"), to: cause, into: &out)
        }
        let path: String
        var smtputf8Asked: Bool { extended && parameters.contains { Self.equalsIgnoringASCIICase($0, "SMTPUTF8") } }
        switch malformedUTF8(pathText, underSMTPUTF8: smtputf8Asked)
            ?? AddressParser.parsePath(pathText, allowPostmaster: false) {
        case .missingBrackets:
            // RFC 5321 §4.1.2 requires <...>. Stock Postfix accepts a bare address (strict_rfc821_envelopes=no);
            // we take the RFC's side so learners meet the rule.
            return reply(Reply(501, EnhancedStatusCode(5, 5, 4), "Syntax: MAIL FROM:<address>"), to: cause, into: &out)
        case .badAddress(let why):
            // UTF-8 is echoed only when this very command asks for SMTPUTF8 (the transaction has not started yet).
            return reply(Reply(553, EnhancedStatusCode(5, 1, 7), "\(sanitized(pathText, utf8: smtputf8Asked)): Sender address rejected: \(why)"),
                         to: cause, into: &out)
        case .postmaster, .null:
            path = ""
        case .mailbox(let address):
            path = address.description
        case .unqualified(let local):
            // Postfix's append_at_myorigin: "<alice>" becomes alice@$myorigin (World.originDomain).
            path = "\(local)@\(world.originDomain(for: profile))"
        }
        var size: Int?, body = "7BIT", utf8 = false, ret: DSNReturn?, envid: String?
        for parameter in parameters {
            let parts = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = parts[0].uppercased(), value = parts.count > 1 ? String(parts[1]) : nil
            switch (key, extended) {
            case ("SIZE", true):
                guard let v = value, !v.isEmpty, v.count <= 18, v.allSatisfy(\.isASCIIDigit), let n = Int(v) else {
                    return reply(Reply(501, EnhancedStatusCode(5, 5, 4), "Bad message size syntax"), to: cause, into: &out)
                }
                size = n
            case ("BODY", true):
                guard let v = value?.uppercased(), v == "7BIT" || v == "8BITMIME" else {
                    return reply(Reply(501, EnhancedStatusCode(5, 5, 4), "Bad BODY keyword: use BODY=7BIT or BODY=8BITMIME"),
                                 to: cause, into: &out)
                }
                body = v
            case ("SMTPUTF8", true) where value == nil:
                utf8 = true
            case ("AUTH", true) where value != nil && profile == .submission:
                break  // RFC 4954 §5: the AUTH= parameter is accepted and may be ignored.
            case ("RET", true):
                // RFC 3461 §4.3: FULL or HDRS, once.
                guard ret == nil, let r = value.flatMap({ DSNReturn(rawValue: $0.uppercased()) }) else {
                    return reply(Reply(501, EnhancedStatusCode(5, 5, 4), "Bad RET parameter syntax"), to: cause, into: &out)
                }
                ret = r
            case ("ENVID", true):
                // RFC 3461 §4.4: xtext, at most 100 characters, once; Postfix also wants it printable once decoded.
                guard envid == nil, let v = value, !v.isEmpty, v.utf8.count <= 100, let decoded = XText.decode(Substring(v)),
                      decoded.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else {
                    return reply(Reply(501, EnhancedStatusCode(5, 5, 4), "Bad ENVID parameter syntax"), to: cause, into: &out)
                }
                envid = decoded
            default:
                // RFC 5321 §4.1.1.11: 555 for parameters not recognised (all of them after plain HELO).
                return reply(Reply(555, EnhancedStatusCode(5, 5, 4), "Unsupported option: \(sanitized(parameter))"),
                             to: cause, into: &out)
            }
        }
        if !path.utf8.allSatisfy({ $0 < 0x80 }) && !utf8 {
            // RFC 6531 §3.7.4.1.
            return reply(Reply(553, EnhancedStatusCode(5, 6, 7), "Non-ASCII address requires the SMTPUTF8 parameter"),
                         to: cause, into: &out)
        }
        if let size, size > world.scenario.maxMessageSize {
            // RFC 1870 §6.1; Postfix's exact words.
            return reply(Reply(552, EnhancedStatusCode(5, 3, 4), "Message size exceeds fixed limit"), to: cause, into: &out)
        }
        if profile == .submission, !path.isEmpty, let user = authenticatedUser,
           let account = world.users.first(where: { $0.username == user }),
           !account.ownedAddresses.contains(where: { $0.lowercased() == path.lowercased() }) {
            // Postfix's reject_sender_login_mismatch: a logged-in user may only send as their own addresses.
            return reply(Reply(553, EnhancedStatusCode(5, 7, 1), "<\(sanitized(path, utf8: utf8))>: Sender address rejected: not owned by user \(user)"),
                         to: cause, into: &out)
        }
        reversePath = path
        declaredSize = size
        dsnReturn = ret
        dsnEnvelopeID = envid
        dsnRequested = ret != nil || envid != nil
        bodyType = body
        smtputf8 = utf8
        phase = .mail
        reply(Reply(250, EnhancedStatusCode(2, 1, 0), "Ok"), to: cause, into: &out)
    }

    mutating func rcpt(_ rawArgument: Substring, into out: inout [SessionOutput]) {
        let cause = ReplyCause.command(verb: "RCPT")
        let argument = rawArgument.drop(while: { $0 == " " })  // strict_rfc821_envelopes = no, as for MAIL
        guard phase != .connected else { return needHello(cause, into: &out) }
        guard phase == .mail || phase == .rcpt else {
            return reply(Reply(503, EnhancedStatusCode(5, 5, 1), "Error: need MAIL command"), to: cause, into: &out)
        }
        guard !bdatUsed else {
            // RFC 3030 §2: recipients come before the first chunk. Postfix's words.
            return reply(Reply(503, EnhancedStatusCode(5, 5, 1), "Error: RCPT after BDAT"), to: cause, into: &out)
        }
        guard Self.hasASCIIPrefix(argument, "TO:") else {
            return reply(Reply(501, EnhancedStatusCode(5, 5, 4), "Syntax: RCPT TO:<address>"), to: cause, into: &out)
        }
        let (pathText, parameters, junk) = AddressParser.splitPathAndParameters(argument.dropFirst(3))
        if junk {
            // "<b@c.d>>": a malformed path (Postfix: 501 5.1.3), not an unknown parameter (555).
            rejectedRecipients += 1
            return reply(Reply(501, EnhancedStatusCode(5, 1, 3), "Bad recipient address syntax"), to: cause, into: &out)
        }
        let address: String
        switch malformedUTF8(pathText, underSMTPUTF8: smtputf8)
            ?? AddressParser.parsePath(pathText, allowPostmaster: true) {
        case .missingBrackets:
            rejectedRecipients += 1
            return reply(Reply(501, EnhancedStatusCode(5, 5, 4), "Syntax: RCPT TO:<address>"), to: cause, into: &out)
        case .null:
            // The null path is only for senders (RFC 5321 §4.5.5); Postfix answers it as a syntax error.
            rejectedRecipients += 1
            return reply(Reply(501, EnhancedStatusCode(5, 1, 3), "Bad recipient address syntax"), to: cause, into: &out)
        case .badAddress(let why):
            // RFC 5321 §4.2.2: 553 "mailbox name not allowed (e.g. mailbox syntax incorrect)"; RFC 3463 5.1.3.
            rejectedRecipients += 1
            return reply(Reply(553, EnhancedStatusCode(5, 1, 3), "\(sanitized(pathText)): Recipient address rejected: \(why)"),
                         to: cause, into: &out)
        case .postmaster:
            // RFC 5321 §4.1.1.3: <Postmaster> without a domain is this server's own postmaster, in the domain it
            // qualifies bare names with (smtp.example.com's is postmaster@example.com, mx.domain.com's
            // postmaster@domain.com).
            address = "postmaster@\(world.originDomain(for: profile))"
        case .mailbox(let mailbox):
            address = mailbox.description
        case .unqualified(let local):
            // append_at_myorigin: on the mx profile <bob> is bob@domain.com (World.originDomain).
            address = "\(local)@\(world.originDomain(for: profile))"
        }
        var notify: DSNNotify?, orcpt: DSNOriginalRecipient?
        for parameter in parameters {
            let parts = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = parts[0].uppercased(), value = parts.count > 1 ? parts[1] : nil
            switch (key, extended) {
            case ("NOTIFY", true):
                // RFC 3461 §4.1: NEVER alone, or a list of SUCCESS, FAILURE, DELAY; once.
                guard notify == nil, let v = value, let n = Self.parseNotify(v) else {
                    rejectedRecipients += 1
                    return reply(Reply(501, EnhancedStatusCode(5, 5, 4), "Error: Bad NOTIFY parameter syntax"), to: cause, into: &out)
                }
                notify = n
            case ("ORCPT", true):
                // RFC 3461 §4.2: addr-type ";" xtext, at most 500 characters; once.
                let semi = value?.firstIndex(of: ";")
                let type = value.flatMap { v in semi.map { v[..<$0] } } ?? ""
                let isAtom = !type.isEmpty && type.utf8.allSatisfy {
                    ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || $0 == UInt8(ascii: "-")
                }
                // Decoded, it must be printable, like ENVID's value: it is meant for a delivery report's
                // Original-Recipient: field (RFC 3464 §2.3.1), where a CR or LF would start a field of its own.
                guard orcpt == nil, let v = value, let semi, v.utf8.count <= 500, isAtom,
                      let decoded = XText.decode(v[v.index(after: semi)...]), !decoded.isEmpty,
                      !decoded.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) else {
                    rejectedRecipients += 1
                    return reply(Reply(501, EnhancedStatusCode(5, 5, 4), "Error: Bad ORCPT parameter syntax"), to: cause, into: &out)
                }
                orcpt = DSNOriginalRecipient(addressType: String(type), address: decoded)
            default:
                // RFC 5321 §4.1.1.11: 555 for parameters not recognised (all of them after plain HELO).
                rejectedRecipients += 1
                return reply(Reply(555, EnhancedStatusCode(5, 5, 4), "Unsupported option: \(sanitized(parameter))"), to: cause, into: &out)
            }
        }
        if !address.utf8.allSatisfy({ $0 < 0x80 }) && !smtputf8 {
            rejectedRecipients += 1
            return reply(Reply(553, EnhancedStatusCode(5, 6, 7), "Non-ASCII address requires SMTPUTF8 in MAIL FROM"),
                         to: cause, into: &out)
        }
        guard recipients.count < world.scenario.maxRecipients else {
            // Postfix's words. 452, not 552: the client should send the rest in another transaction (§4.5.3.1.10).
            return reply(Reply(452, EnhancedStatusCode(4, 5, 3), "Error: too many recipients"), to: cause, into: &out)
        }
        let domain = address.utf8.lastIndex(of: UInt8(ascii: "@")).map { address[address.utf8.index(after: $0)...] } ?? ""
        var shown: String { "<\(sanitized(address))>" }  // only built for a refusal
        if Self.equalsIgnoringASCIICase(domain, world.localDomain) {
            guard let box = world.mailbox(address) else {
                rejectedRecipients += 1
                return reply(Reply(550, EnhancedStatusCode(5, 1, 1), "\(shown): Recipient address rejected: User unknown in virtual mailbox table"),
                             to: cause, into: &out)
            }
            switch box.behaviour {
            case .accepts, .list:
                break
            case .full:
                rejectedRecipients += 1
                return reply(Reply(552, EnhancedStatusCode(5, 2, 2), "\(shown): Recipient address rejected: Mailbox full"),
                             to: cause, into: &out)
            case .greylisted(let wait):
                let key = "\((reversePath ?? "").lowercased())|\(box.address.lowercased())"
                let first = store.greylist[key] ?? now
                store.greylist[key] = first
                let remaining = first + wait - now
                if remaining > 0 {
                    let seconds = (remaining + SimulatedTime.ticksPerSecond - 1) / SimulatedTime.ticksPerSecond
                    rejectedRecipients += 1
                    return reply(Reply(450, EnhancedStatusCode(4, 2, 0), "\(shown): Recipient address rejected: Greylisted, please try again in \(seconds) seconds"),
                                 to: cause, into: &out)
                }
            case .forwards(let target):
                recipients.append(box.address)
                noteDSN(box.address, notify: notify, orcpt: orcpt)
                phase = .rcpt
                return reply(Reply(251, EnhancedStatusCode(2, 1, 5), "User not local; will forward to <\(target)>"), to: cause, into: &out)
            }
            recipients.append(box.address)
            noteDSN(box.address, notify: notify, orcpt: orcpt)
        } else {
            // Another domain: only an authenticated submission client may relay. Never an open relay.
            guard profile == .submission, authenticatedUser != nil else {
                rejectedRecipients += 1
                return reply(Reply(554, EnhancedStatusCode(5, 7, 1), "\(shown): Relay access denied"), to: cause, into: &out)
            }
            recipients.append(address)
            noteDSN(address, notify: notify, orcpt: orcpt)
        }
        phase = .rcpt
        reply(Reply(250, EnhancedStatusCode(2, 1, 5), "Ok"), to: cause, into: &out)
    }

    /// Under SMTPUTF8 an address is UTF-8 (RFC 6531 §3.3, RFC 6532 §3.1), and octets that are not well-formed
    /// UTF-8 (RFC 3629) make it a malformed address: 553 with the syntax codes of any other bad address, never a
    /// mailbox whose bad octets were replaced (two different addresses would then share one folder). Without
    /// SMTPUTF8 every non-ASCII address is refused anyway (553 5.6.7).
    func malformedUTF8(_ path: Substring, underSMTPUTF8: @autoclosure () -> Bool) -> PathParseResult? {
        guard commandHasMalformedUTF8, underSMTPUTF8(), path.unicodeScalars.contains("\u{FFFD}") else { return nil }
        return .badAddress("malformed UTF-8 (RFC 6531 §3.3 takes only well-formed UTF-8)")
    }

    /// Keeps an accepted recipient's DSN request. Only recipients with NOTIFY= or ORCPT= are kept here (no work
    /// on the common path); `dsnEnvelope` fills in the others.
    mutating func noteDSN(_ address: String, notify: DSNNotify?, orcpt: DSNOriginalRecipient?) {
        guard notify != nil || orcpt != nil else { return }
        dsnRecipients.append(DSNRecipient(address: address, notify: notify, orcpt: orcpt))
        dsnRequested = true
    }

    /// The DSN request of the open transaction, one entry per accepted recipient, or nil when the client made none.
    var dsnEnvelope: DSNEnvelope? {
        guard dsnRequested else { return nil }
        var given = dsnRecipients[...]
        let all = recipients.map { address -> DSNRecipient in
            if let first = given.first, first.address == address { given = given.dropFirst(); return first }
            return DSNRecipient(address: address, notify: nil, orcpt: nil)
        }
        return DSNEnvelope(ret: dsnReturn, envid: dsnEnvelopeID, recipients: all)
    }

    /// NOTIFY=NEVER or a comma list of SUCCESS, FAILURE and DELAY (case-insensitive, RFC 3461 §4.1).
    static func parseNotify(_ value: Substring) -> DSNNotify? {
        let words = value.split(separator: ",", omittingEmptySubsequences: false).map { $0.uppercased() }
        if words == ["NEVER"] { return .never }
        var notify: DSNNotify = []
        for word in words {
            switch word {
            case "SUCCESS": notify.insert(.success)
            case "FAILURE": notify.insert(.failure)
            case "DELAY": notify.insert(.delay)
            default: return nil
            }
        }
        return notify
    }
}
