// A real client's session (`smtp-tui --listen`) drawn in the same diagram as the learner's simulated one. The
// network side runs the engine for real and reports each exchange as it happens; here it is replayed on the
// simulation's clock, at the same travel times, so a script that finishes in ten milliseconds can still be watched
// hop by hop. A message the real server accepted then continues its journey in the simulated world (DNS, relay,
// mailbox or bounce), like one the learner sent: the listener plays smtp.example.com.

/// What the listener reports about a real client's session. Codable: the listener runs in its own process
/// (smtp-tui-net), which sends each report to the app as a line of JSON.
public enum LiveEvent: Sendable, Equatable, Codable {
    /// A client connected from `peer` (its address and port).
    case opened(connection: Int, peer: String)
    /// One exchange: the line the client sent (nil for the greeting), whether it was part of a message's DATA,
    /// whether an envelope was open before it, whether the client sent it without waiting for the previous reply
    /// (pipelining), and everything the server answered, as sent (a message's 250 only once it was stored; 451
    /// when storing failed).
    case exchange(connection: Int, line: String?, wasInData: Bool, envelopeOpen: Bool, pipelined: Bool, outputs: [SessionOutput])
    /// The connection is gone.
    case closed(connection: Int)
}

extension LiveEvent {
    /// Whether this report includes a message the server accepted (and stored, when it stores).
    public var acceptsAMessage: Bool {
        guard case .exchange(_, _, _, _, _, let outputs) = self else { return false }
        return outputs.contains { if case .delivered = $0 { return true }; return false }
    }
}

extension Simulation {
    /// How far the drawing of the client's link runs behind the clock, in ticks: what is already scheduled to
    /// leave the client. A flood of real clients would otherwise queue minutes of animation.
    public var linkBacklog: Int { liveCommandLeft == .min ? 0 : max(0, liveCommandLeft - tick) }

    /// Runs `body` on the live clocks instead of the learner's.
    private mutating func onLiveClock<T>(_ body: (inout Simulation) -> T) -> T {
        swap(&lastCommandLeft, &liveCommandLeft)
        swap(&lastReplyVisible, &liveReplyVisible)
        defer {
            swap(&lastCommandLeft, &liveCommandLeft)
            swap(&lastReplyVisible, &liveReplyVisible)
        }
        return body(&self)
    }

    /// A real client connects to smtp.example.com: the connection is drawn like the learner's. Returns the tick at
    /// which it is drawn as open.
    public mutating func mirrorConnect(peer: String) -> Int {
        onLiveClock { sim in
            let server = sim.network.submissionHost
            let start = max(sim.tick, sim.lastCommandLeft + sim.latency.pipelineGap)
            sim.addFlow(.connecting, from: .sender, to: .server, start: start, length: sim.latency.transit)
            sim.caption("A real program on this computer (\(peer)) opens a TCP connection to the listener, which plays \(server.name).", at: start)
            sim.lastCommandLeft = start
            return start + sim.latency.transit
        }
    }

    /// Draws one exchange of a real client's session; returns when its line and each output become visible.
    public mutating func mirror(line: String?, wasInData: Bool, envelopeOpen: Bool, pipelined: Bool = false,
                                outputs: [SessionOutput]) -> (lineAt: Int, outputsAt: [Int]) {
        onLiveClock { sim in sim.mirrorOnLiveClock(line: line, wasInData: wasInData, envelopeOpen: envelopeOpen,
                                                   pipelined: pipelined, outputs: outputs) }
    }

    private mutating func mirrorOnLiveClock(line: String?, wasInData: Bool, envelopeOpen: Bool, pipelined: Bool,
                                            outputs: [SessionOutput]) -> (lineAt: Int, outputsAt: [Int]) {
        let server = network.submissionHost
        // The clocks start at Int.min ("nothing yet"): clamp before doing arithmetic with them.
        let commandLeft = max(lastCommandLeft, tick - latency.transit)
        guard let line else {
            // The greeting (or a reply nobody asked for) answers the connection itself.
            let leave = max(tick, commandLeft + latency.transit + latency.processing)
            return (tick, schedule(outputs, leavingServerAt: leave, isMessageEnd: false, server: server, live: true))
        }
        // A client that waited for the previous reply (most do) is drawn waiting for it too.
        // (A body line streams from where the last one left, with no gap: it waits for the 354 itself.)
        if !pipelined && lastReplyVisible != .min {
            lastCommandLeft = max(lastCommandLeft, lastReplyVisible - (wasInData ? 0 : latency.pipelineGap))
        }
        let drawn = animate(outputs, label: line, wasInData: wasInData, envelopeOpen: envelopeOpen, server: server, live: true)
        return (drawn.lineAt, drawn.outputsAt)
    }
}
