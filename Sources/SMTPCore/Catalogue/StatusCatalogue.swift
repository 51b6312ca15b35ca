// The status-code reference: every reply code the engine sends, what it means, and a recipe the learner (and a
// test) can replay to see it. Also the table that spells out enhanced status codes (RFC 3463), e.g. 5.1.1.

/// One value of an enhanced status code's class or subject, e.g. class 5 "permanent failure".
public struct EnhancedStatusPart: Sendable, Equatable {
    public let value: Int
    public let name: String
    public let explanation: String
    public init(_ value: Int, _ name: String, _ explanation: String) {
        self.value = value; self.name = name; self.explanation = explanation
    }
}

/// The meaning of a subject.detail pair, e.g. 1.1 "bad destination mailbox address". In RFC 3463 the detail's
/// meaning does not depend on the class, so 4.2.2 and 5.2.2 share one entry.
public struct EnhancedStatusDetail: Sendable, Equatable {
    public let subject: Int
    public let detail: Int
    public let name: String
    /// Where this simulation uses it.
    public let usedFor: String
    /// The RFC that defines it.
    public let rfc: String
    public init(_ subject: Int, _ detail: Int, _ name: String, usedFor: String, rfc: String = "RFC 3463") {
        self.subject = subject; self.detail = detail; self.name = name; self.usedFor = usedFor; self.rfc = rfc
    }
}

