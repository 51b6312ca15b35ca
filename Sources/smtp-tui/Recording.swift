// Recordings of a session: an asciicast v2 file of the screen (asciinema's format: a JSON header line, then one
// `[seconds, "o", "text"]` line per frame that changed) and the plain transcript saved on exit. Glibc stdio, no
// Foundation (see ThemeSetup).
import SMTPCore
import TUI
#if canImport(Glibc)
import Glibc
#endif

@MainActor
final class CastRecorder {
    private let file: UnsafeMutablePointer<FILE>
    private let start: Int64
    private var last: Buffer?

    init?(path: String, size: Size) {
        guard let f = fopen(path, "we") else { return nil }
        file = f
        start = Runtime.monotonicMilliseconds()
        write("{\"version\": 2, \"width\": \(size.width), \"height\": \(size.height), \"timestamp\": \(time(nil)), \"env\": {\"TERM\": \"xterm-256color\"}, \"title\": \"smtp-tui\"}\n")
    }

    private func write(_ text: String) {
        var text = text
        text.withUTF8 { _ = fwrite($0.baseAddress, 1, $0.count, file) }
    }

    /// Adds a frame when it differs from the last: the whole screen redrawn with 24-bit colour escapes.
    func add(_ frame: Buffer, theme: Theme) {
        guard frame != last else { return }
        last = frame
        var out = "\u{1B}[H\u{1B}[0m"
        var current: (ThemeStyle, Bool)?
        for y in 0..<frame.height {
            out += "\u{1B}[\(y + 1);1H"
            for x in 0..<frame.width {
                let cell = frame[x, y]
                if cell.text.isEmpty { continue }  // the second half of a wide character
                let style = theme.style(cell.role)
                if current.map({ $0.0 != style || $0.1 != cell.reverse }) ?? true {
                    out += Self.sgr(style, reverse: cell.reverse)
                    current = (style, cell.reverse)
                }
                out += cell.text
            }
        }
        out += "\u{1B}[0m"
        let ms = Runtime.monotonicMilliseconds() - start
        let fraction = String(ms % 1000)
        write("[\(ms / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction), \"o\", \(Self.json(out))]\n")
    }

    func close() { fclose(file) }

    static func sgr(_ s: ThemeStyle, reverse: Bool) -> String {
        var codes = ["0"]
        if s.bold { codes.append("1") }
        if s.dim { codes.append("2") }
        if s.underline { codes.append("4") }
        if s.reverse != reverse { codes.append("7") }
        if let fg = s.fg { codes.append("38;2;\(fg.r);\(fg.g);\(fg.b)") }
        if let bg = s.bg { codes.append("48;2;\(bg.r);\(bg.g);\(bg.b)") }
        return "\u{1B}[" + codes.joined(separator: ";") + "m"
    }

    /// A JSON string literal (RFC 8259 escaping).
    static func json(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

enum Transcript {
    /// The transcript as a learner saw it, with the C:/S:/D:/· prefixes.
    static func save(_ lines: [TranscriptLine], to path: String) {
        guard let f = fopen(path, "we") else { return }
        defer { fclose(f) }
        for line in lines {
            let prefix: String
            switch line.kind {
            case .you: prefix = "C: "
            case .server: prefix = "S: "
            case .data: prefix = "D: "
            case .local: prefix = "·  "
            }
            var text = prefix + line.text + "\n"
            text.withUTF8 { _ = fwrite($0.baseAddress, 1, $0.count, f) }
        }
    }
}
