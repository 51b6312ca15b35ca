// A small tokeniser for the code examples: keywords, strings, comments and numbers, per language.
import SMTPCore

public struct Token: Equatable, Sendable {
    public let text: String
    public let role: Role
}

public enum Highlighter {
    static let keywords: [CodeLanguage: Set<String>] = [
        .python: ["import", "from", "as", "with", "def", "return", "if", "else", "for", "in", "print", "try", "except", "None", "True", "False", "not", "and", "or"],
        .shell: ["swaks", "curl", "openssl", "echo", "export", "if", "then", "fi"],
        .javascript: ["const", "let", "var", "await", "async", "function", "return", "require", "new", "try", "catch", "if", "else", "true", "false"],
        .go: ["package", "import", "func", "var", "const", "return", "if", "err", "nil", "defer", "for", "range", "string", "byte"],
        .smtpSession: ["EHLO", "HELO", "MAIL", "FROM", "RCPT", "TO", "DATA", "QUIT", "AUTH", "STARTTLS", "RSET", "NOOP", "PLAIN", "LOGIN"],
    ]

    static func commentStart(_ language: CodeLanguage) -> String {
        switch language {
        case .python, .shell, .smtpSession: return "#"
        case .javascript, .go: return "//"
        }
    }

    public static func tokens(_ line: String, language: CodeLanguage) -> [Token] {
        var out: [Token] = []
        let chars = Array(line)
        let comment = Array(commentStart(language))
        let words = keywords[language] ?? []
        var i = 0, plain = ""
        func flush() { if !plain.isEmpty { out.append(Token(text: plain, role: .text)); plain = "" } }
        while i < chars.count {
            let c = chars[i]
            if chars[i...].starts(with: comment) && (language != .shell || i == 0 || chars[i - 1] == " ") {
                flush(); out.append(Token(text: String(chars[i...]), role: .syntaxComment)); return out
            }
            if c == "\"" || c == "'" || c == "`" {
                flush()
                var j = i + 1
                while j < chars.count && chars[j] != c { if chars[j] == "\\" { j += 1 }; j += 1 }
                let end = min(chars.count, j + 1)
                out.append(Token(text: String(chars[i..<end]), role: .syntaxString)); i = end; continue
            }
            if c.isNumber && (i == 0 || !(chars[i - 1].isLetter || chars[i - 1] == "_")) {
                flush()
                var j = i
                while j < chars.count && (chars[j].isNumber || chars[j] == ".") { j += 1 }
                out.append(Token(text: String(chars[i..<j]), role: .syntaxNumber)); i = j; continue
            }
            if c.isLetter || c == "_" {
                var j = i
                while j < chars.count && (chars[j].isLetter || chars[j].isNumber || chars[j] == "_") { j += 1 }
                let word = String(chars[i..<j])
                if words.contains(word) { flush(); out.append(Token(text: word, role: .syntaxKeyword)) } else { plain += word }
                i = j; continue
            }
            plain.append(c); i += 1
        }
        flush()
        return out
    }
}
