// A mission: a goal the learner reaches by typing SMTP, judged by what the simulated world shows afterwards —
// mailboxes, the replies the learner's client saw, the login, the relay hop, the notices — never by the text the
// learner typed. Missions are files (Missions/*.mission, embedded; the user's own in
// $XDG_CONFIG_HOME/smtp-tui/missions/), in the same `key: value` form as the lesson stories:
//
//   id: dot-stuffing                       required, unique: what `learn --grade ID` takes
//   chapter: 2 Envelope and message        required: missions are listed by chapter, in file order within it
//   title: A line that starts with a dot   required
//   goal: One sentence for the learner.    required
//   world: tight-limits                    optional: the world scenario (normal, tight-limits, shutdown)
//   check: delivered bob@domain.com line=".signature"     one or more; see MissionCheck for the vocabulary
//   fail: hangup                           optional: hangup (the server hung up on you), lost (a message vanished)
//   hint: …                                up to three, shown one at a time
//   solution: connect mx.domain.com        the reference solution, one line per learner line (as typed)
//   par: 9                                 optional: defaults to the solution's line count
//   why: What the learner should take away.   required
//   live: yes                              the learner's own program must pass it against `--listen`
//   inject: RCPT#2 452 4.5.3 Error: too many recipients    a directed failure the live server applies
//
// Every mission starts with no connection open, so the learner's first line is `connect` (smtp.example.com, port
// 587) or `connect mx.domain.com` (port 25). A line of a solution or an attempt that starts with "> " is sent right
// behind the line before it, without waiting for that line's reply (PIPELINING); every other line waits for the
// replies before it, as a careful learner does. (Inside DATA, after the 354, "> " is message text: quoted mail.)

public struct Mission: Sendable, Equatable {
    public var id: String
    public var chapter: String
    public var title: String
    public var goal: String
    public var world: String?
    public var checks: [MissionCheck]
    public var failures: [MissionFailure]
    public var hints: [String]
    public var solution: [String]
    public var par: Int
    public var why: String
    /// Judged on real clients' sessions against the app's listener, not on the learner's typing.
    public var live: Bool
    /// Directed failures the listener applies while this live mission runs.
    public var injections: [DirectedFailure]
    /// Where the mission came from (a file name), for messages.
    public var file: String
}

/// What ends a mission as failed, whatever the checks say.
public enum MissionFailure: String, Sendable, Equatable, CaseIterable {
    /// The server hung up on the learner (421, 521, or 554 5.5.0 for input sent too early).
    case hangup
    /// A message was accepted and then vanished without a notice to anyone.
    case lost
}

public struct MissionError: Error, Equatable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let reason: String
    public var description: String { "\(file):\(line): \(reason)" }
}

public enum MissionParser {
    static let keys = ["id", "chapter", "title", "goal", "world", "check", "fail", "hint", "solution", "par", "why", "live", "inject"]

    public static func parse(_ text: String, file: String) throws -> Mission {
        var fields: [String: (String, Int)] = [:]
        var checks: [MissionCheck] = [], failures: [MissionFailure] = [], hints: [String] = [], solution: [String] = []
        var injections: [DirectedFailure] = []
        var par: Int?, live = false
        func fail(_ line: Int, _ reason: String) -> MissionError { MissionError(file: file, line: line, reason: reason) }
        let (entries, lineCount) = try KeyValueLines.entries(text) { n, found in
            fail(n, "expected `key: value` (keys: \(keys.joined(separator: ", "))), found “\(found)”")
        }
        for entry in entries {
            let n = entry.line, key = entry.key, text = entry.value
            switch key {
            case "id", "chapter", "title", "goal", "world", "why":
                if key == "why", let (old, first) = fields[key] { fields[key] = (old + " " + text, first); continue }
                guard fields[key] == nil else { throw fail(n, "a second `\(key):`") }
                guard !text.isEmpty else { throw fail(n, "`\(key):` is empty") }
                if key == "world", World.standard.scenario(named: text) == nil {
                    throw fail(n, "unknown world “\(text)” (known: \(World.standard.scenarios.map(\.name).joined(separator: ", ")))")
                }
                if key == "id", !text.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) || text.contains(where: { $0.isUppercase }) {
                    throw fail(n, "an id is lower-case letters, digits and dashes, not “\(text)”")
                }
                fields[key] = (text, n)
            case "check":
                do { checks.append(try MissionCheck.parse(text)) } catch let e as MissionCheck.ParseError { throw fail(n, e.reason) }
            case "fail":
                guard let f = MissionFailure(rawValue: text) else {
                    throw fail(n, "`fail:` takes one of \(MissionFailure.allCases.map(\.rawValue).joined(separator: ", ")), not “\(text)”")
                }
                failures.append(f)
            case "hint":
                guard !text.isEmpty else { throw fail(n, "an empty hint") }
                guard hints.count < 3 else { throw fail(n, "at most three hints: the fourth would give the answer away") }
                hints.append(text)
            case "solution":
                solution.append(text)
            case "par":
                guard let p = Int(text), p > 0 else { throw fail(n, "`par:` takes a positive number of lines, not “\(text)”") }
                par = p
            case "live":
                guard ["yes", "no"].contains(text) else { throw fail(n, "`live:` takes yes or no") }
                live = text == "yes"
            case "inject":
                guard let d = DirectedFailure(parsing: text) else {
                    throw fail(n, "`inject:` takes VERB[#N] CODE [X.Y.Z] [text], e.g. RCPT#2 452 4.5.3 Error: too many recipients; not “\(text)”")
                }
                injections.append(d)
            default:
                throw fail(n, "unknown key “\(key)” (keys: \(keys.joined(separator: ", ")))")
            }
        }
        for required in ["id", "chapter", "title", "goal", "why"] where fields[required] == nil {
            throw fail(1, "no `\(required):` line")
        }
        guard !checks.isEmpty else { throw fail(max(1, lineCount), "no `check:` lines: a mission needs a goal the world can show") }
        if !live {
            guard !solution.isEmpty else { throw fail(max(1, lineCount), "no `solution:` lines") }
            let first = solution[0].split(separator: " ").first.map(String.init) ?? ""
            guard ["connect", "telnet", "open"].contains(first) else {
                throw fail(max(1, lineCount), "a solution starts with `connect`: every mission begins with no connection open")
            }
        }
        if let par, par < solution.count { throw fail(max(1, lineCount), "par \(par) is below the solution's \(solution.count) lines") }
        if !injections.isEmpty && !live { throw fail(max(1, lineCount), "`inject:` is for live missions (`live: yes`)") }
        func field(_ key: String) -> String { fields[key]?.0 ?? "" }  // the required ones were checked above
        return Mission(id: field("id"), chapter: field("chapter"), title: field("title"), goal: field("goal"),
                       world: fields["world"]?.0, checks: checks, failures: failures, hints: hints, solution: solution,
                       par: par ?? solution.count, why: field("why"), live: live, injections: injections, file: file)
    }
}
