// The command reference: every SMTP command the simulator knows, with a replayable example exchange, a plain-words
// explanation and the replies this engine can give. The `.server` lines of each example are exactly what
// `ServerSession` answers after the entry's preamble (a test replays them), so keep them in step with the engine.

public enum CommandCatalogue {
    /// The seed page's eight commands first, in its order, then the ones it left out.
    public static let all: [CommandEntry] = [
        ehlo, mailFrom, rcptTo, data, quit, auth, startTLS, rset, bdat, noop, vrfy, help, expn,
    ]

    /// The entry with this id ("EHLO", "MAIL FROM", …), case-insensitively; "HELO" finds the EHLO entry.
    public static func entry(_ id: String) -> CommandEntry? {
        let wanted = id.uppercased() == "HELO" ? "EHLO" : id.uppercased()
        return all.first { $0.id.uppercased() == wanted }
    }

    // MARK: - EHLO / HELO

    static let ehlo = CommandEntry(
        id: "EHLO",
        title: "EHLO / HELO",
        summary: "Introduce your host to the server and ask which extensions it supports.",
        syntax: [
            "EHLO <domain>",
            "EHLO [address-literal]        e.g. EHLO [192.0.2.10]",
            "HELO <domain>",
        ],
        preamble: .connected,
        example: [
            .client("EHLO client.example.com"),
            .server("250-smtp.example.com Hello client.example.com"),
            .server("250-PIPELINING"),
            .server("250-SIZE 10240000"),
            .server("250-STARTTLS"),
            .server("250-ENHANCEDSTATUSCODES"),
            .server("250-8BITMIME"),
            .server("250-DSN"),
            .server("250-SMTPUTF8"),
            .server("250 CHUNKING"),
            .client("HELO client.example.com"),
            .server("250 smtp.example.com"),
        ],
        explanation: [
            """
            An SMTP session begins when the server sends its 220 greeting. The client's first command should then \
            be EHLO (or its older form HELO), followed by the client's own host name: the fully qualified name of \
            the machine that is connecting, or an address literal such as [192.0.2.10] if it has no name. The name \
            is a label, not a proof of who you are. The server notes it and writes it into the Received: header \
            of every message sent in this session, but it can't rely on it.
            """,
            """
            EHLO ("extended hello", RFC 5321 §4.1.1.1) is the modern form. Its answer is a multi-line 250 reply. \
            The first line greets you, and each line after it names one extension the server supports. A dash \
            after the code (250-) means more lines follow, and a space (250 ) marks the last line. This server \
            lists PIPELINING (RFC 2920: send a batch of commands without waiting for each answer, where EHLO, DATA, \
            NOOP, STARTTLS and a few others may only end a batch), SIZE (RFC 1870: \
            the largest message it takes, in octets), STARTTLS (RFC 3207: switch to encryption), \
            ENHANCEDSTATUSCODES (RFC 2034: the x.y.z code after each reply code), 8BITMIME (RFC 6152), DSN (RFC \
            3461: ask for delivery notices with RET=, ENVID=, NOTIFY= and ORCPT=), SMTPUTF8 (RFC 6531) and \
            CHUNKING (RFC 3030: send the message with BDAT in counted chunks instead of DATA), in the order \
            Postfix uses. A client may use only the extensions in this list.
            """,
            """
            HELO is the original command from RFC 821. It gets a single-line reply and switches on no extensions. \
            After HELO this server refuses STARTTLS and AUTH with 503 5.5.1, and it refuses every MAIL FROM \
            parameter with 555. The example sends HELO after EHLO only to show the difference. A real client \
            sends one or the other, and sends HELO only if the server rejected EHLO.
            """,
            """
            Order matters (RFC 5321 §4.1.4). MAIL, RCPT, DATA and AUTH sent before any hello get 503 5.5.1. \
            STARTTLS is the exception: RFC 3207 does not ask for a hello first, so this server (like Postfix) \
            answers it with 220 even then; a client still says EHLO first, because only the EHLO reply tells it \
            that STARTTLS is on offer. Wait for the EHLO reply before sending anything else: EHLO may only end a \
            batch (RFC 2920 §3.1), and a command sent right behind it gets 554 5.5.0 and a hang-up. You may send \
            EHLO again later: a new EHLO cancels any open transaction, just as RSET does. \
            After STARTTLS you must send EHLO again, because the TLS handshake wipes everything the server knew. \
            The new list is different too. On this port-587 server, STARTTLS drops out of the list once TLS is on, \
            and AUTH PLAIN LOGIN appears only then.
            """,
            """
            Where this simulator differs: real servers often check that the name resolves in DNS or matches the \
            connecting address, and some refuse names that are clearly made up. This one accepts any non-empty \
            name, and answers 501 5.5.4 only when the name is missing.
            """,
        ],
        replies: [
            ReplyNote("250", "EHLO: the greeting line, then one line per extension. HELO: a single line with the server's name."),
            ReplyNote("501 5.5.4", "No host name after EHLO or HELO."),
            ReplyNote("500 5.5.2", "The command line was longer than 512 octets including CRLF (RFC 5321 §4.5.3.1.4)."),
            ReplyNote("421 4.3.2", "The server is shutting down (the shutdown scenario): any command gets this reply, and then the connection closes."),
        ],
        related: ["STARTTLS", "AUTH", "MAIL FROM", "RSET"],
        rfc: "RFC 5321 §4.1.1.1",
        tryIt: "EHLO client.example.com")

    // MARK: - MAIL FROM

