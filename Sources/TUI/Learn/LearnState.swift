// Learn mode's state: the missions on offer, the learner's progress, the mission being played (its checklist is
// judged again whenever the world changes), and the quiz after a story. `update` changes it; the runtime saves the
// progress when an effect asks.
import SMTPCore

public struct LearnState: Sendable {
    public var missions: [Mission]
    public var progress: LearnProgress
    /// The selected row of the Missions list (an index into `missions`).
    public var selected = 0
    public var active: ActiveMission?
    public var quiz: QuizState?
    /// Set when the progress changed and should be saved; `update` turns it into an effect.
    public var progressChanged = false
    /// Set when a mission started: the app's listener takes its directed failures (none unless live).
    public var failuresChanged = false
    /// The directed failures the mission being played asks of the listener.
    public var activeInjections: [DirectedFailure] {
        active.flatMap { mission($0.id) }.map { $0.live ? $0.injections : [] } ?? []
    }

    public init(missions: [Mission] = MissionCatalog().missions, progress: LearnProgress = LearnProgress()) {
        self.missions = missions
        self.progress = progress
    }

    public var doneCount: Int { missions.filter { progress.isDone($0.id) }.count }

    public func mission(_ id: String) -> Mission? { missions.first { $0.id == id } }
}

/// The mission the learner is playing now.
public struct ActiveMission: Sendable, Equatable {
    public let id: String
    /// Lines the learner has entered since the mission started (local commands such as `connect` included).
    public var commands = 0
    public var hintsShown = 0
    /// The checks as the world shows them now.
    public var verdict: MissionVerdict
    /// Passed (all checks true, no failure condition) at some moment: the tick stays even if the world moves on.
    public var passed = false
    /// Live missions: what real clients did on the listener since the mission started.
    public var liveEvents: [LiveEvent] = []
}

/// The quiz after a story: its questions, the one shown, and the answers given.
public struct QuizState: Sendable, Equatable {
    public let story: String
    public let title: String
    public let questions: [QuizQuestion]
    public var index = 0
    public var answers: [Int?]

    public init(story: String, title: String, questions: [QuizQuestion]) {
        self.story = story; self.title = title; self.questions = questions
        answers = Array(repeating: nil, count: questions.count)
    }

    public var current: QuizQuestion { questions[min(index, questions.count - 1)] }
    public var answeredCurrent: Int? { answers[min(index, answers.count - 1)] }
    public var correct: Int { zip(questions, answers).filter { $0.0.answer == $0.1 }.count }
    public var finished: Bool { !answers.contains(nil) }
}
