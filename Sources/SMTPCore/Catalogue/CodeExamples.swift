// Ready-to-run snippets that send the example message (alice@example.com → bob@domain.com through
// smtp.example.com:587, STARTTLS then AUTH), one per popular tool. Shown in the reference's "Code" view.

public enum CodeExamples {
    public static let all: [CodeExample] = [python, swaks, curl, node, go, openssl]

    public static func example(_ id: String) -> CodeExample? {
        all.first { $0.id == id.lowercased() }
    }

    static let python = CodeExample(
        id: "python",
        title: "Python · smtplib",
        language: .python,
        code: #"""
            import smtplib
            import ssl
            from email.mime.multipart import MIMEMultipart
            from email.mime.text import MIMEText

            sender = "alice@example.com"
            recipient = "bob@domain.com"

            # Build the message: headers first, then a plain-text part.
            message = MIMEMultipart()
            message["From"] = sender
            message["To"] = recipient
            message["Subject"] = "Lunch on Friday?"
            message.attach(MIMEText("Hi Bob,\nare you free on Friday at noon?\nAlice", "plain"))

            # Port 587 starts in plain text: STARTTLS first, then log in, then send.
            context = ssl.create_default_context()   # checks the server's certificate
            with smtplib.SMTP("smtp.example.com", 587) as server:
                server.ehlo("client.example.com")
                server.starttls(context=context)      # 220 2.0.0 Ready to start TLS
                server.ehlo("client.example.com")     # the list now offers AUTH
                server.login(sender, "wonderland")    # 235 2.7.0
                refused = server.sendmail(sender, [recipient], message.as_string())

            # sendmail() raises if every recipient is refused; otherwise it returns the refused ones.
            print("Sent. Refused recipients:", refused or "none")
            """#,
        notes: """
            Uses only Python's standard library (smtplib, ssl and email), so it runs with any python3. It takes \
            the same steps as a session by hand: EHLO, STARTTLS, EHLO again, AUTH (login), then MAIL FROM, \
            RCPT TO and DATA, all inside sendmail(). Passing an SSL context makes starttls() check the \
            server's certificate.
            """)

    static let swaks = CodeExample(
        id: "swaks",
        title: "Shell · swaks",
        language: .shell,
        code: #"""
            # Send one message through the submission port: STARTTLS, AUTH PLAIN, then the mail.
            swaks --server smtp.example.com --port 587 \
                  --tls \
                  --auth PLAIN \
                  --auth-user alice@example.com \
                  --auth-password wonderland \
                  --helo client.example.com \
                  --from alice@example.com \
                  --to bob@domain.com \
                  --header "Subject: Lunch on Friday?" \
                  --body "Hi Bob, are you free on Friday at noon?"

            # swaks prints the whole session: -> marks the client's lines and <- the server's
            # (~> and <~ once TLS is on).

            # Try it against this simulator with no network at all. The mx profile needs no TLS or AUTH
            # for mail to domain.com:
            swaks --pipe 'smtp-tui serve --stdio --profile mx' \
                  --from alice@example.com --to bob@domain.com
            """#,
        notes: """
            swaks (the Swiss Army Knife for SMTP) is a single Perl script made for testing mail servers. \
            Install it with your package manager (apt install swaks, brew install swaks). --tls insists on \
            STARTTLS, and swaks gives up if the server doesn't offer it.
            """)

    static let curl = CodeExample(
        id: "curl",
        title: "Shell · curl",
        language: .shell,
        code: #"""
            # curl sends the file as it is, so write the whole message first:
            # headers, an empty line, then the body.
            cat > message.txt <<'EOF'
            From: Alice <alice@example.com>
            To: Bob <bob@domain.com>
            Subject: Lunch on Friday?

            Hi Bob, are you free on Friday at noon?
            Alice
            EOF

            # smtp:// connects in plain text; --ssl-reqd makes curl do STARTTLS
            # (or fail) before it sends the password with AUTH. The URL's path is
            # the name curl gives with EHLO, and --crlf turns the file's line ends
            # into the CRLF that SMTP requires (RFC 5321 §2.3.8).
            curl --url 'smtp://smtp.example.com:587/client.example.com' \
                 --ssl-reqd \
                 --crlf \
                 --user 'alice@example.com:wonderland' \
                 --mail-from 'alice@example.com' \
                 --mail-rcpt 'bob@domain.com' \
                 --upload-file message.txt

            # Add --verbose to watch the SMTP commands and replies go by.
            """#,
        notes: """
            curl is installed on most systems already and speaks SMTP as well as HTTP. --mail-from and \
            --mail-rcpt fill the envelope (repeat --mail-rcpt for more recipients). The To: line in the file \
            is only what the reader sees. Without a path in the URL, curl names itself in EHLO after the \
            uploaded file (EHLO message.txt); without --crlf it sends the file's bare line feeds, which real \
            servers tolerate but RFC 5321 forbids. Use smtps://…:465 instead for implicit TLS.
            """)

    static let node = CodeExample(
        id: "node",
        title: "Node.js · nodemailer",
        language: .javascript,
        code: #"""
            // npm install nodemailer
            const nodemailer = require("nodemailer");

            const transporter = nodemailer.createTransport({
              host: "smtp.example.com",
              port: 587,
              secure: false,     // port 587 starts in plain text...
              requireTLS: true,  // ...and STARTTLS is a must before AUTH
              name: "client.example.com", // the name sent with EHLO
              auth: { user: "alice@example.com", pass: "wonderland" },
            });

            async function main() {
              const info = await transporter.sendMail({
                from: "Alice <alice@example.com>",
                to: "bob@domain.com",
                subject: "Lunch on Friday?",
                text: "Hi Bob,\nare you free on Friday at noon?\nAlice",
              });
              // info.response is the server's last reply, e.g. "250 2.0.0 Ok: queued as ..."
              console.log("Accepted:", info.accepted, "-", info.response);
            }

            main().catch((err) => {
              // SMTP errors carry the server's reply, e.g. 535 for a wrong password.
              console.error("Sending failed:", err.responseCode, err.response || err.message);
              process.exitCode = 1;
            });
            """#,
        notes: """
            Install with npm install nodemailer and run with node. secure: false with requireTLS: true is the \
            right setting for port 587 (STARTTLS). secure: true is for port 465, where TLS starts at once.
            """)

    static let go = CodeExample(
        id: "go",
        title: "Go · net/smtp",
        language: .go,
        code: #"""
            package main

            import (
            	"log"
            	"net/smtp"
            	"strings"
            )

            func main() {
            	// PlainAuth sends the password only over TLS (or to localhost).
            	// SendMail does STARTTLS by itself when the server offers it.
            	auth := smtp.PlainAuth("", "alice@example.com", "wonderland", "smtp.example.com")

            	msg := strings.Join([]string{
            		"From: Alice <alice@example.com>",
            		"To: Bob <bob@domain.com>",
            		"Subject: Lunch on Friday?",
            		"",
            		"Hi Bob, are you free on Friday at noon?",
            		"Alice",
            	}, "\r\n") + "\r\n"

            	err := smtp.SendMail("smtp.example.com:587", auth,
            		"alice@example.com", []string{"bob@domain.com"}, []byte(msg))
            	if err != nil {
            		log.Fatal(err) // e.g. "535 5.7.8 Error: authentication failed: ..."
            	}
            	log.Println("message accepted")
            }
            """#,
        notes: """
            Only the standard library is needed: save the code as main.go and run it with go run main.go. \
            SendMail does the whole session (EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA, QUIT), and the message \
            lines must end with CRLF. SendMail always checks the server's certificate, so the local variant \
            (--print-example go --local PORT) takes the same steps one by one with smtp.Dial, where the TLS \
            settings can be given.
            """)

    static let openssl = CodeExample(
        id: "openssl",
        title: "By hand · openssl s_client",
        language: .smtpSession,
        code: #"""
            # The AUTH PLAIN string is base64 of "\0user\0password":
            $ printf '\0alice@example.com\0wonderland' | base64
            AGFsaWNlQGV4YW1wbGUuY29tAHdvbmRlcmxhbmQ=

            $ openssl s_client -starttls smtp -connect smtp.example.com:587 -crlf -quiet
            # s_client has sent EHLO and STARTTLS and done the handshake. The session
            # started over, so say hello again:
            EHLO client.example.com
            # 250-smtp.example.com Hello client.example.com
            # 250-PIPELINING
            # 250-SIZE 10240000
            # 250-AUTH PLAIN LOGIN
            # 250-ENHANCEDSTATUSCODES
            # 250-8BITMIME
            # 250-DSN
            # 250-SMTPUTF8
            # 250 CHUNKING
            AUTH PLAIN AGFsaWNlQGV4YW1wbGUuY29tAHdvbmRlcmxhbmQ=
            # 235 2.7.0 Authentication successful
            MAIL FROM:<alice@example.com>
            # 250 2.1.0 Ok
            RCPT TO:<bob@domain.com>
            # 250 2.1.5 Ok
            DATA
            # 354 End data with <CR><LF>.<CR><LF>
            Subject: Lunch on Friday?

            Hi Bob, are you free on Friday at noon?
            .
            # 250 2.0.0 Ok: queued as 09F1FD9D03
            QUIT
            # 221 2.0.0 Bye
            """#,
        notes: """
            Type an SMTP session yourself over a real TLS connection (openssl is installed on most systems). \
            -crlf sends the CRLF line ends that SMTP requires. -quiet hides the certificate dump and turns off \
            s_client's one-letter commands: without it, a line starting with R or Q (RCPT, QUIT) could \
            renegotiate or close the connection instead of reaching the server.
            """)
}