    static let mailFrom = CommandEntry(
        id: "MAIL FROM",
        title: "MAIL FROM",
        summary: "Start a mail transaction and give the envelope sender, the address that receives bounces.",
        syntax: [
            "MAIL FROM:<reverse-path> [SIZE=n] [BODY=7BIT|8BITMIME] [SMTPUTF8] [AUTH=addr-spec|AUTH=<>]",
            "          [RET=FULL|HDRS] [ENVID=xtext]   delivery notices (DSN, RFC 3461)",
            "MAIL FROM:<>                  the null sender, used by bounce messages",
        ],
        preamble: .authenticated,
        example: [
            .client("MAIL FROM:alice@example.com"),
            .server("501 5.5.4 Syntax: MAIL FROM:<address>"),
            .client("MAIL FROM:<bob@domain.com>"),
            .server("553 5.7.1 <bob@domain.com>: Sender address rejected: not owned by user alice@example.com"),
            .client("MAIL FROM:<alice@example.com> SIZE=2048 BODY=8BITMIME"),
            .server("250 2.1.0 Ok"),
        ],
        explanation: [
            """
            MAIL starts a new mail transaction. The address in angle brackets is the envelope sender, which RFC \
            5321 calls the reverse-path. If the message can't be delivered later, the bounce (a delivery status \
            notification) goes to this address. It doesn't have to match the From: header the reader sees. That \
            header is part of the message itself, which is sent later with DATA. The empty path <> is reserved \
            for bounces and other automatic notices, so a bounce can never cause another bounce.
            """,
            """
            When it is allowed: after EHLO or HELO, and only when no transaction is open. A second MAIL before \
            the first transaction ends gets 503 5.5.1 (nested MAIL command). This port-587 submission server \
            (RFC 6409) also wants encryption and a login first. Before STARTTLS it answers 530 5.7.0 Must issue \
            a STARTTLS command first. After TLS but before AUTH it answers 530 5.7.0 Authentication required. \
            Once you are logged in, it also checks that you send as one of your own addresses. In the example, \
            Alice may not send as Bob, so she gets 553 5.7.1. Postfix does the same with \
            reject_sender_login_mismatch.
            """,
            """
            Parameters come after the path. You may use them only after EHLO, and only for extensions the server \
            listed. SIZE=n (RFC 1870) gives the message size in octets up front, so a message that is too big is \
            refused now with 552 5.3.4 rather than after the whole upload. BODY=8BITMIME (RFC 6152) announces \
            bytes above 127 in the body, and BODY=7BIT says there are none. SMTPUTF8 (RFC 6531) allows UTF-8 in \
            addresses and headers. Without it, a non-ASCII address gets 553 5.6.7. AUTH= (RFC 4954 §5) names the \
            original submitter; this server accepts it and ignores it. RET=FULL or RET=HDRS (RFC 3461 §4.3) says \
            whether a bounce should carry the whole message or only its headers, and ENVID= (§4.4) is the \
            sender's own id for the transaction: every notice about it carries it back as Original-Envelope-Id \
            (§6.3). Both travel with the message, to the next server too (§5.2), and the bounces of this world \
            honour them (a malformed one gets 501 5.5.4 Bad RET/ENVID parameter syntax). Any other parameter, or any parameter \
            after plain HELO, gets 555 5.5.4 (RFC 5321 §4.1.1.11).
            """,
            """
            On success (250 2.1.0) the server remembers the sender and the parameters. It keeps them until the \
            final dot of DATA has been answered, or until RSET, a new EHLO, or QUIT throws them away. A malformed \
            address inside the brackets, such as one with an empty local part or a domain literal that is no IP \
            address, gets 553 5.1.7 (bad sender address syntax). Anything glued to the closing bracket, as in \
            MAIL FROM:<a@b.c>>, gets 501 5.1.7 Bad sender address syntax: the path itself is broken, which is not \
            the same as an unknown parameter (555).
            """,
            """
            Postfix's tolerances, which this server shares (strict_rfc821_envelopes = no): spaces after the colon \
            (MAIL FROM:   <…>), which the grammar doesn't allow; an address without a domain, which gets the \
            server's own domain appended (append_at_myorigin): here MAIL FROM:<alice> becomes alice@example.com, \
            the domain this submission server belongs to; a local part longer than the 64 octets of RFC 5321 \
            §4.5.3.1.1, because §4.5.3.1 asks servers to accept longer objects where they can; and needless quotes, \
            so "alice"@example.com is simply alice@example.com. Where this simulator differs: stock Postfix even \
            accepts MAIL FROM:alice@example.com without angle brackets, and some old scripts rely on that. The \
            RFC's grammar requires the brackets, so this server follows the RFC and answers 501 5.5.4.
            """,
        ],
        replies: [
            ReplyNote("250 2.1.0", "Sender accepted: a transaction is open, and RCPT may follow."),
            ReplyNote("501 5.5.4", "Malformed command: FROM: is missing, the address has no angle brackets, or the SIZE or BODY value is invalid."),
            ReplyNote("503 5.5.1", "Out of order: no EHLO/HELO yet, or a transaction is already open (nested MAIL)."),
            ReplyNote("530 5.7.0", "Submission profile: STARTTLS has not been done yet, or you have not logged in with AUTH yet."),
            ReplyNote("501 5.1.7", "Something is glued to the closing bracket, e.g. MAIL FROM:<a@b.c>> (Postfix: Bad sender address syntax)."),
            ReplyNote("553 5.1.7", "The address inside the brackets is malformed, for example an empty local part or a domain literal that is no IP address."),
            ReplyNote("553 5.7.1", "The logged-in user does not own this sender address."),
            ReplyNote("553 5.6.7", "The address has non-ASCII characters, but the SMTPUTF8 parameter was not given."),
            ReplyNote("552 5.3.4", "The SIZE= value is over the limit: 10240000 octets, or 2048 in tight-limits."),
            ReplyNote("555 5.5.4", "An unknown parameter, or any parameter after HELO (RFC 5321 §4.1.1.11)."),
            ReplyNote("421 4.3.2", "The server is shutting down, so the connection closes."),
            ReplyNote("421 4.7.0", "The 20th error without a delivered message (Postfix's smtpd_hard_error_limit): the server gives up and hangs up."),
        ],
        related: ["RCPT TO", "AUTH", "STARTTLS", "RSET", "EHLO"],
        rfc: "RFC 5321 §4.1.1.2",
        tryIt: "MAIL FROM:<alice@example.com>")

    // MARK: - RCPT TO

