// What a learner has done: missions passed (commands used, hints taken) and quiz answers. A plain value that the
// app updates and the command line saves as JSON in $XDG_STATE_HOME/smtp-tui/progress.json (written atomically).

public struct LearnProgress: Codable, Sendable, Equatable {
    public struct MissionRecord: Codable, Sendable, Equatable {
        /// Passed at least once.
        public var done: Bool
        /// Lines typed in the best passing attempt (the fewest), or in the latest attempt while not passed.
        public var commands: Int
        /// Hints revealed (the most ever revealed: a hint once seen stays seen).
        public var hints: Int
        public init(done: Bool = false, commands: Int = 0, hints: Int = 0) {
            self.done = done; self.commands = commands; self.hints = hints
        }
    }

    public struct QuizRecord: Codable, Sendable, Equatable {
        /// The option chosen for each question (0-based), nil where not yet answered.
        public var answers: [Int?]
        public var correct: Int
        public init(answers: [Int?], correct: Int) { self.answers = answers; self.correct = correct }
    }

    public var version = 1
    public var missions: [String: MissionRecord] = [:]
    public var quizzes: [String: QuizRecord] = [:]

    public init() {}

    public func isDone(_ id: String) -> Bool { missions[id]?.done == true }

    /// Records a passing attempt: done, the fewer commands kept.
    public mutating func passed(_ id: String, commands: Int, hints: Int) {
        var r = missions[id] ?? MissionRecord()
        r.commands = r.done ? min(r.commands, commands) : commands
        r.done = true
        r.hints = max(r.hints, hints)
        missions[id] = r
    }

    public mutating func tookHint(_ id: String, count: Int) {
        var r = missions[id] ?? MissionRecord()
        r.hints = max(r.hints, count)
        missions[id] = r
    }
}
