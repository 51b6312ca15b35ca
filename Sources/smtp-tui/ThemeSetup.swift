// Which theme to start with: --theme NAME|PATH, then SMTP_TUI_THEME, then `theme = "…"` in
// $XDG_CONFIG_HOME/smtp-tui/config.toml (default ~/.config), then "default". NO_COLOR / --no-color → mono.
import Foundation
import TUI

enum ThemeSetup {
    static var configDirectory: String {
        let env = ProcessInfo.processInfo.environment
        if let xdg = env["XDG_CONFIG_HOME"], !xdg.isEmpty { return xdg + "/smtp-tui" }
        return (env["HOME"] ?? ".") + "/.config/smtp-tui"
    }

    static func catalog() -> ThemeCatalog {
        let folder = configDirectory + "/themes"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        let files = names.filter { $0.hasSuffix(".toml") }.compactMap { name -> (String, String)? in
            let path = folder + "/" + name
            return (try? String(contentsOfFile: path, encoding: .utf8)).map { (path, $0) }
        }
        return ThemeCatalog(userFiles: files)
    }

    /// The starting theme, or a ThemeError for the caller to print (exit status 2).
    static func choose(option: String?, noColor: Bool, catalog: ThemeCatalog) throws -> Theme {
        if noColor { return try catalog.load("mono") }
        let env = ProcessInfo.processInfo.environment
        var choice = option ?? env["SMTP_TUI_THEME"].flatMap { $0.isEmpty ? nil : $0 }
        if choice == nil {
            let config = configDirectory + "/config.toml"
            if let text = try? String(contentsOfFile: config, encoding: .utf8) {
                choice = try ThemeConfig.themeName(configText: text, file: config)
            }
        }
        let name = choice ?? "default"
        if name.contains("/") || name.hasSuffix(".toml") {
            guard let text = try? String(contentsOfFile: name, encoding: .utf8) else {
                throw ThemeError(file: name, line: nil, key: nil, message: "cannot read this theme file")
            }
            return try catalog.load(fileText: text, path: name)
        }
        guard catalog.source(name) != nil else {
            throw ThemeError(file: name, line: nil, key: nil,
                             message: "no theme named \"\(name)\"; available: \(catalog.names.joined(separator: ", "))")
        }
        return try catalog.load(name)
    }

    /// `--list-themes`: every theme, where it comes from, and a swatch of its main colours.
    static func list(_ catalog: ThemeCatalog, colour: Bool) -> String {
        var out: [String] = []
        for source in catalog.sources {
            let swatch: String
            do {
                let theme = try catalog.load(source.name)
                let roles: [Role] = [.background, .text, .transcriptYou, .transcriptData, .reply2xx, .reply3xx, .reply4xx, .reply5xx, .flowPacket]
                if colour {
                    swatch = roles.map { role -> String in
                        let s = theme.style(role)
                        guard let fg = s.fg, let bg = s.bg else { return s.bold ? "\u{1B}[1m■\u{1B}[0m" : "■" }
                        return "\u{1B}[38;2;\(fg.r);\(fg.g);\(fg.b);48;2;\(bg.r);\(bg.g);\(bg.b)m ■ \u{1B}[0m"
                    }.joined()
                } else {
                    swatch = roles.map { theme.style($0).fg?.description ?? "default" }.joined(separator: " ")
                }
            } catch {
                swatch = "broken: \(error)"
            }
            out.append("\(source.name.padding(toLength: 11, withPad: " ", startingAt: 0)) \(source.origin.padding(toLength: 12, withPad: " ", startingAt: 0)) \(swatch)")
        }
        return out.joined(separator: "\n")
    }
}
