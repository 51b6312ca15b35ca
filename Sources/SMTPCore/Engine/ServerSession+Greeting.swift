// EHLO and HELO (RFC 5321 §4.1.1.1), HELP (§4.1.1.8), and the commands that never touch a transaction:
// RSET, NOOP, QUIT and VRFY.

extension ServerSession {
    mutating func hello(verb: String, argument: Substring, into out: inout [SessionOutput]) {
        let cause = ReplyCause.command(verb: verb)
        let name = argument.trimmingCharacters(in: " ")
        guard !name.isEmpty else {
            return reply(Reply(501, EnhancedStatusCode(5, 5, 4), "Syntax: \(verb) hostname"), to: cause, into: &out)
        }
        if name.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) {
            // The argument is a domain or an address literal (RFC 5321 §4.1.1.1), and neither has a control
            // character (§4.1.2). Refused rather than rewritten: the name goes into the Received: line of every
            // message of the session, where a CR or LF would start a header of the client's making, and a name
            // the client did not send would be stored instead. The session is unchanged, so EHLO can be repeated.
            return reply(Reply(501, EnhancedStatusCode(5, 5, 2), "Syntax: \(verb) hostname (a control character is not part of a host name, RFC 5321 §4.1.2)"),
                         to: cause, into: &out)
        }
        // EHLO/HELO in the middle of a transaction abandons it, like RSET (RFC 5321 §4.1.4).
        resetTransaction()
        clientName = name.utf8.count <= 255 ? name : String(name.prefix(255))
        phase = .greeted
        if verb == "HELO" {
            extended = false
            return reply(Reply(250, nil, world.serverName), to: cause, into: &out)
        }
        extended = true
        var lines: [String] = []
        lines.reserveCapacity(12)  // one allocation for the whole list
        lines += ["\(world.serverName) Hello \(sanitized(name))", "PIPELINING", "SIZE \(world.scenario.maxMessageSize)"]
        // Postfix lists VRFY when the command is enabled, as on the mx profile.
        if profile == .mx { lines.append("VRFY") }
        if !tlsActive && tlsAvailable { lines.append("STARTTLS") }
        // Submission servers offer AUTH only over TLS (RFC 4954 §4; Postfix smtpd_tls_auth_only=yes).
        if profile == .submission && tlsActive { lines.append("AUTH PLAIN LOGIN") }
        // In Postfix's order: DSN (RFC 3461) after 8BITMIME, CHUNKING (RFC 3030) last.
        lines += ["ENHANCEDSTATUSCODES", "8BITMIME", "DSN", "SMTPUTF8", "CHUNKING"]
        reply(Reply(250, nil, lines), to: cause, into: &out)
    }

    mutating func help(_ argument: Substring, into out: inout [SessionOutput]) {
        let cause = ReplyCause.command(verb: "HELP")
        let topic = argument.trimmingCharacters(in: " ").uppercased()
        let ok = EnhancedStatusCode(2, 0, 0)
        switch topic {
        case "":
            // Only what this server offers: the mx profile has no AUTH, so HELP does not name it.
            let commands = "EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP STARTTLS" + (profile == .submission ? " AUTH" : "")
            reply(Reply(214, ok, [
                "Commands: \(commands)",
                "Try HELP <command> for its syntax, or HELP STATUS for the session status",
                "End of HELP info",
            ]), to: cause, into: &out)
        case "STATUS":
            // 211 is "system status" (RFC 5321 §4.2.3). Few servers send it today; this one reports the session.
            reply(Reply(211, EnhancedStatusCode(2, 0, 0), [
                "\(world.serverName) status",
                "phase \(phase.rawValue), TLS \(tlsActive ? "on" : "off"), authenticated \(authenticatedUser ?? "no")",
                "\(recipients.count) recipient(s) in this transaction, scenario \(world.scenario.name)",
                "End of status",
            ]), to: cause, into: &out)
        default:
            if let syntax = Self.helpSyntax[topic], topic != "AUTH" || profile == .submission {
                reply(Reply(214, ok, syntax), to: cause, into: &out)
            } else {
                reply(Reply(504, EnhancedStatusCode(5, 5, 4), "HELP topic not recognised: \(sanitized(topic))"), to: cause, into: &out)
            }
        }
    }

    static let helpSyntax: [String: String] = [
        "EHLO": "EHLO <your-hostname>", "HELO": "HELO <your-hostname>",
        "MAIL": "MAIL FROM:<reverse-path> [SIZE=n] [BODY=7BIT|8BITMIME] [SMTPUTF8] [RET=FULL|HDRS] [ENVID=id]",
        "RCPT": "RCPT TO:<forward-path> [NOTIFY=NEVER|SUCCESS,FAILURE,DELAY] [ORCPT=rfc822;address]",
        "DATA": "DATA, then the message, then a line with only .",
        "BDAT": "BDAT <octets> [LAST], then exactly that many octets of the message",
        "RSET": "RSET", "NOOP": "NOOP", "QUIT": "QUIT", "VRFY": "VRFY <address>", "HELP": "HELP [command|STATUS]",
        "STARTTLS": "STARTTLS", "AUTH": "AUTH PLAIN [initial-response] | AUTH LOGIN [username-base64]",
    ]

    /// RSET (RFC 5321 §4.1.1.5): drop the transaction, keep the session.
    mutating func rset(_ argument: Substring, into out: inout [SessionOutput]) {
        let cause = ReplyCause.command(verb: "RSET")
        guard argument.allSatisfy({ $0 == " " }) else {
            return reply(Reply(501, EnhancedStatusCode(5, 5, 4), "Syntax: RSET"), to: cause, into: &out)
        }
        resetTransaction()
        reply(Reply(250, EnhancedStatusCode(2, 0, 0), "Ok"), to: cause, into: &out)
    }

    mutating func noop(into out: inout [SessionOutput]) {
        // RFC 5321 §4.1.1.9: an argument is allowed and ignored.
        reply(Reply(250, EnhancedStatusCode(2, 0, 0), "Ok"), to: .command(verb: "NOOP"), into: &out)
    }

    mutating func quit(into out: inout [SessionOutput]) {
        reply(Reply(221, EnhancedStatusCode(2, 0, 0), "Bye"), to: .command(verb: "QUIT"), into: &out)
        phase = .closed
        out.append(.closed)
    }

    mutating func vrfy(_ argument: Substring, into out: inout [SessionOutput]) {
        let cause = ReplyCause.command(verb: "VRFY")
        let given = argument.trimmingCharacters(in: " ")
        guard !given.isEmpty else {
            return reply(Reply(501, EnhancedStatusCode(5, 5, 4), "Syntax: VRFY address"), to: cause, into: &out)
        }
        guard profile == .mx else {
            // The submission server is careful: RFC 5321 §3.5.3/§7.3 let it refuse to confirm who exists (address
            // harvesters use VRFY); 252 says "I won't tell, but send it and I will try".
            return reply(Reply(252, EnhancedStatusCode(2, 0, 0), "Cannot VRFY user, but will accept message and attempt delivery"),
                         to: cause, into: &out)
        }
        // The mx profile answers as stock Postfix does (disable_vrfy_command = no): the recipient checks of RCPT,
        // then "252 2.0.0" and the argument exactly as given (Postfix never says 250: it is not certain).
        let path = given.utf8.first == UInt8(ascii: "<") ? Substring(given) : Substring("<\(given)>")
        let address: String
        switch AddressParser.parsePath(path, allowPostmaster: true) {
        case .mailbox(let mailbox): address = mailbox.description
        case .unqualified(let local): address = "\(local)@\(world.originDomain(for: profile))"
        case .postmaster: address = "postmaster@\(world.originDomain(for: profile))"
        case .null, .missingBrackets, .badAddress:
            return reply(Reply(501, EnhancedStatusCode(5, 1, 3), "Bad recipient address syntax"), to: cause, into: &out)
        }
        let shown = "<\(sanitized(address))>"
        let domain = address.split(separator: "@").last.map { $0.lowercased() } ?? ""
        guard domain == world.localDomain.lowercased() else {
            return reply(Reply(554, EnhancedStatusCode(5, 7, 1), "\(shown): Relay access denied"),
                         to: cause, into: &out)
        }
        guard world.mailbox(address) != nil else {
            return reply(Reply(550, EnhancedStatusCode(5, 1, 1), "\(shown): Recipient address rejected: User unknown in virtual mailbox table"),
                         to: cause, into: &out)
        }
        reply(Reply(252, EnhancedStatusCode(2, 0, 0), sanitized(given)), to: cause, into: &out)
    }
}
