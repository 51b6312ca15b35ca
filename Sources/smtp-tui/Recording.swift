// Recordings of a session: an asciicast v2 file of the screen (asciinema's format: a JSON header line, then one
// `[seconds, "o", "text"]` line per frame that changed) and the plain transcript saved on exit.
import Foundation
import SMTPCore
import TUI

final class CastRecorder {
    private let handle: FileHandle
    private let start = Date()
    private var last: Buffer?

    init?(path: String, size: Size) {
        guard FileManager.default.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path) else { return nil }
        handle = h
        let header = "{\"version\": 2, \"width\": \(size.width), \"height\": \(size.height), \"timestamp\": \(Int(start.timeIntervalSince1970)), \"env\": {\"TERM\": \"xterm-256color\"}, \"title\": \"smtp-tui\"}\n"
        handle.write(Data(header.utf8))
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
        let seconds = Date().timeIntervalSince(start)
        let line = "[\(String(format: "%.3f", seconds)), \"o\", \(Self.json(out))]\n"
        handle.write(Data(line.utf8))
    }

    func close() { try? handle.close() }

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
                    out += String(format: "\\u%04x", scalar.value)
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
        let text = lines.map { line -> String in
            switch line.kind {
            case .you: return "C: " + line.text
            case .server: return "S: " + line.text
            case .data: return "D: " + line.text
            case .local: return "·  " + line.text
            }
        }.joined(separator: "\n") + "\n"
        try? text.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
