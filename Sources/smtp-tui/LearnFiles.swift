// Missions and progress on disk: the user's own missions ($XDG_CONFIG_HOME/smtp-tui/missions/*.mission) and the
// learner's progress ($XDG_STATE_HOME/smtp-tui/progress.json, default ~/.local/state/smtp-tui/), written the way
// Maildir writes mail — a temporary file, synced, renamed over the old one — so a crash never leaves half a file.
// JSON through FoundationEssentials (already linked: swift-crypto, for DKIM, uses it; not the full Foundation, which
// would add ICU's data to every start of the app).
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SMTPCore
import MailStore
#if canImport(Glibc)
import Glibc
#endif

enum LearnFiles {
    static var userFolder: String { ThemeSetup.configDirectory + "/missions" }

    static var stateDirectory: String {
        if let xdg = ThemeSetup.env("XDG_STATE_HOME"), !xdg.isEmpty { return xdg + "/smtp-tui" }
        return (ThemeSetup.env("HOME") ?? ".") + "/.local/state/smtp-tui"
    }

    static var progressPath: String { stateDirectory + "/progress.json" }

    struct Problem: Error, CustomStringConvertible { let description: String }

    /// The built-in missions and the user's own; a malformed user file is a problem (FILE:LINE: reason).
    static func catalog() throws -> MissionCatalog {
        let folder = userFolder
        var user: [Mission] = []
        for name in Maildir.names(in: folder).filter({ $0.hasSuffix(".mission") }).sorted() {
            let path = folder + "/" + name
            guard let text = ThemeSetup.readFile(path) else { throw Problem(description: "\(path): cannot read it (\(ThemeSetup.errnoText()))") }
            do { user.append(try MissionParser.parse(text, file: path)) } catch let e as MissionError { throw Problem(description: e.description) }
        }
        return MissionCatalog(user: user)
    }

    static func loadProgress() -> LearnProgress {
        guard let text = ThemeSetup.readFile(progressPath),
              let progress = try? JSONDecoder().decode(LearnProgress.self, from: Data(text.utf8)) else { return LearnProgress() }
        return progress
    }

    /// Writes `progress` atomically; returns why not, if it could not.
    @discardableResult
    static func save(_ progress: LearnProgress) -> String? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        guard let data = try? encoder.encode(progress) else { return "cannot encode the progress" }
        return writeAtomically(Array(data) + [0x0A], to: progressPath)
    }

    static func reset() -> String? {
        if unlink(progressPath) != 0 && errno != ENOENT { return "\(progressPath): \(ThemeSetup.errnoText())" }
        return nil
    }

    /// tmp file beside the target, write, fsync, rename, fsync the folder: the file is the old one or the new one.
    static func writeAtomically(_ bytes: [UInt8], to path: String) -> String? {
        let folder = String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)])
        if let problem = makeFolders(folder) { return problem }
        let tmp = path + ".tmp.\(getpid())"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return "\(tmp): \(ThemeSetup.errnoText())" }
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { let why = ThemeSetup.errnoText(); close(fd); unlink(tmp); return "\(tmp): \(why)" }
            written += n
        }
        guard fsync(fd) == 0 else { let why = ThemeSetup.errnoText(); close(fd); unlink(tmp); return "\(tmp): \(why)" }
        close(fd)
        guard rename(tmp, path) == 0 else { let why = ThemeSetup.errnoText(); unlink(tmp); return "\(path): \(why)" }
        let dir = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dir >= 0 { fsync(dir); close(dir) }
        return nil
    }

    /// mkdir -p.
    static func makeFolders(_ folder: String) -> String? {
        var path = folder.hasPrefix("/") ? "" : "."
        for part in folder.split(separator: "/") {
            path += "/" + part
            if mkdir(path, 0o755) != 0 && errno != EEXIST { return "\(path): \(ThemeSetup.errnoText())" }
        }
        return nil
    }
}