    static let rcptTo = CommandEntry(
        id: "RCPT TO",
        title: "RCPT TO",
        summary: "Add one recipient to the message. Send it once for each recipient.",
        syntax: [
            "RCPT TO:<forward-path> [NOTIFY=NEVER|SUCCESS,FAILURE,DELAY] [ORCPT=rfc822;xtext]",
            "RCPT TO:<postmaster>          must always be accepted (RFC 5321 §4.5.1)",
        ],
        preamble: .mxMailStarted,
        example: [
            .client("RCPT TO:<bob@domain.com>"),
            .server("250 2.1.5 Ok"),
            .client("RCPT TO:<nobody@domain.com>"),
            .server("550 5.1.1 <nobody@domain.com>: Recipient address rejected: User unknown in virtual mailbox table"),
            .client("RCPT TO:<robert@domain.com>"),
            .server("251 2.1.5 User not local; will forward to <bob@example.org>"),
            .client("RCPT TO:<carol@domain.com>"),
            .server("552 5.2.2 <carol@domain.com>: Recipient address rejected: Mailbox full"),
        ],
        explanation: [
            """
            Each RCPT adds one envelope recipient to the open transaction. The envelope decides where the message \
            goes, not the To: and Cc: headers. Bcc works because the hidden recipients are named in RCPT \
            commands while the copies the others get carry no Bcc: field (RFC 5322 §3.6.3; a Bcc recipient's own \
            copy may show one). The server answers every RCPT on its own, so one bad address doesn't \
            spoil the others. In the example, the message will go to Bob and to Robert's new address, even \
            though two of the four recipients were refused.
            """,
            """
            When it is allowed: after a successful MAIL and before DATA (RFC 5321 §4.1.4). Without MAIL you get \
            503 5.5.1 need MAIL command. The example is typed to mx.domain.com, domain.com's own server \
            (`connect mx.domain.com`, port 25), because only it knows its users. Alice's submission server \
            smtp.example.com cannot know them: once she is logged in it accepts any address with 250 and finds \
            out later, when it relays the message — a refusal then comes back to her as a bounce. Every name at \
            domain.com teaches one reply. bob@domain.com gets \
            250 2.1.5. nobody@domain.com doesn't exist, so it gets 550 5.1.1. robert@domain.com has moved, so \
            he gets 251 2.1.5, which means the server accepts and forwards (RFC 5321 §3.4). carol@domain.com is \
            over quota, so she gets 552 5.2.2. dave@domain.com is greylisted, so he gets 450 4.2.0: a temporary \
            no. A real mail server keeps the message and tries again later (RFC 5321 §4.5.4.1 asks for at least \
            30 minutes between attempts) and gets through, while many spam tools never retry.
            """,
            """
            Limits and relaying: RFC 5321 §4.5.3.1.8 asks servers to take at least 100 recipients per \
            transaction. Past the limit, the answer is 452 4.5.3 too many recipients, and the client should send \
            the message to the rest in another transaction (§4.5.3.1.10). The tight-limits scenario lowers the \
            limit to 2 so you can see this. Mail for other domains is relayed only for a logged-in user. On the \
            port-25 mx profile, any address outside domain.com gets 554 5.7.1 Relay access denied. A server that \
            relayed for anyone would be an open relay, and spammers would soon abuse it.
            """,
            """
            Special paths: <postmaster> with no domain is always accepted, because every mail domain must have a \
            postmaster. The null path <> is only for senders, so RCPT TO:<> gets 501 5.1.3 Bad recipient address \
            syntax, as in Postfix. Any other name without a domain is completed with the server's own domain \
            (Postfix's append_at_myorigin): on the port-25 mx profile, which is domain.com's server, RCPT \
            TO:<bob> means bob@domain.com. Quotes that aren't needed don't matter: <"bob"@domain.com> is Bob. A \
            domain literal must be an IP address ([192.0.2.1] or [IPv6:2001:db8::1]); <bob@[domain.com]> gets \
            553 5.1.3 for its syntax, not a relay refusal.
            """,
            """
            Delivery notices (DSN, RFC 3461): NOTIFY= says when the sender wants a notice about this recipient: \
            NEVER, or any of SUCCESS, FAILURE and DELAY (NOTIFY=SUCCESS,FAILURE asks to hear about delivery \
            either way; NEVER stands alone). Without it a server may act as if FAILURE or FAILURE,DELAY were given \
            (RFC 3461 §4.1); this one, like Postfix by default, takes FAILURE. ORCPT=rfc822;bob@domain.com keeps the \
            address as the original sender wrote it, so a notice still makes sense after forwarding has changed \
            it; its value is xtext, where "+" and "=" and anything unprintable are written +XX in hex. Both travel \
            with the message: smtp.example.com passes them on when it relays (RFC 3461 §5.2), writes a bounce \
            only where FAILURE was asked for, a "delivered" or "relayed" notice where SUCCESS was, a "delayed" \
            one while greylisted where DELAY was, and names the Original-Recipient only when ORCPT gave one.
            """,
            """
            Where this simulator differs: many large providers accept every RCPT and bounce later, which reveals \
            less to address harvesters. Real greylisting usually lasts minutes; here it lasts 5 seconds of \
            the simulation's clock (the diagram's "simulated time … s"). Many servers report a full mailbox as \
            a temporary 452 4.2.2 and hope that space frees up. This world uses the permanent 552 5.2.2.
            """,
        ],
        replies: [
            ReplyNote("250 2.1.5", "Recipient accepted: a local mailbox that exists, or (when logged in) an address at another domain that the server will relay to."),
            ReplyNote("251 2.1.5", "Not a local user, but the server knows where they went and will forward the mail (robert@domain.com)."),
            ReplyNote("450 4.2.0", "Greylisted: try the same recipient again later (dave@domain.com; 5 simulated seconds)."),
            ReplyNote("452 4.5.3", "Too many recipients in this transaction: send the rest in a new one."),
            ReplyNote("501 5.5.4", "Malformed command: TO: is missing, or the address has no angle brackets."),
            ReplyNote("503 5.5.1", "No MAIL yet (or no EHLO/HELO yet)."),
            ReplyNote("550 5.1.1", "No such user at domain.com."),
            ReplyNote("552 5.2.2", "The mailbox is full (carol@domain.com)."),
            ReplyNote("501 5.1.3", "RCPT TO:<>, or something glued to the closing bracket (Postfix: Bad recipient address syntax)."),
            ReplyNote("553 5.1.3", "The address breaks the syntax rules (for example an unquoted space), or its domain literal is no IP address."),
            ReplyNote("553 5.6.7", "A non-ASCII address, but MAIL FROM did not include SMTPUTF8."),
            ReplyNote("554 5.7.1", "Relay access denied: another domain, and you are not a logged-in submission user (mx profile)."),
            ReplyNote("501 5.5.4", "A malformed NOTIFY= or ORCPT= (Error: Bad NOTIFY/ORCPT parameter syntax)."),
            ReplyNote("503 5.5.1", "RCPT after BDAT: the recipients must all come before the first chunk."),
            ReplyNote("555 5.5.4", "A parameter other than NOTIFY= and ORCPT=, or any parameter after HELO."),
            ReplyNote("421 4.3.2", "The server is shutting down, so the connection closes."),
            ReplyNote("421 4.7.0", "The 20th error without a delivered message (smtpd_hard_error_limit): the server hangs up."),
        ],
        related: ["MAIL FROM", "DATA", "VRFY", "RSET"],
        rfc: "RFC 5321 §4.1.1.3",
        tryIt: "RCPT TO:<bob@domain.com>")

