// Helpers that drive a ServerSession the way a client would and collect what it says.
import Testing
@testable import SMTPCore

struct Harness {
    var session: ServerSession
    var greeting: [SessionOutput]

    /// Throws (a failed `#require`, not a crash) when a preamble line is refused, so one broken preamble fails
    /// only the tests that use it.
    init(profile: ServerProfile = .submission, world: World = .standard, preamble: SessionPreamble = .connected,
         sourceLocation: SourceLocation = #_sourceLocation) throws {
        session = ServerSession(world: world, profile: profile)
        greeting = session.start()
        for line in preamble.clientLines {
            let replies = send(line)
            try #require(!replies.isEmpty && replies.allSatisfy { $0.code < 400 },
                         "preamble line \(line) failed: \(replies)", sourceLocation: sourceLocation)
        }
    }

    /// Sends one line (CRLF added) and returns the replies it produced.
    @discardableResult
    mutating func send(_ line: String) -> [Reply] {
        replies(session.receiveLine(line))
    }

    @discardableResult
    mutating func sendRaw(_ text: String) -> [Reply] {
        replies(session.receive(Array(text.utf8)))
    }

    /// The last reply's code after sending every line.
    mutating func lastCode(_ lines: [String]) -> Int? {
        var last: Reply?
        for line in lines { last = send(line).last ?? last }
        return last?.code
    }
}

func replies(_ outputs: [SessionOutput]) -> [Reply] {
    outputs.compactMap { if case .reply(let r, _) = $0 { return r } else { return nil } }
}

func wire(_ replies: [Reply]) -> [String] { replies.flatMap(\.wireLines) }
