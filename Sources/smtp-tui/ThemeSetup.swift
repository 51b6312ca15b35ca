// Which theme to start with: --theme NAME|PATH, then SMTP_TUI_THEME, then `theme = "…"` in
// $XDG_CONFIG_HOME/smtp-tui/config.toml (default ~/.config), then "default". NO_COLOR / --no-color → mono.
// Plain Glibc file access: importing Foundation here alone would add megabytes of RSS and start-up time.
import MailStore
import TUI
#if canImport(Glibc)
import Glibc
#endif

enum ThemeSetup {
    static func env(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }

    static var configDirectory: String {
        if let xdg = env("XDG_CONFIG_HOME"), !xdg.isEmpty { return xdg + "/smtp-tui" }
        return (env("HOME") ?? ".") + "/.config/smtp-tui"
    }

    static func readFile(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&chunk, 1, chunk.count, file)
            if n <= 0 { break }
            bytes += chunk[0..<n]
            if bytes.count > 1_048_576 { return nil }  // no theme is a megabyte
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Why a theme path cannot be read, in the system's words (errno text), or nil when it is a readable file.
    static func unreadable(_ path: String) -> String? {
        var info = stat()
        if stat(path, &info) != 0 { return errnoText() }
        if info.st_mode & S_IFMT == S_IFDIR { return "it is a directory, not a theme file" }
        if info.st_mode & S_IFMT != S_IFREG { return "it is not a regular file" }
        if access(path, R_OK) != 0 { return errnoText() }
        return nil
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }

    static func tomlFiles(in folder: String) -> [String] {
        Maildir.names(in: folder).filter { $0.hasSuffix(".toml") }   // the same readdir loop, kept in one place
    }

    static func catalog() -> ThemeCatalog {
        let folder = configDirectory + "/themes"
        let files = tomlFiles(in: folder).compactMap { name -> (String, String)? in
            let path = folder + "/" + name
            return readFile(path).map { (path, $0) }
        }
        return ThemeCatalog(userFiles: files)
    }

    /// The starting theme, or a ThemeError for the caller to print (exit status 2).
    static func choose(option: String?, noColor: Bool, catalog: ThemeCatalog) throws -> Theme {
        var choice = option ?? env("SMTP_TUI_THEME").flatMap { $0.isEmpty ? nil : $0 }
        if choice == nil {
            let config = configDirectory + "/config.toml"
            if let text = readFile(config) {
                choice = try ThemeConfig.themeName(configText: text, file: config)
            }
        }
        let name = choice ?? "default"
        // The chosen theme is loaded even under NO_COLOR, so a broken one is reported rather than silently ignored.
        let chosen: Theme
        if name.contains("/") || name.hasSuffix(".toml") {
            if let problem = unreadable(name) {
                throw ThemeError(file: name, line: nil, key: nil, message: "cannot read this theme file: \(problem)")
            }
            guard let text = readFile(name) else {
                throw ThemeError(file: name, line: nil, key: nil, message: "cannot read this theme file: \(errnoText()) (or it is over a megabyte)")
            }
            chosen = try catalog.load(fileText: text, path: name)
        } else {
            guard catalog.source(name) != nil else {
                throw ThemeError(file: name, line: nil, key: nil,
                                 message: "no theme named \"\(name)\"; available: \(catalog.names.joined(separator: ", "))")
            }
            chosen = try catalog.load(name)
        }
        return noColor ? try catalog.load("mono") : chosen
    }

    /// `--list-themes`: every theme, where it comes from, and a swatch of its main colours.
    static func list(_ catalog: ThemeCatalog, colour: Bool) -> String {
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }
        var out: [String] = []
        for source in catalog.sources {
            let swatch: String
            do {
                let theme = try catalog.load(source.name)
                let roles: [Role] = [.background, .text, .transcriptYou, .transcriptData, .reply2xx, .reply3xx, .reply4xx, .reply5xx, .flowPacket]
                if colour {
                    swatch = roles.map { role -> String in
                        let s = theme.style(role)
                        guard let fg = s.fg, let bg = s.bg else { return s.bold ? "\u{1B}[1m ■ \u{1B}[0m" : " ■ " }
                        return "\u{1B}[38;2;\(fg.r);\(fg.g);\(fg.b);48;2;\(bg.r);\(bg.g);\(bg.b)m ■ \u{1B}[0m"
                    }.joined()
                } else {
                    swatch = roles.map { theme.style($0).fg?.description ?? "default" }.joined(separator: " ")
                }
            } catch {
                swatch = "broken: \(error)"
            }
            out.append(pad(source.name, 11) + pad(source.origin, 12) + swatch)
        }
        return out.joined(separator: "\n")
    }
}
