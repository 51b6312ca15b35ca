// Theme files (TOML, Helix-style): a [palette] of named #rrggbb colours, [roles] of { fg, bg, modifiers }, and
// `inherits` so a theme states only what it changes. Errors name file, line and key.

public struct ThemeError: Error, Equatable, CustomStringConvertible, Sendable {
    public let file: String
    public let line: Int?
    public let key: String?
    public let message: String
    public init(file: String, line: Int?, key: String?, message: String) {
        self.file = file; self.line = line; self.key = key; self.message = message
    }
    public var description: String {
        "\(file)\(line.map { ":\($0)" } ?? "")\(key.map { ": \($0)" } ?? ""): \(message)"
    }
}

/// One theme file as written, before inheritance.
struct ThemeFile {
    struct RawStyle {
        var fg: String?, bg: String?, modifiers: [String] = []
        var line: Int?
    }
    var name: String
    var inherits: String?
    var palette: [String: RGB] = [:]
    var roles: [String: RawStyle] = [:]
    var file: String
}

public enum ThemeLoader {
    static let modifierNames: Set = ["bold", "underline", "reverse", "dim"]

    static func parse(_ text: String, file: String) throws -> ThemeFile {
        let table: TOMLTable
        do {
            table = try TOMLParser.parse(text)
        } catch let error as TOMLSyntaxError {
            throw ThemeError(file: file, line: error.line, key: nil, message: "not valid TOML: \(error.message)")
        }
        func lineOf(_ key: String, section: String? = nil) -> Int? {
            guard let section else { return table.line(of: key) }
            return table[section]?.table?.line(of: key)
        }
        let fallbackName = file.split(separator: "/").last.map { String($0.split(separator: ".").first ?? $0) } ?? file
        var theme = ThemeFile(name: table["name"]?.string ?? fallbackName, inherits: table["inherits"]?.string, file: file)
        for key in table.entries.map(\.key) where !["name", "inherits", "palette", "roles"].contains(key) {
            throw ThemeError(file: file, line: lineOf(key), key: key, message: "unknown top-level key (expected name, inherits, [palette], [roles])")
        }
        if let palette = table["palette"]?.table {
            for entry in palette.entries {
                let (key, value) = (entry.key, entry.value)
                guard let hex = value.string, let rgb = RGB(hex: hex) else {
                    throw ThemeError(file: file, line: lineOf(key, section: "palette"), key: "palette.\(key)",
                                     message: "bad colour \(value.string.map { "\"\($0)\"" } ?? value.typeName): use \"#rrggbb\"")
                }
                theme.palette[key] = rgb
            }
        }
        if let roles = table["roles"]?.table {
            for entry in roles.entries {
                let (key, value) = (entry.key, entry.value)
                let line = lineOf(key, section: "roles")
                guard Role(rawValue: key) != nil else {
                    let hint = suggestion(for: key).map { " — did you mean \"\($0)\"?" } ?? ""
                    throw ThemeError(file: file, line: line, key: key, message: "unknown role\(hint)")
                }
                guard let style = value.table else {
                    throw ThemeError(file: file, line: line, key: key, message: "a role is an inline table such as { fg = \"red\", modifiers = [\"bold\"] }")
                }
                var raw = ThemeFile.RawStyle(line: line)
                for fieldEntry in style.entries {
                    let (field, v) = (fieldEntry.key, fieldEntry.value)
                    switch field {
                    case "fg": raw.fg = v.string
                    case "bg": raw.bg = v.string
                    case "modifiers":
                        raw.modifiers = (v.array ?? []).compactMap(\.string)
                        if let bad = raw.modifiers.first(where: { !modifierNames.contains($0) }) {
                            throw ThemeError(file: file, line: line, key: key, message: "unknown modifier \"\(bad)\" (bold, underline, reverse, dim)")
                        }
                    default:
                        throw ThemeError(file: file, line: line, key: key, message: "unknown field \"\(field)\" (fg, bg, modifiers)")
                    }
                }
                theme.roles[key] = raw
            }
        }
        return theme
    }

    /// Resolves a theme by name through `source` (name → (text, file)), following `inherits`.
    public static func load(_ name: String, origin: String = "built-in",
                            source: (String) -> (text: String, file: String)?) throws -> Theme {
        var chain: [ThemeFile] = []
        var seen: [String] = []
        var next: String? = name
        while let current = next {
            if seen.contains(current) {
                throw ThemeError(file: chain.last?.file ?? current, line: nil, key: "inherits",
                                 message: "inheritance cycle: \((seen + [current]).joined(separator: " → "))")
            }
            seen.append(current)
            guard let (text, file) = source(current) else {
                if let child = chain.last {
                    throw ThemeError(file: child.file, line: nil, key: "inherits", message: "unknown parent theme \"\(current)\"")
                }
                throw ThemeError(file: current, line: nil, key: nil, message: "no theme named \"\(current)\"")
            }
            let parsed = try parse(text, file: file)
            chain.append(parsed)
            next = parsed.inherits
        }
        // Parents first; children win for palette names and whole roles.
        var palette: [String: RGB] = [:]
        var roles: [String: (ThemeFile.RawStyle, String)] = [:]
        for file in chain.reversed() {
            palette.merge(file.palette) { $1 }
            for (k, v) in file.roles { roles[k] = (v, file.file) }
        }
        func colour(_ ref: String?, role: String) throws -> RGB? {
            guard let ref else { return nil }
            if let rgb = palette[ref] ?? RGB(hex: ref) { return rgb }
            let (raw, file) = roles[role]!
            throw ThemeError(file: file, line: raw.line, key: role, message: "bad colour \"\(ref)\": not a palette name nor \"#rrggbb\"")
        }
        func raw(for role: Role) -> String? {
            // Dotted fallback: flow.phase.active → flow.phase → flow → text.
            var name = role.rawValue
            while true {
                if roles[name] != nil { return name }
                guard let dot = name.lastIndex(of: ".") else { return roles["text"] != nil ? "text" : nil }
                name = String(name[..<dot])
            }
        }
        let backgroundRaw = roles["background"]?.0
        let baseFg = try colour(backgroundRaw?.fg, role: "background")
        let baseBg = try colour(backgroundRaw?.bg, role: "background")
        var styles: [Role: ThemeStyle] = [:]
        for role in Role.allCases {
            guard let key = raw(for: role), let (r, _) = roles[key] else {
                styles[role] = ThemeStyle(fg: baseFg, bg: baseBg)
                continue
            }
            styles[role] = ThemeStyle(fg: try colour(r.fg, role: key) ?? baseFg, bg: try colour(r.bg, role: key) ?? baseBg,
                                      bold: r.modifiers.contains("bold"), underline: r.modifiers.contains("underline"),
                                      reverse: r.modifiers.contains("reverse"), dim: r.modifiers.contains("dim"))
        }
        return Theme(name: chain.first?.name ?? name, origin: origin, styles: styles)
    }

    /// The closest role name, for "did you mean".
    static func suggestion(for key: String) -> String? {
        let best = Role.allCases.map { ($0.rawValue, editDistance($0.rawValue, key)) }.min { $0.1 < $1.1 }
        return best.flatMap { $0.1 <= max(2, key.count / 3) ? $0.0 : nil }
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var row = Array(0...b.count)
        for i in 1...max(1, a.count) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in 1...max(1, b.count) where !b.isEmpty {
                let old = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = old
            }
        }
        return row[b.count]
    }
}

extension String {
    func trimmingLeading() -> String { String(drop(while: { $0 == " " || $0 == "\t" })) }
}