    // MARK: - DATA

    static let data = CommandEntry(
        id: "DATA",
        title: "DATA",
        summary: "Send the message itself (headers, a blank line, then the body), ending with a line holding only a dot.",
        syntax: [
            "DATA",
            "<header lines>, <empty line>, <body lines>",
            ".                             a line with only a dot ends the message",
        ],
        preamble: .recipientAdded,
        example: [
            .client("DATA"),
            .server("354 End data with <CR><LF>.<CR><LF>"),
            .client("From: Alice <alice@example.com>"),
            .client("To: Bob <bob@domain.com>"),
            .client("Subject: Lunch on Friday?"),
            .client(""),
            .client("Hi Bob, are you free on Friday at noon?"),
            .client("....or is Saturday better for you?"),
            .client("Alice"),
            .client("."),
            .server("250 2.0.0 Ok: queued as 09F1FD9D03"),
        ],
        explanation: [
            """
            DATA takes no argument. If at least one RCPT was accepted, the server answers 354, and from then on \
            every line you send is part of the message, not a command. The message uses the Internet Message \
            Format (RFC 5322): header lines such as From:, To: and Subject:, then an empty line, then the body. \
            The server adds a Received: line at the top; its "with" word names the protocol (RFC 3848: ESMTP, \
            ESMTPS over TLS, ESMTPSA when also logged in; RFC 6531 §4.3 adds UTF8SMTPS and the like for an \
            SMTPUTF8 message). As a \
            submission server, it also fills in a Message-ID: or Date: header if the client left one out (RFC \
            6409 §8). The port-25 mx profile leaves remote mail as it came, as Postfix has done since 2.6.
            """,
            """
            The message ends with a line that holds a single dot (CRLF . CRLF). A body line might really start \
            with a dot, so the client doubles any leading dot before sending it. This is called dot-stuffing \
            (RFC 5321 §4.5.2), and the server removes one dot again. In the example, Alice wrote \
            "...or is Saturday better for you?" with three dots. Her client sent four, and Bob's copy has three \
            again.
            """,
            """
            After the final dot, the server answers once for the whole message. 250 2.0.0 Ok: queued as \
            09F1FD9D03 means the server has taken responsibility for delivery (RFC 5321 §6.1). The queue id is \
            what an administrator searches for in the logs. The server can still refuse the message at this \
            point: 552 5.3.4 if it is bigger than the SIZE limit, or 554 5.7.1 if the content filter matches \
            (here, the GTUBE marker). Either way the transaction is over. RFC 5321 §4.5.3.1.6 limits a text line \
            to 1000 octets including CRLF, but real servers take longer lines (Postfix does, and so does this one, \
            up to the message size limit); a careful client wraps its lines or encodes the body. The session, TLS and your login stay, so the next \
            message can start with MAIL straight away.
            """,
            """
            Before the 354: with no MAIL you get 503 5.5.1 need MAIL command, and with MAIL but no RCPT you get \
            503 5.5.1 need RCPT command. If every RCPT was refused, you get 554 5.5.1 no valid recipients \
            (RFC 5321 §3.3 allows 503 or 554 here). With PIPELINING (RFC 2920), a client may send MAIL, the RCPTs \
            and DATA in one batch. DATA must be the last command of the batch, though (RFC 2920 §3.1): the client \
            waits for the 354 before sending any message text, because text after a refused DATA would be run as \
            commands. A server that finds text already waiting behind DATA answers 554 5.5.0 and hangs up, as \
            Postfix does since 3.9: that is the trick SMTP smuggling relies on.
            """,
            """
            Where this simulator differs: real servers time out a client that goes silent (RFC 5321 §4.5.3.2.7: \
            at least 5 minutes while waiting for the next command or line; `serve` uses 300 s), and a client waits \
            up to 10 minutes for the 250 after its final dot (§4.5.3.2.6), since the server may be checking the \
            message meanwhile. The simulation has no timeouts. This server also offers BDAT (CHUNKING, RFC 3030) as \
            an alternative to DATA; the two can't be mixed in one transaction (DATA after BDAT gets 503 5.5.1). \
            The queue id is calculated, not random, so replaying the \
            same session gives the same id.
            """,
        ],
        replies: [
            ReplyNote("354", "Go ahead: send the message and end it with a line holding only a dot."),
            ReplyNote("250 2.0.0", "After the final dot: the message was accepted and queued under the id shown."),
            ReplyNote("552 5.3.4", "After the final dot: the message is bigger than the size limit (10240000 octets, or 2048 in tight-limits)."),
            ReplyNote("554 5.7.1", "After the final dot: the content filter refused the message (a line contains GTUBE)."),
            ReplyNote("503 5.5.1", "No MAIL yet, or MAIL but no RCPT tried yet (or no EHLO/HELO)."),
            ReplyNote("554 5.5.1", "Every RCPT in this transaction was refused: no valid recipients."),
            ReplyNote("501 5.5.4", "DATA was sent with an argument; it takes none."),
            ReplyNote("421 4.3.2", "The server is shutting down, so the connection closes."),
        ],
        related: ["RCPT TO", "MAIL FROM", "QUIT", "RSET"],
        rfc: "RFC 5321 §4.1.1.4",
        tryIt: "DATA")

    // MARK: - BDAT

