import Foundation
import Testing
@testable import TUI

let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func loadFromText(_ text: String, name: String = "t") throws -> Theme {
    try ThemeCatalog(userFiles: [("/tmp/themes/\(name).toml", text)]).load(name)
}

@Suite("Themes", .timeLimit(.minutes(2)))
struct ThemeTests {
    static let names = ["default", "light", "projector", "mono", "okabe-ito"]
    /// The README's role list, written out here: neither read from `Role` nor from a loaded theme.
    static let documentedRoles = """
        background text muted border focus header header.active keyhint keyhint.key popup popup.border selection \
        input cursor flow.sender flow.server flow.recipient flow.packet flow.tls flow.bounce flow.phase.active \
        flow.phase.idle transcript.you transcript.server transcript.data transcript.local reply.2xx reply.3xx \
        reply.4xx reply.5xx syntax.keyword syntax.string syntax.comment syntax.number banner caption status.error \
        status.ok
        """.split(separator: " ").map(String.init)

    @Test func rolesAreExactlyTheDocumentedOnes() throws {
        #expect(Self.documentedRoles.count == 38)
        #expect(Role.allCases.map(\.rawValue) == Self.documentedRoles)
        let readme = try String(contentsOf: repoRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let listed = readme.replacingOccurrences(of: "\n", with: " ")
        #expect(listed.contains("Roles: `" + Self.documentedRoles.joined(separator: " ") + "`"), "README's role list differs")
    }

    @Test(arguments: names)
    func themesFolderMatchesTheEmbeddedCopyAndLoads(_ name: String) throws {
        let onDisk = try String(contentsOf: repoRoot.appendingPathComponent("Themes/\(name).toml"), encoding: .utf8)
        let embedded = try #require(BuiltinThemes.all.first { $0.name == name })
        #expect(embedded.text + "\n" == onDisk, "Themes/\(name).toml changed: run Scripts/embed-themes")
        let theme = try ThemeCatalog().load(name)
        #expect(theme.name == name)
        #expect(Set(theme.styles.keys.map(\.rawValue)) == Set(Self.documentedRoles))
    }

    @Test(arguments: ["default", "light", "projector", "okabe-ito"])
    func everyTextRoleHasEnoughContrast(_ name: String) throws {
        let theme = try ThemeCatalog().load(name)
        let needed = name == "projector" ? 7.0 : 4.5
        for role in Role.allCases {
            let s = theme.style(role)
            let fg = try #require(s.fg), bg = try #require(s.bg)
            let ratio = RGB.contrast(fg, bg)
            #expect(ratio >= needed, "\(name) \(role.rawValue): \(fg) on \(bg) is \(ratio)")
        }
    }

    @Test func monoHasNoColourAndCarriesMeaningInAttributes() throws {
        let mono = try ThemeCatalog().load("mono")
        for role in Role.allCases { #expect(mono.style(role).fg == nil && mono.style(role).bg == nil) }
        #expect(mono.style(.reply5xx).reverse || mono.style(.reply5xx).bold)
        #expect(mono.style(.selection).reverse)
    }

    @Test func inheritanceMergesPalettesChildFirst() throws {
        let light = try ThemeCatalog().load("light")
        let dark = try ThemeCatalog().load("default")
        #expect(light.style(.background).bg == RGB(hex: "#f6f3ec"))
        #expect(light.style(.reply5xx).bold == dark.style(.reply5xx).bold)
        #expect(light.style(.reply5xx).fg != dark.style(.reply5xx).fg)
    }

    @Test func dottedFallback() throws {
        let theme = try loadFromText("""
        [palette]
        a = "#112233"
        [roles]
        background = { fg = "#ffffff", bg = "#000000" }
        text = { fg = "a" }
        "flow.phase.idle" = { fg = "#445566" }
        """)
        #expect(theme.style(.flowPhaseIdle).fg == RGB(hex: "#445566"))
        #expect(theme.style(.flowPhaseActive).fg == RGB(hex: "#112233"))  // → text
        #expect(theme.style(.flowPhaseActive).bg == RGB(hex: "#000000"))  // background's bg
    }

    @Test func errorsNameFileLineAndKey() throws {
        func error(_ text: String) -> ThemeError? {
            do { _ = try loadFromText(text); return nil } catch let e as ThemeError { return e } catch { return nil }
        }
        let unknownRole = try #require(error("inherits = \"default\"\n[roles]\n\"reply.6xx\" = { fg = \"red\" }\n"))
        #expect(unknownRole.line == 3 && unknownRole.key == "reply.6xx" && unknownRole.message.contains("did you mean \"reply.2xx\""))
        let badColour = try #require(error("[palette]\nred = \"#ff00\"\n"))
        #expect(badColour.line == 2 && badColour.message.contains("bad colour"))
        let badRef = try #require(error("inherits = \"default\"\n[roles]\ntext = { fg = \"nope\" }\n"))
        #expect(badRef.line == 3 && badRef.message.contains("not a palette name"))
        let parent = try #require(error("inherits = \"nosuch\"\n"))
        #expect(parent.key == "inherits" && parent.message.contains("unknown parent theme \"nosuch\""))
        let syntax = try #require(error("name = \n"))
        #expect(syntax.line == 1 && syntax.message.contains("not valid TOML"))
        let modifier = try #require(error("[roles]\ntext = { modifiers = [\"blink\"] }\n"))
        #expect(modifier.message.contains("unknown modifier"))
    }

    @Test func inheritanceCycleIsReported() throws {
        let catalog = ThemeCatalog(userFiles: [("/u/a.toml", "inherits = \"b\"\n"), ("/u/b.toml", "inherits = \"a\"\n")])
        #expect(throws: ThemeError.self) { try catalog.load("a") }
        do { _ = try catalog.load("a") } catch let e as ThemeError { #expect(e.message.contains("cycle: a → b → a")) }
    }

    @Test func userThemesOverrideBuiltinsOfTheSameName() throws {
        let catalog = ThemeCatalog(userFiles: [("/home/u/.config/smtp-tui/themes/light.toml", "inherits = \"default\"\n[palette]\nbg = \"#000000\"\n")])
        #expect(catalog.source("light")?.origin.hasSuffix("light.toml") == true)
        #expect(try catalog.load("light").style(.background).bg == RGB(0, 0, 0))
        #expect(catalog.next(after: "okabe-ito") == "default")
    }

    @Test func depthMappingOfKnownColours() {
        #expect(ColorMapping.xterm256(RGB(255, 0, 0)) == 196)
        #expect(ColorMapping.xterm256(RGB(0, 0, 0)) == 16)
        #expect(ColorMapping.xterm256(RGB(255, 255, 255)) == 231)
        #expect(ColorMapping.xterm256(RGB(128, 128, 128)) == 244)
        #expect(ColorMapping.xterm256(RGB(0x87, 0xaf, 0xff)) == 111)
        #expect(ColorMapping.ansi(RGB(250, 10, 10), count: 16) == 9)
        #expect(ColorMapping.ansi(RGB(200, 0, 0), count: 8) == 1)
        #expect(ColorMapping.ansi(RGB(20, 20, 20), count: 8) == 0)
        #expect(ColorMapping.index(nil, depth: .full) == -1)
        #expect(ColorMapping.index(RGB(1, 2, 3), depth: .none) == -1)
    }
}

/// One frame in every theme at 256 and 8 colours: the style runs with each role resolved to colour indexes.
@Suite("Theme snapshots", .timeLimit(.minutes(2)))
struct ThemeSnapshotTests {
    static func resolvedRuns(_ buffer: Buffer, theme: Theme, depth: ColorDepth) -> String {
        // The colours the backend uses: the theme's plan at this depth.
        let plan = ColorPlan(theme: theme, depth: depth)
        var out: [String] = []
        for y in 0..<buffer.height {
            var runs: [String] = [], start = 0
            func describe(_ c: Cell) -> String {
                let s = theme.style(c.role)
                var attrs = ""
                if s.bold { attrs += "b" }; if s.underline { attrs += "u" }; if s.reverse != c.reverse { attrs += "r" }; if s.dim { attrs += "d" }
                return "\(plan.fg[c.role] ?? -1)/\(plan.bg[c.role] ?? -1)\(attrs.isEmpty ? "" : " " + attrs)"
            }
            for x in 1...buffer.width where x == buffer.width || describe(buffer[x, y]) != describe(buffer[start, y]) {
                runs.append("\(start)-\(x - 1) \(describe(buffer[start, y]))")
                start = x
            }
            out.append("\(y): " + runs.joined(separator: ", "))
        }
        return out.joined(separator: "\n")
    }

    static let depths = [ColorDepth.full, .eight]

    @Test(arguments: ThemeTests.names)
    func frameInEveryThemeAtTwoDepths(_ name: String) throws {
        let theme = try ThemeCatalog().load(name)
        let buffer = Frame.render(midSessionState(Size(width: 80, height: 24))).buffer
        for depth in Self.depths {
            let text = "# \(name) at \(depth.rawValue) colours\n" + Self.resolvedRuns(buffer, theme: theme, depth: depth) + "\n"
            Snapshot.check(text: text, named: "theme-\(name)-\(depth.rawValue)")
        }
    }
}

@Suite("Theme TOML", .timeLimit(.minutes(2)))
struct ThemeTOMLTests {
    @Test func parsesTheSubsetThemesUse() throws {
        let t = try TOMLParser.parse("""
        # comment
        name = "x"   # trailing comment
        n = 42
        ok = true
        [palette]
        bg = '#000000'
        [roles]
        "reply.5xx" = { fg = "red", modifiers = ["bold", "underline"] }
        text = {}
        """)
        #expect(t["name"] == .string("x") && t["n"] == .integer(42) && t["ok"] == .bool(true))
        #expect(t["palette"]?.table?["bg"] == .string("#000000"))
        let role = try #require(t["roles"]?.table?["reply.5xx"]?.table)
        #expect(role["modifiers"] == .array([.string("bold"), .string("underline")]))
        #expect(t["roles"]?.table?.line(of: "reply.5xx") == 8)
    }

    /// The parser reads UTF-8 bytes: CRLF lines, letters of any script in bare keys, text and escapes beyond ASCII
    /// come through whole, tables keep their order and their lines, and a message quotes the whole character.
    @Test func textBeyondASCIIAndWindowsLineEndsComeThroughWhole() throws {
        let t = try TOMLParser.parse("name = \"Thème ☕\"\r\n[rôles]\r\nclé = 'naïve'\r\nesc = \"\\u00e9\\U0001F600\\t\\\"\"\r\n[z]\r\na = -1_000\r\n")
        #expect(t["name"] == .string("Thème ☕"))
        #expect(t["rôles"]?.table?["clé"] == .string("naïve"))
        #expect(t["rôles"]?.table?["esc"] == .string("é😀\t\""))
        #expect(t["z"]?.table?["a"] == .integer(-1000))
        #expect(t.entries.map(\.key) == ["name", "rôles", "z"] && t.line(of: "rôles") == 2 && t.line(of: "z") == 5)
        #expect(t["rôles"]?.table?.line(of: "esc") == 4)
        Self.expectErrors([("a = ☕\n", 1, "found '☕'"), ("[a]\nx = 1\n[b]\n[a]\n", 4, "[a] is defined twice"),
                           ("[a]\n[a]\n", 2, "[a] is defined twice"), ("k = \"\\q\"\n", 1, "unknown escape \\q"),
                           ("k = 1 é\n", 1, "unexpected 'é'")])
    }

    @Test func syntaxErrorsCarryTheirLine() {
        Self.expectErrors([("a = \n", 1, "expected a value"), ("\n\nb = \"open\n", 3, "not closed"),
                           ("a = 1\na = 2\n", 2, "defined twice"), ("[t\n", 1, "expected ']'"),
                           ("x = [1, 2\n", 1, "close on the same line"), ("c = red\n", 1, "strings need quotes")])
    }

    /// Each text fails to parse with an error on `line` whose message contains `words`.
    static func expectErrors(_ cases: [(text: String, line: Int, words: String)], sourceLocation: SourceLocation = #_sourceLocation) {
        for (text, line, words) in cases {
            do {
                _ = try TOMLParser.parse(text)
                Issue.record("\(text) parsed", sourceLocation: sourceLocation)
            } catch let e as TOMLSyntaxError {
                #expect(e.line == line && e.message.contains(words), "\(text): \(e)", sourceLocation: sourceLocation)
            } catch { Issue.record("\(error)", sourceLocation: sourceLocation) }
        }
    }
}
