// Where themes come from: the built-ins embedded in the binary, overridden by files of the same name in the
// user's theme folder; a name or a path chooses one.

public struct ThemeSource: Equatable, Sendable {
    public let name: String
    /// "built-in" or the file's path.
    public let origin: String
    public let text: String
}

public struct ThemeCatalog: Sendable {
    public private(set) var sources: [ThemeSource]

    /// `userFiles`: (path, text) of *.toml files found in the user's theme folder.
    public init(userFiles: [(path: String, text: String)] = []) {
        var list = BuiltinThemes.all.map { ThemeSource(name: $0.name, origin: "built-in", text: $0.text) }
        for file in userFiles.sorted(by: { $0.path < $1.path }) {
            let base = file.path.split(separator: "/").last.map(String.init) ?? file.path
            let name = base.hasSuffix(".toml") ? String(base.dropLast(5)) : base
            if let i = list.firstIndex(where: { $0.name == name }) {
                list[i] = ThemeSource(name: name, origin: file.path, text: file.text)
            } else {
                list.append(ThemeSource(name: name, origin: file.path, text: file.text))
            }
        }
        sources = list
    }

    public var names: [String] { sources.map(\.name) }

    public func source(_ name: String) -> ThemeSource? { sources.first { $0.name == name } }

    public func load(_ name: String) throws -> Theme {
        let origin = source(name)?.origin ?? "built-in"
        return try ThemeLoader.load(name, origin: origin) { n in
            self.source(n).map { ($0.text, $0.origin == "built-in" ? "Themes/\($0.name).toml (built-in)" : $0.origin) }
        }
    }

    /// Loads a theme from a file's text (a `--theme PATH`), whose parents come from the catalogue.
    public func load(fileText: String, path: String) throws -> Theme {
        let key = "\u{0}file"
        return try ThemeLoader.load(key, origin: path) { n in
            n == key ? (fileText, path) : self.source(n).map { ($0.text, $0.origin == "built-in" ? "Themes/\($0.name).toml (built-in)" : $0.origin) }
        }
    }

    /// The next theme after `name`, for live cycling.
    public func next(after name: String) -> String {
        guard let i = names.firstIndex(of: name) else { return names.first ?? "default" }
        return names[(i + 1) % names.count]
    }
}

public enum ThemeConfig {
    /// The `theme = "…"` of config.toml, or nil; errors name the file and line.
    public static func themeName(configText: String, file: String) throws -> String? {
        do {
            let table = try TOMLParser.parse(configText)
            return table["theme"]?.string
        } catch let error as TOMLSyntaxError {
            throw ThemeError(file: file, line: error.line, key: nil, message: "not valid TOML: \(error.message)")
        }
    }
}
