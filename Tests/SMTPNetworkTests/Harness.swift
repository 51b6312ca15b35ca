// Runs the real smtp-tui as a listener on a free loopback port and real clients (python3, swaks) against it,
// every child with a deadline.
import Foundation
import Testing

enum Child {
    /// The built smtp-tui next to the test bundle (swift test builds every product into the same folder).
    static var binary: String {
        let bundleDir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        var candidates = [bundleDir.appendingPathComponent("smtp-tui").path]
        var dir = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { dir.deleteLastPathComponent() }
        candidates.append(dir.appendingPathComponent(".build/debug/smtp-tui").path)
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }

    struct Timeout: Error, CustomStringConvertible { let description: String }

    /// Runs a child to its end, reading stdout and stderr together; killed and thrown after `seconds`.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String], stdin: Data = Data(), seconds: Double = 30,
                    environment: [String: String]? = nil) throws -> (status: Int32, out: String, err: String, outData: Data) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let inPipe = Pipe(), outPipe = Pipe(), errPipe = Pipe()
        process.standardInput = inPipe; process.standardOutput = outPipe; process.standardError = errPipe
        try process.run()
        let group = DispatchGroup()
        nonisolated(unsafe) var out = Data(), err = Data()
        DispatchQueue.global().async(group: group) { inPipe.fileHandleForWriting.write(stdin); try? inPipe.fileHandleForWriting.close() }
        DispatchQueue.global().async(group: group) { out = outPipe.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(group: group) { err = errPipe.fileHandleForReading.readDataToEndOfFile() }
        if group.wait(timeout: .now() + seconds) == .timedOut {
            kill(process.processIdentifier, SIGKILL)
            throw Timeout(description: "\(executable) \(arguments.prefix(3).joined(separator: " ")) still running after \(seconds) s: killed")
        }
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self), out)
    }

    static func which(_ tool: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let p = "\(dir)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    /// Runs a python3 program (given as text) with arguments; its stdout is the result.
    static func python(_ program: String, _ arguments: [String], seconds: Double = 30) throws -> (status: Int32, out: String, err: String) {
        let python = try #require(which("python3"), "python3 is required")
        let r = try run(python, ["-c", program] + arguments, seconds: seconds)
        return (r.status, r.out, r.err)
    }
}

/// A temporary folder removed at the end.
final class TempDir {
    let path: String
    init(_ name: String) {
        path = NSTemporaryDirectory() + "smtp-tui-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Every regular file below the folder, as paths relative to it.
    func files() -> [String] {
        let e = FileManager.default.enumerator(atPath: path)
        var out: [String] = []
        while let p = e?.nextObject() as? String {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: path + "/" + p, isDirectory: &isDir), !isDir.boolValue { out.append(p) }
        }
        return out.sorted()
    }
}

/// `smtp-tui serve --listen 127.0.0.1:0 …` running in the background; stopped (and killed if need be) at the end.
final class Listener {
    let process = Process()
    let port: Int
    let logFile: String
    let data = TempDir("data")   // XDG_DATA_HOME: the generated certificate lands here, not in the real home

    init(_ arguments: [String], seconds: Double = 30) throws {
        logFile = data.path + "/server.log"
        FileManager.default.createFile(atPath: logFile, contents: nil)
        process.executableURL = URL(fileURLWithPath: Child.binary)
        process.arguments = ["serve", "--listen", "127.0.0.1:0"] + arguments
        var env = ProcessInfo.processInfo.environment
        env["XDG_DATA_HOME"] = data.path
        process.environment = env
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle(forWritingAtPath: logFile)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // The first stdout line says "smtp-tui: listening on 127.0.0.1:PORT".
        let ready = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var line = ""
        let handle = out.fileHandleForReading
        DispatchQueue.global().async {
            var bytes = Data()
            while !bytes.contains(0x0A) {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                bytes.append(chunk)
            }
            line = String(decoding: bytes, as: UTF8.self)
            ready.signal()
        }
        if ready.wait(timeout: .now() + seconds) == .timedOut {
            kill(process.processIdentifier, SIGKILL)
            throw Child.Timeout(description: "the listener did not start within \(seconds) s")
        }
        guard let colon = line.lastIndex(of: ":"),
              let port = Int(line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)) else {
            kill(process.processIdentifier, SIGKILL)
            let log = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
            throw Child.Timeout(description: "the listener said \(line.debugDescription); log: \(log)")
        }
        self.port = port
    }

    var log: String { (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "" }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(3)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { stop() }
}
