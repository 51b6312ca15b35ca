// Reading lesson stories from disk for the command line: the user's folder, or a file named on the command line.
import Foundation
import SMTPCore
import TUI

enum ScenarioFiles {
    static var userFolder: String {
        let env = ProcessInfo.processInfo.environment
        let config = env["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (env["HOME"] ?? ".") + "/.config"
        return config + "/smtp-tui/scenarios"
    }

    static func catalog() -> ScenarioCatalog {
        let folder = userFolder
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        let files = names.filter { $0.hasSuffix(".scenario") }.compactMap { name -> (path: String, text: String)? in
            let path = folder + "/" + name
            return (try? String(contentsOfFile: path, encoding: .utf8)).map { (path, $0) }
        }
        return ScenarioCatalog(userFiles: files)
    }

    struct Problem: Error, CustomStringConvertible { let description: String }

    /// A name from the catalogue, or a path to a .scenario file (anything with a "/" or the extension).
    static func resolve(_ nameOrPath: String, in catalog: ScenarioCatalog) throws -> DemoScenario {
        if nameOrPath.contains("/") || nameOrPath.hasSuffix(".scenario") {
            let text: String
            do { text = try String(contentsOfFile: nameOrPath, encoding: .utf8) } catch {
                throw Problem(description: "cannot read \(nameOrPath): \(error.localizedDescription)")
            }
            let base = nameOrPath.split(separator: "/").last.map(String.init) ?? nameOrPath
            do {
                return try DemoScenarioParser.parse(text, name: base.hasSuffix(".scenario") ? String(base.dropLast(9)) : base, file: nameOrPath)
            } catch let e as DemoScenarioError {
                throw Problem(description: e.description)
            }
        }
        if let s = catalog.scenario(nameOrPath) { return s }
        if let broken = catalog.problems.first(where: { $0.file.hasSuffix("/\(nameOrPath).scenario") }) {
            throw Problem(description: broken.description)
        }
        throw Problem(description: "no scenario called \(nameOrPath); known: \(catalog.names.joined(separator: ", "))")
    }
}