public enum StatusCatalogue {
    /// Every code the engine sends, sorted by code.
    public static let all: [StatusCodeEntry] = [
        StatusCodeEntry(
            code: 211, meaning: "System status",
            description: "A report on the state of the server or the session. RFC 5321 defines it, but few servers send it today.",
            whenSimulated: "HELP STATUS: the phase of the session, TLS, who is logged in, the recipients so far and the active scenario.",
            trigger: TriggerRecipe(preamble: .greeted, lines: ["HELP STATUS"]),
            inSeedTable: true),
        StatusCodeEntry(
            code: 214, meaning: "Help message",
            description: "Help text for a person reading the session. Every server words it differently, so programs should not parse it.",
            whenSimulated: "HELP lists the commands; HELP MAIL (or any other command name) shows that command's syntax.",
            trigger: TriggerRecipe(preamble: .connected, lines: ["HELP"]),
            inSeedTable: false),
        StatusCodeEntry(
            code: 220, meaning: "Service ready",
            description: "The server is ready. It is the greeting you get on connecting, and the go-ahead for the TLS handshake after STARTTLS.",
            whenSimulated: "On connecting (220 smtp.example.com ESMTP …), and after STARTTLS (220 2.0.0 Ready to start TLS).",
            trigger: TriggerRecipe(preamble: .greeted, lines: ["STARTTLS"]),
            inSeedTable: true),
        StatusCodeEntry(
            code: 221, meaning: "Closing connection",
            description: "The server says goodbye and closes the connection, normally in answer to QUIT.",
            whenSimulated: "QUIT, at any point in the session: 221 2.0.0 Bye.",
            trigger: TriggerRecipe(preamble: .greeted, lines: ["QUIT"]),
            inSeedTable: true),
        StatusCodeEntry(
            code: 235, meaning: "Authentication succeeded",
            description: "The AUTH exchange worked, and the client stays logged in for the rest of the session (RFC 4954).",
            whenSimulated: "AUTH PLAIN or AUTH LOGIN as alice@example.com with the password wonderland, after STARTTLS.",
            trigger: TriggerRecipe(preamble: .secured, lines: ["AUTH PLAIN \(SampleCredentials.plainInitialResponse)"]),
            inSeedTable: true),
        StatusCodeEntry(
            code: 250, meaning: "OK, done",
            description: "The requested action has been completed. It is the most common reply in SMTP, and the enhanced code after it says what kind of thing went well.",
            whenSimulated: "EHLO, an accepted MAIL FROM (2.1.0) or RCPT TO (2.1.5), RSET, NOOP, the final dot of an accepted message (2.0.0 Ok: queued as …), and each BDAT chunk (2.0.0 Ok: 13 bytes, then Ok: 26 bytes queued as … after LAST).",
            trigger: TriggerRecipe(preamble: .authenticated, lines: ["MAIL FROM:<alice@example.com>"]),
            inSeedTable: true),
        StatusCodeEntry(
            code: 251, meaning: "User not local, will forward",
            description: "The recipient isn't handled here, but the server knows the new address and will pass the mail on (RFC 5321 §3.4).",
            whenSimulated: "At mx.domain.com (connect mx.domain.com), RCPT TO:<robert@domain.com>: Robert moved, and his mail is forwarded to bob@example.org.",
            trigger: TriggerRecipe(preamble: .mxMailStarted, lines: ["RCPT TO:<robert@domain.com>"]),
            inSeedTable: false),
        StatusCodeEntry(
            code: 252, meaning: "Cannot verify, will try",
            description: "The server won't confirm whether an address exists, but it will take a message for it and try to deliver it. This keeps address harvesters in the dark (RFC 5321 §3.5.3).",
            whenSimulated: "On the submission port, VRFY with any address, whether it exists (bob@domain.com) or not (nobody@domain.com). On the mx profile, which answers as stock Postfix does, 252 2.0.0 followed by the address as you typed it means the mailbox exists, and nobody@domain.com gets 550 5.1.1 instead.",
            trigger: TriggerRecipe(preamble: .greeted, lines: ["VRFY bob@domain.com"]),
            inSeedTable: false),
        StatusCodeEntry(
            code: 334, meaning: "Authentication challenge",
            description: "The AUTH exchange goes on: the server waits for the client's next base64 line. The text after 334 is a base64 challenge, and it may be empty.",
            whenSimulated: "AUTH LOGIN (334 VXNlcm5hbWU6 is base64 for Username:), then the user name (334 UGFzc3dvcmQ6, Password:), or AUTH PLAIN with nothing after it (334 and an empty challenge).",
            trigger: TriggerRecipe(preamble: .secured, lines: ["AUTH LOGIN"]),
            inSeedTable: true),
        StatusCodeEntry(
            code: 354, meaning: "Start mail input",
            description: "Send the message now: headers, an empty line and the body, ended by a line holding only a dot.",
            whenSimulated: "DATA, once at least one RCPT TO has been accepted.",
            trigger: TriggerRecipe(preamble: .recipientAdded, lines: ["DATA"]),
            inSeedTable: true),
        StatusCodeEntry(
            code: 421, meaning: "Service not available",
            description: "The server is closing the connection: it is shutting down, overloaded, or has had enough of a client's errors. It is temporary, so the client may try again later. Postfix counts every error a client makes without delivering a message (a delivered message forgives them; a NOOP does not). After smtpd_soft_error_limit (10) it answers everything a second late (smtpd_error_sleep_time), which costs a spammer's script far more than a person; at smtpd_hard_error_limit (20) it sends 421 4.7.0 and hangs up.",
            whenSimulated: "Any command in the shutdown scenario (421 4.3.2), or the 20th error without a delivery (421 4.7.0 Error: too many errors; from the 10th, replies come 1 s late).",
            trigger: TriggerRecipe(scenario: "shutdown", preamble: .greeted, lines: ["NOOP"]),
            inSeedTable: true),
        StatusCodeEntry(
            code: 450, meaning: "Mailbox unavailable for now",
            description: "The mailbox can't take mail at the moment: it is busy, locked or greylisted. The failure is temporary, and a later retry may succeed.",
            whenSimulated: "At mx.domain.com (connect mx.domain.com), RCPT TO:<dave@domain.com>: Dave is greylisted, and the same RCPT 5 simulated seconds later is accepted. Sent through smtp.example.com, the relay meets the 450, the message waits in the queue and the retry delivers it.",
            trigger: TriggerRecipe(preamble: .mxMailStarted, lines: ["RCPT TO:<dave@domain.com>"]),
            inSeedTable: true),
        StatusCodeEntry(
            code: 452, meaning: "Insufficient storage",
            description: "RFC 5321 names it 'insufficient system storage'. Servers also use it for too many recipients, which §4.5.3.1.10 asks for: the client should send the rest in another transaction.",
            whenSimulated: "In the tight-limits scenario (2 recipients at most), a third RCPT TO in one transaction: 452 4.5.3 Error: too many recipients.",
            trigger: TriggerRecipe(scenario: "tight-limits", preamble: .recipientAdded,
                                   lines: ["RCPT TO:<postmaster@domain.com>", "RCPT TO:<robert@domain.com>"]),
            inSeedTable: true),
        StatusCodeEntry(
            code: 500, meaning: "Syntax error",
            description: "The server didn't recognise the command at all, or the command line was too long.",
            whenSimulated: "An unknown verb (HELLO, a typo for HELO), an empty line, or a command line over 512 octets.",
            trigger: TriggerRecipe(preamble: .greeted, lines: ["HELLO client.example.com"]),
            inSeedTable: true),
        StatusCodeEntry(
            code: 501, meaning: "Bad arguments",
            description: "The command is known, but its arguments are malformed or missing.",
            whenSimulated: "MAIL FROM:alice@example.com (no angle brackets), junk right after the closing bracket (MAIL FROM:<a@b.c>> gets 501 5.1.7 Bad sender address syntax, RCPT 501 5.1.3), RCPT TO:<> (501 5.1.3), EHLO without a name, VRFY without an address, SIZE=abc, an AUTH line that isn't base64, or * to cancel AUTH.",
            trigger: TriggerRecipe(preamble: .authenticated, lines: ["MAIL FROM:alice@example.com"]),
            inSeedTable: false),
        StatusCodeEntry(
            code: 502, meaning: "Command not implemented",
            description: "A real SMTP command that this server chooses not to offer. The code differs from 500, which means 'never heard of it'.",
            whenSimulated: "EXPN, TURN, ETRN, ATRN, SEND, SOML or SAML.",
            trigger: TriggerRecipe(preamble: .greeted, lines: ["EXPN staff"]),
            inSeedTable: false),
        StatusCodeEntry(
            code: 503, meaning: "Bad sequence of commands",
            description: "The command is valid, but not at this point in the session (RFC 5321 §4.1.4).",
            whenSimulated: "RCPT TO before MAIL FROM, DATA before RCPT TO, MAIL before EHLO, a second MAIL, a second AUTH, STARTTLS after HELO, AUTH on the mx profile, or DATA, MAIL or RCPT after BDAT in the same transaction (RFC 3030 forbids mixing BDAT and DATA).",
            trigger: TriggerRecipe(preamble: .authenticated, lines: ["RCPT TO:<bob@domain.com>"]),
            inSeedTable: false),
        StatusCodeEntry(
            code: 504, meaning: "Parameter not implemented",
            description: "The command is known, but the server doesn't support this value of its parameter.",
            whenSimulated: "AUTH with a mechanism other than PLAIN or LOGIN (e.g. AUTH CRAM-MD5), or HELP with an unknown topic.",
            trigger: TriggerRecipe(preamble: .secured, lines: ["AUTH CRAM-MD5"]),
            inSeedTable: false),
        StatusCodeEntry(
            code: 521, meaning: "Closing: will not talk",
            description: "The server refuses to go on and closes the connection (RFC 7504 defines 521 for a host that accepts no mail at all). Postfix also uses it when it must hang up on a protocol error it cannot recover from.",
            whenSimulated: "A BDAT command without a valid size (BDAT, BDAT x): the server can't know where the chunk ends, so it answers 521 5.5.4 Syntax: BDAT count [LAST] and hangs up.",
            trigger: TriggerRecipe(preamble: .recipientAdded, lines: ["BDAT lots"]),
            inSeedTable: false),
        StatusCodeEntry(
            code: 530, meaning: "Authentication required",
            description: "The server won't do this until the client has secured the connection or logged in (RFC 3207, RFC 4954).",
            whenSimulated: "MAIL FROM on port 587 before STARTTLS (Must issue a STARTTLS command first), or after STARTTLS but before AUTH (Authentication required).",
            trigger: TriggerRecipe(preamble: .greeted, lines: ["MAIL FROM:<alice@example.com>"]),
            inSeedTable: false),
        StatusCodeEntry(
            code: 535, meaning: "Authentication failed",
            description: "The credentials were not accepted. A careful server doesn't say whether the user name or the password was wrong.",
            whenSimulated: "AUTH PLAIN or AUTH LOGIN with any login other than alice@example.com / wonderland.",
            trigger: TriggerRecipe(preamble: .secured, lines: ["AUTH PLAIN AGFsaWNlQGV4YW1wbGUuY29tAHBhc3N3b3JkMTIz"]),
            inSeedTable: true),
        StatusCodeEntry(
            code: 538, meaning: "Encryption required",
            description: "The chosen AUTH mechanism may be used only over an encrypted connection (RFC 4954 §6).",
            whenSimulated: "AUTH on port 587 before STARTTLS: 538 5.7.11.",
            trigger: TriggerRecipe(preamble: .greeted, lines: ["AUTH PLAIN \(SampleCredentials.plainInitialResponse)"]),
            inSeedTable: false),
        StatusCodeEntry(
            code: 550, meaning: "Mailbox not found",
            description: "Permanent: the action was not taken because the mailbox doesn't exist or may not be used. The client should not send the same request again unchanged (RFC 5321 §4.2.1).",
            whenSimulated: "At mx.domain.com (connect mx.domain.com), RCPT TO any name at domain.com without a mailbox, e.g. nobody@domain.com: 550 5.1.1 User unknown. Sent through smtp.example.com, the submission server accepts it (it cannot know domain.com's users) and the 550 comes back later, inside a bounce in Alice's mailbox. After the final dot, 550 5.7.26 (RFC 7372 §3.4) refuses a message whose From: domain's DMARC policy is p=reject when neither SPF nor DKIM passed for it (the spoofed-sender story).",
            trigger: TriggerRecipe(preamble: .mxMailStarted, lines: ["RCPT TO:<nobody@domain.com>"]),
            inSeedTable: true),
        StatusCodeEntry(
            code: 551, meaning: "User not local / refused",
            description: "RFC 5321 defines 551 as 'user not local, please try <forward-path>': the server won't forward. Postfix reuses the code for a request it refuses on principle.",
            whenSimulated: "BDAT 0 without LAST: a chunk that carries nothing and ends nothing (551 5.7.1 Null BDAT request).",
            trigger: TriggerRecipe(preamble: .recipientAdded, lines: ["BDAT 0"]),
            inSeedTable: false),
        StatusCodeEntry(
            code: 552, meaning: "Storage exceeded",
            description: "Too big to store: the mailbox is over its quota, or the message is larger than the server accepts (RFC 1870). For a full mailbox RFC 3463 means 5.2.2 as a lasting but temporary state (space may free up), so many servers answer 452 4.2.2 and the sender keeps trying; a 552 makes the sender give up at once.",
            whenSimulated: "At mx.domain.com, RCPT TO:<carol@domain.com> (mailbox full, 5.2.2; through smtp.example.com it becomes a bounce), or MAIL FROM with SIZE= over the limit, a message over it, or BDAT chunks that add up to more (5.3.4 Chunk exceeds message size limit); tight-limits sets the limit to 2 KB.",
            trigger: TriggerRecipe(preamble: .mxMailStarted, lines: ["RCPT TO:<carol@domain.com>"]),
            inSeedTable: true),
        StatusCodeEntry(
            code: 553, meaning: "Mailbox name not allowed",
            description: "The address is malformed or not permitted here, for example a syntax error or a sender the login doesn't own.",
            whenSimulated: "RCPT TO:<bob smith@domain.com> (unquoted space, 5.1.3), a domain literal that is no IP address such as <bob@[domain.com]> (5.1.3), a bad sender address (5.1.7), MAIL FROM:<bob@domain.com> as Alice (5.7.1), or a non-ASCII address without SMTPUTF8 (5.6.7).",
            trigger: TriggerRecipe(preamble: .mailStarted, lines: ["RCPT TO:<bob smith@domain.com>"]),
            inSeedTable: true),
        StatusCodeEntry(
            code: 554, meaning: "Transaction failed",
            description: "The transaction failed for good: the content was refused, relaying was denied, or no recipient was valid.",
            whenSimulated: "A message with a line containing GTUBE (5.7.1), DATA after every RCPT was refused (5.5.1), STARTTLS twice (5.5.1), mail to another domain on the mx profile (Relay access denied), or a line sent before the reply it had to wait for — right behind EHLO, DATA or NOOP, or before the greeting (554 5.5.0 Error: SMTP protocol synchronization, RFC 2920 §3.1; the server hangs up, as Postfix 3.9 does).",
            trigger: TriggerRecipe(preamble: .recipientAdded,
                                   lines: ["DATA", "Subject: test", "", "This line carries the GTUBE marker.", "."]),
            inSeedTable: true),
        StatusCodeEntry(
            code: 555, meaning: "Parameters not recognised",
            description: "The server doesn't know or support a parameter given with MAIL FROM or RCPT TO (RFC 5321 §4.1.1.11).",
            whenSimulated: "MAIL FROM:<alice@example.com> NOTIFY=NEVER (NOTIFY= belongs to RCPT), a RCPT parameter other than NOTIFY= and ORCPT=, or any MAIL parameter after plain HELO.",
            trigger: TriggerRecipe(preamble: .authenticated, lines: ["MAIL FROM:<alice@example.com> NOTIFY=NEVER"]),
            inSeedTable: false),
    ]

