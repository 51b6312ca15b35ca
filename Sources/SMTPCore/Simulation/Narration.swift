// One plain sentence for each step of the story, shown as the flow pane's caption: what is happening now and why.
// Facts only; the popups and the transcript explanations go deeper.

public enum Narration {
    public static func command(_ verb: String, server: String, profile: ServerProfile) -> String {
        switch verb {
        case "EHLO": return "The client introduces itself (EHLO) and asks \(server) which extensions it offers."
        case "HELO": return "The client introduces itself the old way (HELO): no extensions will be offered."
        case "STARTTLS": return "STARTTLS: the client asks to turn this connection into an encrypted one before going on."
        case "AUTH": return "AUTH: Alice logs in. Only a logged-in user may send mail on to other domains."
        case "MAIL": return "The envelope begins: MAIL FROM names the sender, the address any bounce will go back to."
        case "RCPT": return "RCPT TO adds a recipient to the envelope (one command per recipient)."
        case "DATA": return "DATA: the client asks to send the message itself, header fields and body."
        case "RSET": return "RSET throws away the envelope so far; the connection stays open."
        case "NOOP": return "NOOP does nothing but check that the server is still there."
        case "QUIT": return "QUIT: the client says goodbye and the server closes the connection."
        case "VRFY": return "VRFY asks whether an address exists; careful servers will not say."
        case "HELP": return "HELP asks the server for a list of commands."
        default:
            return profile == .mx
                ? "The client sends a line to \(server); the server will say what it makes of it."
                : "The client sends a line to \(server); the server will say what it makes of it."
        }
    }

    public static func reply(_ reply: Reply, cause: ReplyCause, server: String) -> String {
        let meaning = StatusCatalogue.entry(reply.code)?.meaning
        let what = meaning.map { " (\($0))" } ?? ""
        switch reply.code {
        case 220 where cause == .greeting: return "\(server) answers 220: it is ready. The SMTP conversation can begin."
        case 220: return "\(server) answers 220: go ahead with the TLS handshake."
        case 221: return "\(server) answers 221 and closes the connection."
        case 235: return "\(server) answers 235: Alice is logged in, so she may now send mail to any domain."
        case 250 where cause == .messageEnd:
            return "\(server) answers 250: it has taken responsibility for the message and queued it."
        case 251: return "\(server) answers 251: not a local user, but it will forward the message."
        case 334: return "\(server) answers 334: it waits for the next piece of the login, base64-encoded."
        case 354: return "\(server) answers 354: send the message now, and end it with a line holding only a dot."
        case 421: return "\(server) answers 421 and hangs up: the service is not available right now."
        case 554 where reply.enhanced == EnhancedStatusCode(5, 5, 0):
            return "\(server) answers 554 5.5.0 and hangs up: more input was already waiting where the client had to wait for a reply (RFC 2920 §3.1)."
        default: break
        }
        switch reply.code / 100 {
        case 2: return "\(server) answers \(reply.code)\(what): accepted, the client may go on."
        case 3: return "\(server) answers \(reply.code)\(what): go on, it waits for more."
        case 4: return "\(server) answers \(reply.code)\(what): not now — the same thing may work if tried again later."
        default: return "\(server) answers \(reply.code)\(what): refused for good; repeating it unchanged will not help."
        }
    }

    /// "Bob" for bob@domain.com: the person behind a mailbox, for captions.
    public static func owner(of mailbox: String) -> String {
        let local = mailbox.split(separator: "@").first.map(String.init) ?? mailbox
        return local.prefix(1).uppercased() + String(local.dropFirst())  // String + Substring would be a generic append, slow on first use
    }
}