    static let bdat = CommandEntry(
        id: "BDAT",
        title: "BDAT (CHUNKING)",
        summary: "Send the message in counted chunks instead of DATA: no dot-stuffing, no end marker, every octet as it is.",
        syntax: [
            "BDAT <octets>                 then exactly that many octets of the message",
            "BDAT <octets> LAST            the last chunk; BDAT 0 LAST ends with an empty one",
        ],
        preamble: .recipientAdded,
        example: [
            .client("BDAT 13"),
            .client("Subject: Hi"),
            .server("250 2.0.0 Ok: 13 bytes"),
            .client("BDAT 13 LAST"),
            .client(""),
            .client("Hello Bob"),
            .server("250 2.0.0 Ok: 26 bytes queued as 09F1FD9D03"),
        ],
        explanation: [
            """
            BDAT ("binary data", RFC 3030) replaces DATA for servers that list CHUNKING in their EHLO reply. \
            Instead of ending the message with a line holding a dot, the client says in advance how many octets \
            come next: BDAT 13 is followed by exactly 13 octets, and the server reads exactly that many, whatever \
            they are. Nothing is dot-stuffed and nothing marks the end, so a line that starts with a dot, a bare \
            CR, or a NUL arrives as it was sent. The last chunk carries LAST, and its answer is the one that \
            counts: 250 2.0.0 Ok: 26 bytes queued as … means the whole message was accepted.
            """,
            """
            In the example every line you type ends with CR LF, and those two octets count: "Subject: Hi" is 11 \
            characters, so the chunk is 13. The second chunk is the empty line that ends the headers (2 octets) \
            and "Hello Bob" with its line end (11). Count wrong and the server keeps reading what you meant as \
            the next command, or takes part of your message for one: that is why a client program computes chunk \
            sizes, and why people at a keyboard use DATA.
            """,
            """
            Each chunk gets its own reply (250 2.0.0 Ok: 13 bytes, in Postfix's words), and with PIPELINING a \
            client may send many chunks without waiting. The rules of the transaction stay those of DATA: MAIL and \
            at least one accepted RCPT first (503 5.5.1 need MAIL/RCPT command otherwise), and after the first \
            chunk neither RCPT, nor MAIL, nor DATA (503 5.5.1 RCPT/MAIL/DATA after BDAT; RFC 3030 forbids mixing \
            BDAT and DATA) until LAST or RSET ends it. A refused BDAT still has its octets read and thrown away, \
            because otherwise they would be taken for commands.
            """,
            """
            Errors: a chunk that would take the message over the size limit gets 552 5.3.4 Chunk exceeds message \
            size limit, and so does every later chunk of that transaction until LAST. BDAT 0 without LAST gets \
            551 5.7.1 Null BDAT request. A BDAT line without a valid size is fatal: the server can't know where \
            the chunk ends, so, like Postfix, it answers 521 5.5.4 Syntax: BDAT count [LAST] and hangs up.
            """,
            """
            Where this simulator differs: Postfix offers CHUNKING without BINARYMIME, as this server does, so the \
            content should still be text in lines; BDAT just carries it without changes. The content filter still \
            looks for GTUBE.
            """,
        ],
        replies: [
            ReplyNote("250 2.0.0", "A chunk was read (Ok: n bytes); after LAST, the message was accepted (Ok: n bytes queued as …)."),
            ReplyNote("503 5.5.1", "No MAIL or no accepted RCPT yet, or DATA, MAIL or RCPT after BDAT in the same transaction."),
            ReplyNote("551 5.7.1", "BDAT 0 without LAST: a chunk that carries nothing and ends nothing."),
            ReplyNote("552 5.3.4", "The chunks add up to more than the size limit (10240000 octets, 2048 in tight-limits)."),
            ReplyNote("554 5.5.1", "Every RCPT of the transaction was refused: no valid recipients."),
            ReplyNote("554 5.7.1", "After LAST: the content filter refused the message (GTUBE)."),
            ReplyNote("521 5.5.4", "No valid size after BDAT: the server can't find the end of the chunk and hangs up."),
        ],
        related: ["DATA", "EHLO", "RCPT TO"],
        rfc: "RFC 3030 §2",
        tryIt: "BDAT 0 LAST")

    // MARK: - QUIT

    static let quit = CommandEntry(
        id: "QUIT",
        title: "QUIT",
        summary: "End the session. The server answers 221 and closes the connection.",
        syntax: ["QUIT"],
        preamble: .recipientAdded,
        example: [
            .client("QUIT"),
            .server("221 2.0.0 Bye"),
        ],
        explanation: [
            """
            QUIT asks the server to end the session. The server answers 221 2.0.0 and closes the TCP connection. \
            A well-behaved client sends QUIT and waits for the 221 before closing its own side (RFC 5321 \
            §4.1.1.10). A server, in turn, shouldn't drop a client without a reason, such as a shutdown (421).
            """,
            """
            QUIT is allowed at any time, even before EHLO. In the example it comes in the middle of a \
            transaction: the sender and Bob's address are set, but no DATA has been sent. The server throws the \
            unfinished transaction away, and nothing is delivered. The server is responsible only for messages \
            whose final dot was answered with 250. Everything else is forgotten when the connection ends.
            """,
            """
            Clients that send several messages reuse one connection and send QUIT only at the end. RFC 5321 \
            §4.1.1.10 is strict about the end: the client MUST NOT close the connection before it has sent QUIT \
            (and SHOULD wait for the 221), and the server MUST NOT close it before it has received and answered \
            QUIT — except with 421, after a timeout, or when a client breaks the protocol (§3.8). Servers log a \
            client that just disappears as a lost connection, and this simulator discards any unfinished message \
            then, as they do.
            """,
        ],
        replies: [
            ReplyNote("221 2.0.0", "Goodbye: the server closes the connection."),
            ReplyNote("421 4.3.2", "The server was shutting down anyway and answers every command with 421."),
        ],
        related: ["RSET", "DATA", "NOOP"],
        rfc: "RFC 5321 §4.1.1.10",
        tryIt: "QUIT")

    // MARK: - AUTH

