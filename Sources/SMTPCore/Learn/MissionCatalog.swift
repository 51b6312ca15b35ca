// The missions on offer: the built-in ones (Missions/, embedded) and the user's own, a user file with a built-in
// mission's id replacing it. Listed by chapter (chapters sort by their leading number), in file order within one.

public struct MissionCatalog: Sendable {
    public let missions: [Mission]

    /// The built-in missions, parsed. They are checked by the tests, so a failure here is a build defect.
    public static let builtin: [Mission] = BuiltinMissions.all.compactMap { try? MissionParser.parse($0.text, file: "Missions/\($0.name).mission") }

    public init(builtin: [Mission] = MissionCatalog.builtin, user: [Mission] = []) {
        var all = builtin
        for mission in user {
            if let i = all.firstIndex(where: { $0.id == mission.id }) { all[i] = mission } else { all.append(mission) }
        }
        // A stable sort by chapter keeps file order within each chapter.
        missions = all.enumerated().sorted { a, b in
            let (ca, cb) = (Self.chapterKey(a.element.chapter), Self.chapterKey(b.element.chapter))
            return ca != cb ? ca < cb : a.offset < b.offset
        }.map(\.element)
    }

    public func mission(_ id: String) -> Mission? { missions.first { $0.id == id } }

    /// The chapters in order, each with its missions.
    public var chapters: [(name: String, missions: [Mission])] {
        var out: [(String, [Mission])] = []
        for m in missions {
            if out.last?.0 == m.chapter { out[out.count - 1].1.append(m) } else { out.append((m.chapter, [m])) }
        }
        return out
    }

    /// "2 Envelope…" sorts by 2; a chapter without a number after the numbered ones, by name.
    static func chapterKey(_ chapter: String) -> String {
        let digits = chapter.prefix { $0.isNumber }
        return digits.isEmpty ? "~" + chapter : String(repeating: "0", count: max(0, 6 - digits.count)) + digits + chapter
    }

    /// The mission after `id` in the list, for "next mission".
    public func next(after id: String) -> Mission? {
        guard let i = missions.firstIndex(where: { $0.id == id }), i + 1 < missions.count else { return nil }
        return missions[i + 1]
    }
}
