// Reading lesson stories from disk for the command line: the user's folder, or a file named on the command line.
// Plain Glibc file access, like ThemeSetup: Foundation would add megabytes of RSS and start-up time.
import SMTPCore
import TUI
#if canImport(Glibc)
import Glibc
#endif

enum ScenarioFiles {
    static var userFolder: String { ThemeSetup.configDirectory + "/scenarios" }

    static func catalog() -> ScenarioCatalog {
        let folder = userFolder
        guard let dir = opendir(folder) else { return ScenarioCatalog() }
        defer { closedir(dir) }
        var files: [(path: String, text: String)] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self) }
            guard name.hasSuffix(".scenario"), let text = ThemeSetup.readFile(folder + "/" + name) else { continue }
            files.append((folder + "/" + name, text))
        }
        return ScenarioCatalog(userFiles: files)
    }

    struct Problem: Error, CustomStringConvertible { let description: String }

    /// A name from the catalogue, or a path to a .scenario file (anything with a "/" or the extension).
    static func resolve(_ nameOrPath: String, in catalog: ScenarioCatalog) throws -> DemoScenario {
        if nameOrPath.contains("/") || nameOrPath.hasSuffix(".scenario") {
            guard let text = ThemeSetup.readFile(nameOrPath) else {
                throw Problem(description: "cannot read \(nameOrPath): \(String(cString: strerror(errno)))")
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