    static let auth = CommandEntry(
        id: "AUTH",
        title: "AUTH",
        summary: "Log in with a SASL mechanism so that the submission server will send mail for you.",
        syntax: [
            "AUTH PLAIN [initial-response]   base64 of \\0username\\0password",
            "AUTH LOGIN [base64-username]    then answer each 334 with a base64 line",
            "*                             a line with only an asterisk cancels the exchange",
        ],
        preamble: .secured,
        example: [
            .client("AUTH PLAIN AGFsaWNlQGV4YW1wbGUuY29tAHBhc3N3b3JkMTIz"),
            .server("535 5.7.8 Error: authentication failed: authentication failure"),
            .client("AUTH LOGIN"),
            .server("334 VXNlcm5hbWU6"),
            .client("YWxpY2VAZXhhbXBsZS5jb20="),
            .server("334 UGFzc3dvcmQ6"),
            .client("d29uZGVybGFuZA=="),
            .server("235 2.7.0 Authentication successful"),
        ],
        explanation: [
            """
            A submission server on port 587 sends mail to any domain, but only for people it knows, so the \
            client logs in first. AUTH (RFC 4954) carries a SASL login, and the mechanisms on offer are listed \
            in the EHLO line AUTH PLAIN LOGIN. PLAIN (RFC 4616) sends one base64 string: an optional \
            authorization id, a zero byte, the user name, a zero byte, and the password. That string can go on \
            the AUTH line itself (the initial response), or after the server's empty "334 " prompt. LOGIN is \
            older and was never standardised, but it is still widely used. It asks for the user name and the \
            password separately. Its 334 prompts are base64 for "Username:" and "Password:".
            """,
            """
            In the example, the first attempt decodes to alice@example.com with the password password123. It \
            gets 535 5.7.8. The server gives the same answer whether the user or the password was wrong, so an \
            attacker can't use it to find out which accounts exist. The LOGIN attempt then sends \
            alice@example.com and wonderland, and gets 235 2.7.0. The server remembers the login until the \
            session ends.
            """,
            """
            Base64 is an encoding, not encryption: anyone who sees the line can decode the password. That is why \
            this server offers AUTH only after STARTTLS (like Postfix's smtpd_tls_auth_only = yes). Before TLS, \
            AUTH is missing from the EHLO list. If you send AUTH anyway, the answer is 538 5.7.11 Encryption \
            required for requested authentication mechanism (RFC 4954 §6, which keeps that code for historical \
            purposes: modern servers simply don't offer the mechanism, as this one doesn't). With AUTH LOGIN \
            nothing secret has crossed yet; but AUTH PLAIN with its initial response has already sent the \
            password in the clear, which is why a careful client never tries.
            """,
            """
            When it is allowed: after EHLO (after HELO it gets 503, because HELO turns on no extensions), once TLS \
            is on, once per session (a second AUTH gets 503 5.5.1 already authenticated), and never in the \
            middle of a transaction. An unknown mechanism gets 504 5.5.4. A reply that isn't valid base64 gets \
            501 5.5.2. A line with only * cancels the exchange and gets 501 5.7.0.
            """,
            """
            Where this simulator differs: real providers offer more mechanisms (SCRAM, or OAuth 2.0 through \
            XOAUTH2 or OAUTHBEARER), and big ones such as Gmail and Microsoft 365 no longer accept plain passwords \
            from most accounts. Real servers also slow down or block repeated failures. The mx profile (port 25) \
            has no AUTH at all and answers 503 5.5.1, because servers that receive mail for their own domains \
            need no login.
            """,
        ],
        replies: [
            ReplyNote("334", "Go on: the server waits for the next base64 line (empty for PLAIN, \"Username:\" or \"Password:\" for LOGIN)."),
            ReplyNote("235 2.7.0", "Logged in: MAIL FROM is now allowed, for your own addresses."),
            ReplyNote("535 5.7.8", "Wrong user name or password. The reply doesn't say which."),
            ReplyNote("538 5.7.11", "AUTH before STARTTLS: this server requires encryption for every mechanism."),
            ReplyNote("503 5.5.1", "Out of order: no EHLO yet, only HELO, already logged in, a transaction is open, or the mx profile (AUTH not enabled)."),
            ReplyNote("504 5.5.4", "A mechanism this server doesn't offer (only PLAIN and LOGIN)."),
            ReplyNote("501 5.5.2", "A reply that isn't valid base64."),
            ReplyNote("501 5.7.0", "The client cancelled the exchange with *."),
            ReplyNote("501 5.5.4", "No mechanism named, or too many words on the AUTH line."),
            ReplyNote("421 4.3.2", "The server is shutting down, so the connection closes."),
            ReplyNote("421 4.7.0", "The 20th error without a delivered message, for example repeated wrong passwords: the server hangs up."),
        ],
        related: ["STARTTLS", "EHLO", "MAIL FROM"],
        rfc: "RFC 4954 §4",
        tryIt: "AUTH PLAIN \(SampleCredentials.plainInitialResponse)")

    // MARK: - STARTTLS

    static let startTLS = CommandEntry(
        id: "STARTTLS",
        title: "STARTTLS",
        summary: "Switch the plain-text connection to an encrypted TLS connection.",
        syntax: ["STARTTLS"],
        preamble: .greeted,
        example: [
            .client("STARTTLS"),
            .server("220 2.0.0 Ready to start TLS"),
            .client("EHLO client.example.com"),
            .server("250-smtp.example.com Hello client.example.com"),
            .server("250-PIPELINING"),
            .server("250-SIZE 10240000"),
            .server("250-AUTH PLAIN LOGIN"),
            .server("250-ENHANCEDSTATUSCODES"),
            .server("250-8BITMIME"),
            .server("250-DSN"),
            .server("250-SMTPUTF8"),
            .server("250 CHUNKING"),
        ],
        explanation: [
            """
            A session on port 587 starts in plain text. STARTTLS (RFC 3207) asks to switch: the server answers \
            220 2.0.0 Ready to start TLS, and both sides run a TLS handshake on the same TCP connection. \
            Everything after the handshake is encrypted. This simulator skips the real handshake and behaves as \
            if it had succeeded. (Port 465 uses implicit TLS instead, RFC 8314: the connection is encrypted from \
            the first byte, and there is no STARTTLS.)
            """,
            """
            After the handshake, both sides start over (RFC 3207 §4.2). The server forgets everything it learned \
            in plain text: the EHLO name, the extensions it listed, any login. The client must send EHLO again, \
            and the new list is different. STARTTLS is gone, and on this server AUTH now appears. The reason: an \
            attacker on the path could have changed the plain-text part. Removing the STARTTLS line to keep you \
            unencrypted is called STARTTLS stripping. So nothing said before encryption can be trusted \
            afterwards.
            """,
            """
            For the same reason, STARTTLS must be the last command in a pipelined batch. The client has to wait \
            for the 220 and do the handshake before it sends anything else. If plain-text commands arrive \
            straight after STARTTLS, in the same packet, this server throws them away unread. In 2011, several \
            servers were found to run such commands as if they had arrived over TLS (the STARTTLS command \
            injection bug). Discarding them is the fix.
            """,
            """
            When it is allowed: after EHLO, or as the very first command (RFC 3207 doesn't require EHLO first, \
            and Postfix and aiosmtpd accept it), but not after HELO (503 5.5.1, since HELO turns on no \
            extensions), not during a transaction (503 5.5.1), and not twice (554 5.5.1 TLS already active). STARTTLS takes no \
            argument (501 5.5.4). On this submission server, MAIL FROM before STARTTLS gets 530 5.7.0 Must issue \
            a STARTTLS command first.
            """,
            """
            Where this simulator differs: a real handshake can fail, and a server that can't do TLS right now \
            answers 454 4.7.0. A real client must also check the server's certificate, or an attacker could \
            simply present their own. On port 25, STARTTLS is offered but optional: RFC 3207 §4 says a public \
            server must not require it for mail to its own domains.
            """,
        ],
        replies: [
            ReplyNote("220 2.0.0", "Ready: the TLS handshake follows, and then the session starts over. Send EHLO again."),
            ReplyNote("503 5.5.1", "Only HELO was sent (HELO turns on no extensions), or a mail transaction is open."),
            ReplyNote("554 5.5.1", "TLS is already active on this connection."),
            ReplyNote("501 5.5.4", "STARTTLS was given an argument; it takes none."),
            ReplyNote("421 4.3.2", "The server is shutting down, so the connection closes."),
            ReplyNote("421 4.7.0", "The 20th error without a delivered message (smtpd_hard_error_limit): the server hangs up."),
        ],
        related: ["EHLO", "AUTH", "MAIL FROM"],
        rfc: "RFC 3207 §4",
        tryIt: "STARTTLS")

