// What a transcript line means, for the explanation under the transcript: the command's purpose, or the reply
// decoded (basic code, enhanced code class · subject · detail) with its RFC section.
import SMTPCore

public enum Explanation {
    static let extensions: [(key: String, value: String)] = [
        ("PIPELINING", "the client may send several commands without waiting for each reply (RFC 2920)."),
        ("SIZE", "the largest message the server accepts, in octets; the client may declare its size with MAIL FROM … SIZE= (RFC 1870)."),
        ("STARTTLS", "the connection can be upgraded to TLS (RFC 3207)."),
        ("AUTH", "the login mechanisms on offer; here only after STARTTLS (RFC 4954)."),
        ("ENHANCEDSTATUSCODES", "replies carry class.subject.detail codes such as 5.1.1 (RFC 2034, RFC 3463)."),
        ("8BITMIME", "message bodies may contain 8-bit bytes (RFC 6152)."),
        ("SMTPUTF8", "addresses and headers may use UTF-8 (RFC 6531)."),
    ]

    public static func of(_ line: TranscriptLine) -> String {
        switch line.kind {
        case .local:
            return "A message from the simulator itself, not part of SMTP."
        case .data:
            return "A line of the message (after 354, until a line with only \".\"). A line that starts with a dot is sent with the dot doubled and the server removes one (RFC 5321 §4.5.2)."
        case .you:
            if line.answersChallenge {
                return line.text.split(separator: " ") == ["*"]
                    ? "* cancels the login exchange: the server answers 501 5.7.0 (RFC 4954 §4)."
                    : "Not a command: the answer to the server's 334 challenge, one line of base64 (a user name, a password, or PLAIN's whole credentials). The server replies with the next 334, or 235 / 535 at the end (RFC 4954 §4). Base64 hides nothing: only TLS does."
            }
            let words = line.text.split(separator: " ")
            var verb = words.first.map { $0.split(separator: ":").first.map(String.init) ?? "" }?.uppercased() ?? ""
            if verb == "MAIL" { verb = "MAIL FROM" } else if verb == "RCPT" { verb = "RCPT TO" }
            guard let entry = CommandCatalogue.entry(verb) else {
                if ServerSession.notImplementedVerbs.contains(verb) {
                    return "\(verb) is a real SMTP command that this server does not offer: it answers 502 5.5.1 (RFC 5321 §4.2.4: recognised, not implemented)."
                }
                if verb.isEmpty { return "An empty line is no command: the server answers 500 5.5.2 (RFC 5321 §4.2.4)." }
                return "Not an SMTP command this server knows: it answers 500 5.5.2 (RFC 5321 §4.2.4: not recognised)."
            }
            let summary = entry.summary.hasSuffix(".") ? String(entry.summary.dropLast()) : entry.summary
            return "\(entry.title): \(summary). \(entry.rfc)."
        case .server(let code):
            let rest = String(line.text.dropFirst(4))
            if code == 250, line.text.count > 4, let ext = extensions.first(where: { rest.uppercased().hasPrefix($0.key) }) {
                let last = line.text.count > 3 && line.text[line.text.index(line.text.startIndex, offsetBy: 3)] == " "
                return "\(ext.key): \(ext.value) One line of the EHLO reply, which lists the server's extensions" + (last ? "; a space after 250 marks its last line." : "; the \"-\" after 250 means more lines of this reply follow (RFC 5321 §4.2.1).")
            }
            if code == 334 {
                let decoded = Base64.decode(rest.split(separator: " ").first ?? "").map { String(decoding: $0, as: UTF8.self) } ?? ""
                let prompt = decoded.isEmpty ? "an empty challenge: send your credentials" : "“\(decoded)” in base64"
                return "334 — the server waits for the next step of AUTH: \(prompt). Answer with one line of base64, or * to cancel (RFC 4954 §4)."
            }
            let meaning = StatusCatalogue.entry(code).map { "\($0.meaning) — \($0.description)" } ?? "reply \(code)"
            let words = line.text.dropFirst(4).split(separator: " ")
            let enhanced = words.first.flatMap { EnhancedStatusCode(parsing: $0) }
            let decoded = enhanced.map { " Enhanced code \($0) = \(StatusCatalogue.describeEnhanced($0)) (RFC 3463)." } ?? ""
            let more = line.text.count > 3 && line.text[line.text.index(line.text.startIndex, offsetBy: 3)] == "-" ? " The \"-\" after the code means more lines of this reply follow (RFC 5321 §4.2.1)." : ""
            return "\(code) \(meaning)\(decoded)\(more)"
        }
    }
}