    public static func entry(_ code: Int) -> StatusCodeEntry? {
        all.first { $0.code == code }
    }

    // MARK: - Enhanced status codes (RFC 3463)

    /// The first number of an enhanced status code. It agrees with the first digit of the reply code.
    public static let enhancedClasses: [EnhancedStatusPart] = [
        EnhancedStatusPart(2, "success", "The action worked."),
        EnhancedStatusPart(4, "persistent transient failure", "It didn't work this time, but the same request may work later, so retry."),
        EnhancedStatusPart(5, "permanent failure", "It won't work if sent again unchanged, so don't retry."),
    ]

    /// The middle number: which part of the system the status is about.
    public static let enhancedSubjects: [EnhancedStatusPart] = [
        EnhancedStatusPart(0, "other", "No particular subject, or one not known."),
        EnhancedStatusPart(1, "addressing", "The sender's or recipient's address."),
        EnhancedStatusPart(2, "mailbox", "The recipient's mailbox: full, disabled, busy."),
        EnhancedStatusPart(3, "mail system", "The receiving server itself: disk, load, configuration."),
        EnhancedStatusPart(4, "network/routing", "Getting the message to the next server: DNS, connections, loops."),
        EnhancedStatusPart(5, "protocol", "The SMTP conversation: commands, their order and their syntax."),
        EnhancedStatusPart(6, "content/media", "The message content or its encoding."),
        EnhancedStatusPart(7, "security/policy", "Logins, encryption, permissions and filtering rules."),
    ]