    // MARK: - RSET

    static let rset = CommandEntry(
        id: "RSET",
        title: "RSET",
        summary: "Abandon the current mail transaction and start over on the same connection.",
        syntax: ["RSET"],
        preamble: .recipientAdded,
        example: [
            .client("RSET"),
            .server("250 2.0.0 Ok"),
            .client("RCPT TO:<bob@domain.com>"),
            .server("503 5.5.1 Error: need MAIL command"),
            .client("MAIL FROM:<alice@example.com>"),
            .server("250 2.1.0 Ok"),
        ],
        explanation: [
            """
            RSET throws away the current transaction: the sender, the recipients and any message text. The \
            server answers 250 2.0.0 Ok. The session itself survives: the EHLO name, TLS and your login all \
            stay. In the example, the RCPT straight after RSET gets 503 because the MAIL is gone, but a new MAIL \
            works at once, without logging in again.
            """,
            """
            RSET is allowed at any time (RFC 5321 §4.1.4), even when no transaction is open. It then changes \
            nothing and still answers 250. Clients use it to get back to a known state after an error, and \
            between messages on a reused connection. The one place it doesn't work is after the 354 of DATA. \
            There, RSET is just another line of the message text, and only the final dot ends the message.
            """,
            """
            RSET takes no argument, and one gets 501 5.5.4. A new EHLO also resets the transaction, and so does \
            STARTTLS, which resets the whole session, login included. QUIT ends the transaction along with the \
            connection.
            """,
        ],
        replies: [
            ReplyNote("250 2.0.0", "Transaction cleared (or there was none): the session, TLS and login stay."),
            ReplyNote("501 5.5.4", "RSET was given an argument; it takes none."),
            ReplyNote("421 4.3.2", "The server is shutting down, so the connection closes."),
        ],
        related: ["MAIL FROM", "QUIT", "EHLO"],
        rfc: "RFC 5321 §4.1.1.5",
        tryIt: "RSET")

    // MARK: - NOOP

    static let noop = CommandEntry(
        id: "NOOP",
        title: "NOOP",
        summary: "Do nothing except get a 250: a check that the server is still there.",
        syntax: ["NOOP [text, ignored]"],
        preamble: .greeted,
        example: [
            .client("NOOP"),
            .server("250 2.0.0 Ok"),
            .client("NOOP are you still there?"),
            .server("250 2.0.0 Ok"),
        ],
        explanation: [
            """
            NOOP ("no operation") changes nothing, and the server answers 250 2.0.0 Ok. Clients use it to keep \
            an idle connection from timing out, and to check that the server still responds before they start \
            the next message. Any text after NOOP is allowed and ignored (RFC 5321 §4.1.1.9).
            """,
            """
            NOOP is allowed at any time, even before EHLO and in the middle of a transaction. It is left alone. \
            In a PIPELINING batch it counts as a synchronisation point: RFC 2920 allows NOOP only as the last \
            command of a batch, so the client can wait for its reply and know that every earlier command has \
            been answered.
            """,
            """
            NOOP's 250 does not wipe out earlier mistakes. Like Postfix, this server counts every error a client \
            makes without delivering a message, and only a delivered message resets the count. From the 10th \
            error on (smtpd_soft_error_limit) every reply, NOOP's too, comes a second later; at the 20th \
            (smtpd_hard_error_limit) the server says 421 4.7.0 Error: too many errors and hangs up.
            """,
        ],
        replies: [
            ReplyNote("250 2.0.0", "Nothing done, and all is well."),
            ReplyNote("421 4.3.2", "The server is shutting down, so the connection closes."),
        ],
        related: ["RSET", "QUIT", "HELP"],
        rfc: "RFC 5321 §4.1.1.9",
        tryIt: "NOOP")

    // MARK: - VRFY

    static let vrfy = CommandEntry(
        id: "VRFY",
        title: "VRFY",
        summary: "Ask whether an address exists. On port 587 the 252 answer deliberately tells you nothing; the mx profile answers as Postfix does.",
        syntax: ["VRFY <user name or address>"],
        preamble: .greeted,
        example: [
            .client("VRFY bob@domain.com"),
            .server("252 2.0.0 Cannot VRFY user, but will accept message and attempt delivery"),
            .client("VRFY nobody@domain.com"),
            .server("252 2.0.0 Cannot VRFY user, but will accept message and attempt delivery"),
        ],
        explanation: [
            """
            VRFY ("verify", RFC 5321 §3.5) was meant to let a client check an address before sending to it. The \
            server would answer 250 with the full mailbox if the user existed, and 550 if not. That made it a \
            gift to spammers, who could test thousands of guessed names and keep the ones that worked. Attackers \
            used it the same way to find user names for password guessing.
            """,
            """
            So many servers no longer answer honestly, or at all. RFC 5321 §7.3 lets a site turn VRFY off, and \
            §3.5.3 defines 252 for exactly this case: the server won't confirm the address, but it will take a \
            message for it and try to deliver it. This port-587 server does that: in the example, Bob (who \
            exists) and nobody (who doesn't) get the same 252, so the reply reveals nothing; §7.3 says a server \
            that turns VRFY off for security reasons MUST answer so. Postfix turns it off with \
            disable_vrfy_command = yes, which most hardening guides recommend, but answers 502 5.5.1 VRFY command \
            is disabled, which §3.5.3 calls not fully compliant. Turning VRFY off costs little: a sender learns the same thing from RCPT TO, inside a \
            transaction, where the server can count, slow down (Postfix's error limits) and log the attempts.
            """,
            """
            The port-25 mx profile answers as stock Postfix does, with VRFY enabled and listed in EHLO. It runs \
            the same recipient checks as RCPT TO: VRFY bob@domain.com gets 252 2.0.0 bob@domain.com (Postfix \
            repeats the argument as you typed it, and says 252 rather than 250 because a mailbox could still \
            refuse the message later), VRFY nobody@domain.com gets 550 5.1.1 User unknown, and an address at \
            another domain gets 554 5.7.1 Relay access denied. VRFY bob works too: like RCPT, the server adds its \
            own domain. Try it with `smtp-tui serve --stdio --profile mx` and you have seen why VRFY is a \
            harvester's tool.
            """,
            """
            VRFY is allowed at any time, even before EHLO, and it changes nothing in the session. Without an \
            argument it gets 501 5.5.4; an argument that is no address (such as <>) gets 501 5.1.3. A 550 or 554 \
            to VRFY counts as an error towards the server's error limits.
            """,
        ],
        replies: [
            ReplyNote("252 2.0.0", "Port 587: for every address, whether or not it exists. Mx profile: the mailbox exists (the address is repeated as given)."),
            ReplyNote("550 5.1.1", "Mx profile: no such user at domain.com."),
            ReplyNote("554 5.7.1", "Mx profile: an address at another domain (Relay access denied)."),
            ReplyNote("501 5.1.3", "Mx profile: the argument is not an address."),
            ReplyNote("501 5.5.4", "VRFY without an address."),
            ReplyNote("421 4.3.2", "The server is shutting down, so the connection closes."),
            ReplyNote("421 4.7.0", "The 20th error without a delivered message (smtpd_hard_error_limit): the server hangs up."),
        ],
        related: ["EXPN", "RCPT TO", "HELP"],
        rfc: "RFC 5321 §4.1.1.6",
        tryIt: "VRFY bob@domain.com")

