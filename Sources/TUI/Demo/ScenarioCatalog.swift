// Where lesson stories come from: the built-ins embedded in the binary, then the user's files in
// $XDG_CONFIG_HOME/smtp-tui/scenarios/*.scenario (a file named like a built-in replaces it). The runtime reads the
// files; this type only parses, so tests hand it text.
import SMTPCore

public struct ScenarioCatalog: Sendable {
    public private(set) var scenarios: [DemoScenario] = []
    /// Files that did not parse, each with its file, line and reason.
    public private(set) var problems: [DemoScenarioError] = []

    /// `userFiles`: (path, text) of the *.scenario files in the user's folder.
    public init(userFiles: [(path: String, text: String)] = []) {
        for (name, text) in BuiltinScenarios.all {
            // The built-ins are tested to parse; a failure here would be a build defect, reported like a user's.
            do { scenarios.append(try DemoScenarioParser.parse(text, name: name, file: "Scenarios/\(name).scenario (built-in)")) } catch let e as DemoScenarioError { problems.append(e) } catch {}
        }
        for file in userFiles.sorted(by: { $0.path < $1.path }) {
            let base = file.path.split(separator: "/").last.map(String.init) ?? file.path
            let name = base.hasSuffix(".scenario") ? String(base.dropLast(9)) : base
            do {
                let s = try DemoScenarioParser.parse(file.text, name: name, file: file.path)
                if let i = scenarios.firstIndex(where: { $0.name == name }) { scenarios[i] = s } else { scenarios.append(s) }
            } catch let e as DemoScenarioError {
                problems.append(e)
            } catch {}
        }
    }

    public var names: [String] { scenarios.map(\.name) }

    public func scenario(_ name: String) -> DemoScenario? { scenarios.first { $0.name == name } }
}