    /// The subject.detail pairs this engine uses.
    public static let enhancedDetails: [EnhancedStatusDetail] = [
        EnhancedStatusDetail(0, 0, "other undefined status",
                             usedFor: "2.0.0 on general successes: RSET, NOOP, QUIT, VRFY, HELP, STARTTLS and the final dot."),
        EnhancedStatusDetail(1, 0, "other address status", usedFor: "2.1.0 when MAIL FROM accepts the sender."),
        EnhancedStatusDetail(1, 1, "bad destination mailbox address",
                             usedFor: "5.1.1 for RCPT TO a name that doesn't exist at domain.com."),
        EnhancedStatusDetail(1, 3, "bad destination mailbox address syntax",
                             usedFor: "5.1.3 for a recipient address that breaks the syntax rules, or RCPT TO:<>."),
        EnhancedStatusDetail(1, 5, "destination address valid", usedFor: "2.1.5 when RCPT TO accepts a recipient (250 or 251)."),
        EnhancedStatusDetail(1, 7, "bad sender's mailbox address syntax",
                             usedFor: "5.1.7 for a malformed address in MAIL FROM."),
        EnhancedStatusDetail(2, 0, "other or undefined mailbox status",
                             usedFor: "4.2.0 for the greylisted mailbox dave@domain.com."),
        EnhancedStatusDetail(2, 2, "mailbox full", usedFor: "5.2.2 for carol@domain.com, who is over quota."),
        EnhancedStatusDetail(3, 2, "system not accepting network messages",
                             usedFor: "4.3.2 when the server is shutting down."),
        EnhancedStatusDetail(3, 4, "message too big for system",
                             usedFor: "5.3.4 when SIZE= or the message itself is over the limit."),
        EnhancedStatusDetail(5, 1, "invalid command",
                             usedFor: "5.5.1 for commands out of order, or not offered (502)."),
        EnhancedStatusDetail(5, 2, "syntax error",
                             usedFor: "5.5.2 for unknown commands, over-long lines, and AUTH lines that aren't base64."),
        EnhancedStatusDetail(5, 3, "too many recipients", usedFor: "4.5.3 when a transaction is past the recipient limit."),
        EnhancedStatusDetail(5, 4, "invalid command arguments",
                             usedFor: "5.5.4 for malformed or unsupported arguments and parameters (501, 504, 555)."),
        EnhancedStatusDetail(6, 7, "non-ASCII addresses not permitted",
                             usedFor: "5.6.7 for a UTF-8 address when MAIL FROM didn't include SMTPUTF8.", rfc: "RFC 6531"),
        EnhancedStatusDetail(7, 0, "other or undefined security status",
                             usedFor: "2.7.0 on a successful login, 5.7.0 when STARTTLS or AUTH must come first or AUTH was cancelled, and 4.7.0 when the server hangs up after too many errors."),
        EnhancedStatusDetail(7, 1, "delivery not authorized, message refused",
                             usedFor: "5.7.1 for relay denied, a sender the login doesn't own, and content the filter refuses."),
        EnhancedStatusDetail(7, 8, "authentication credentials invalid",
                             usedFor: "5.7.8 for a wrong user name or password.", rfc: "RFC 4954"),
        EnhancedStatusDetail(7, 11, "encryption required for requested authentication mechanism",
                             usedFor: "5.7.11 for AUTH before STARTTLS.", rfc: "RFC 4954"),
        EnhancedStatusDetail(7, 26, "multiple authentication checks failed",
                             usedFor: "5.7.26 at an MX that checks senders, after the final dot, when DMARC fails and the From: domain asks for p=reject.",
                             rfc: "RFC 7372 §3.4"),
    ]

    public static func enhancedClass(_ value: Int) -> EnhancedStatusPart? {
        enhancedClasses.first { $0.value == value }
    }

    public static func enhancedSubject(_ value: Int) -> EnhancedStatusPart? {
        enhancedSubjects.first { $0.value == value }
    }

    public static func enhancedDetail(subject: Int, detail: Int) -> EnhancedStatusDetail? {
        enhancedDetails.first { $0.subject == subject && $0.detail == detail }
    }

    /// Spells a code out, e.g. 5.1.1 → "permanent failure · addressing · bad destination mailbox address".
    /// When the detail is not in the table, only class and subject are given.
    public static func describeEnhanced(_ code: EnhancedStatusCode) -> String {
        let klass = enhancedClass(code.klass)?.name ?? "class \(code.klass)"
        let subject = enhancedSubject(code.subject)?.name ?? "subject \(code.subject)"
        guard let detail = enhancedDetail(subject: code.subject, detail: code.detail) else {
            return "\(klass) · \(subject)"
        }
        return "\(klass) · \(subject) · \(detail.name)"
    }
}
