// Every non-ASCII glyph the views may draw, and its readable ASCII look-alike for `--ascii` and non-UTF-8 locales.
// Outside --ascii only glyphs in DejaVu Sans Mono are drawn (the common monospace font on Linux desktops and the
// fallback of most terminals): `GlyphTests` renders every view and checks each cell against `dejaVuSansMono`.

public enum Glyphs {
    /// Look-alikes, readable rather than merely ASCII: "§" reads "S.", "…" reads "...".
    public static let lookAlike: [String: String] = [
        "·": "-", "●": "*", "○": "o", "■": "#", "▶": ">", "▸": ">", "…": "...", "⇥": "->|", "↑": "^", "↓": "v",
        "←": "<-", "→": "->", "×": "x", "—": "--", "–": "-", "ⓘ": "(i)", "⏸": "||", "✎": "*", "⚙": "*", "↩": "<-'",
        "✉": "@", "🔒": "[TLS]", "⇄": "<->", "═": "=", "“": "\"", "”": "\"", "‘": "'", "’": "'", "⧉": "+", "⏎": " / ",
        "§": "S.", "½": "1/2", "¼": "1/4", "›": ">", "‹": "<", "▌": "|", "─": "-", "│": "|", "╭": "+", "╮": "+",
        "╰": "+", "╯": "+", "━": "=", "┃": "#", "┏": "#", "┓": "#", "┗": "#", "┛": "#", "▀": "^", "▄": "_", "█": "#",
        "◀": "<", "▲": "^", "▼": "v", "►": ">", "◆": "*", "✓": "v", "✗": "x", "┄": "-", "┈": "-", "╌": "-", "╎": ":",
        "┆": ":", "┊": ":", "├": "+", "┤": "+", "┬": "+", "┴": "+", "┼": "+", "⟶": "->", "⟵": "<-", "⇒": "=>",
        "≥": ">=", "≤": "<=", "≠": "!=", "€": "EUR", "°": "o", "é": "e", "ü": "u", "ö": "o", "ä": "a", "ß": "ss",
        "\u{FFFD}": "?", "⋯": "...", "▸▸": ">>", "✔": "v", "✘": "x", "◉": "(*)", "◯": "( )", "♦": "*", "⬤": "*",
        "»": ">>", "«": "<<", "↔": "<->", "↳": "`->", "⇢": "->", "⇠": "<-", "▷": ">", "◁": "<", "∙": "-", "•": "*",
        "‖": "||", "▤": "=",
    ]

    /// A whole string in ASCII: look-alikes where known, "?" for anything else.
    public static func ascii(_ text: some StringProtocol) -> String {
        var out = ""
        for ch in text {
            if ch.isASCII { out.append(ch); continue }
            out += lookAlike[String(ch)] ?? "?"
        }
        return out
    }
}