    // MARK: - HELP

    static let help = CommandEntry(
        id: "HELP",
        title: "HELP",
        summary: "Ask the server for its command list, for one command's syntax, or (here) for the session status.",
        syntax: [
            "HELP",
            "HELP <command>                e.g. HELP MAIL",
            "HELP STATUS                   this simulator: where the session stands",
        ],
        preamble: .recipientAdded,
        example: [
            .client("HELP"),
            .server("214-2.0.0 Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP STARTTLS AUTH"),
            .server("214-2.0.0 Try HELP <command> for its syntax, or HELP STATUS for the session status"),
            .server("214 2.0.0 End of HELP info"),
            .client("HELP RCPT"),
            .server("214 2.0.0 RCPT TO:<forward-path> [NOTIFY=NEVER|SUCCESS,FAILURE,DELAY] [ORCPT=rfc822;address]"),
            .client("HELP STATUS"),
            .server("211-2.0.0 smtp.example.com status"),
            .server("211-2.0.0 phase rcpt, TLS on, authenticated alice@example.com"),
            .server("211-2.0.0 1 recipient(s) in this transaction, scenario normal"),
            .server("211 2.0.0 End of status"),
        ],
        explanation: [
            """
            HELP returns help text for a person at a keyboard, with reply code 214 (RFC 5321 §4.1.1.8). Programs \
            shouldn't parse it, because every server words it differently. HELP alone lists the commands this \
            server knows. HELP followed by a command name shows that command's syntax. A topic the server \
            doesn't know gets 504 5.5.4.
            """,
            """
            HELP STATUS is this simulator's own addition. It answers with 211, the "system status" code, and \
            reports where the session stands: the phase in RFC 5321's order of commands, whether TLS is on, who \
            is logged in, how many recipients the open transaction has, and which scenario is active. Use it \
            whenever you lose track. In the example it shows a transaction with one recipient, over TLS, logged \
            in as Alice.
            """,
            """
            HELP is allowed at any time and changes nothing, not even an open transaction. The list names only \
            what this server offers: on the port-25 mx profile there is no AUTH, so neither the list nor HELP \
            AUTH mentions it. Where this simulator differs: many real servers answer HELP with one short line or \
            a web address; Postfix answered 502 5.5.2 command not recognized until version 3.9, which lists its \
            commands in one 214 line.
            """,
        ],
        replies: [
            ReplyNote("214 2.0.0", "The help text: the command list, or one command's syntax."),
            ReplyNote("211 2.0.0", "HELP STATUS: the session's phase, TLS, login, recipients and scenario."),
            ReplyNote("504 5.5.4", "A HELP topic this server doesn't know."),
            ReplyNote("421 4.3.2", "The server is shutting down, so the connection closes."),
        ],
        related: ["NOOP", "EHLO", "VRFY"],
        rfc: "RFC 5321 §4.1.1.8",
        tryIt: "HELP")

    // MARK: - EXPN

    static let expn = CommandEntry(
        id: "EXPN",
        title: "EXPN",
        summary: "Expand a mailing list into its members. Not implemented here, as on nearly every public server: 502.",
        syntax: ["EXPN <mailing list>"],
        preamble: .greeted,
        example: [
            .client("EXPN staff"),
            .server("502 5.5.1 Error: command not implemented"),
        ],
        explanation: [
            """
            EXPN ("expand", defined in RFC 5321 §4.1.1.7, explained in §3.5.1 and §3.5.4) asks the server for the \
            members of a mailing list or an alias. It works like VRFY, but one command can reveal a whole group of \
            addresses at once, including internal names and where mail is forwarded. That is exactly what \
            spammers and attackers want to collect.
            """,
            """
            This server does not implement EXPN: it answers 502 5.5.1 command not implemented. The 502 code (not \
            500) says the command is a real SMTP command that this server does not offer (RFC 5321 §4.2.4), and a \
            server that offers EXPN must list it in its EHLO reply (§3.5.2), which this one does not. RFC 5321 \
            §3.5.1 says servers SHOULD support VRFY and EXPN, and §7.3 adds that a site which has them but turns \
            them off for security reasons MUST answer 252, not a code that looks like a verdict; few do (Postfix \
            does not even recognise EXPN: 500, and answers 502 for VRFY when it is disabled). The same 502 goes to \
            other old or unoffered commands: TURN, ETRN, ATRN, SEND, SOML and SAML.
            """,
            """
            EXPN changes nothing in the session, but the 502 counts as an error. As in Postfix, 10 errors \
            without a delivered message slow every reply down by a second, and 20 end the session with 421 4.7.0.
            """,
        ],
        replies: [
            ReplyNote("502 5.5.1", "The command is known, but this server doesn't offer it, so no list is ever expanded."),
            ReplyNote("421 4.3.2", "The server is shutting down, so the connection closes."),
            ReplyNote("421 4.7.0", "The 20th error without a delivered message (smtpd_hard_error_limit): the server hangs up."),
        ],
        related: ["VRFY", "HELP"],
        rfc: "RFC 5321 §4.1.1.7",
        tryIt: "EXPN staff")
}
