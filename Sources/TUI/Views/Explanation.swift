// What a transcript line means, for the explanation under the transcript: the command's purpose, or the reply
// decoded (basic code, enhanced code class · subject · detail) with its RFC section.
import SMTPCore

public enum Explanation {
    public static func of(_ line: TranscriptLine) -> String {
        switch line.kind {
        case .local:
            return "A message from the simulator itself, not part of SMTP."
        case .data:
            return "A line of the message (after 354, until a line with only \".\"). A line that starts with a dot is sent with the dot doubled and the server removes one (RFC 5321 §4.5.2)."
        case .you:
            let words = line.text.split(separator: " ")
            var verb = words.first.map { $0.split(separator: ":").first.map(String.init) ?? "" }?.uppercased() ?? ""
            if verb == "MAIL" { verb = "MAIL FROM" } else if verb == "RCPT" { verb = "RCPT TO" }
            guard let entry = CommandCatalogue.entry(verb) else {
                return "Not an SMTP command this server knows: it answers 500 5.5.2 (RFC 5321 §4.2.4)."
            }
            return "\(entry.title): \(entry.summary). \(entry.rfc)."
        case .server(let code):
            let meaning = StatusCatalogue.entry(code).map { "\($0.meaning) — \($0.description)" } ?? "reply \(code)"
            let words = line.text.dropFirst(4).split(separator: " ")
            let enhanced = words.first.flatMap { EnhancedStatusCode(parsing: $0) }
            let decoded = enhanced.map { " Enhanced code \($0) = \(StatusCatalogue.describeEnhanced($0)) (RFC 3463)." } ?? ""
            let more = line.text.count > 3 && line.text[line.text.index(line.text.startIndex, offsetBy: 3)] == "-" ? " The \"-\" after the code means more lines of this reply follow (RFC 5321 §4.2.1)." : ""
            return "\(code) \(meaning)\(decoded)\(more)"
        }
    }
}
