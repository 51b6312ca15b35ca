// Delivery status notifications (RFC 3464): when a server that took responsibility for a message cannot deliver
// it, it must tell the sender (RFC 5321 §4.5.5 / §6.1) — a bounce; and when the sender asked for it with DSN
// (RFC 3461), it also reports a delivery ("delivered", "relayed") or a delay ("delayed"). A notice travels as an
// ordinary message in a multipart/report (RFC 6522): a part for people, a machine-readable message/delivery-status
// part, and the original message (RET=FULL) or its header. It is sent from the null path <> so that a notice can
// never bounce again.

/// The Action field of one recipient's report (RFC 3464 §2.3.3).
public enum DeliveryAction: String, Sendable, Equatable {
    /// Refused for good: the bounce.
    case failed
    /// Not delivered yet, still being tried.
    case delayed
    /// In the recipient's mailbox (sent by the server that put it there).
    case delivered
    /// Passed on to a server that will send no further notices.
    case relayed

    /// The DSN request that makes a server send this notice (RFC 3461 §4.1).
    var requested: DSNNotify {
        switch self {
        case .failed: return .failure
        case .delayed: return .delay
        case .delivered, .relayed: return .success
        }
    }
}

public struct FailedRecipient: Sendable, Equatable {
    public let address: String
    /// RFC 3463 status, e.g. "5.1.1".
    public let status: String
    /// The host that refused it, when one did (nil when DNS already failed).
    public let remoteMTA: String?
    /// "smtp; 550 5.1.1 …" for a refusal, or a description when no server was reached.
    public let diagnostic: String
    public init(address: String, status: String, remoteMTA: String?, diagnostic: String) {
        self.address = address; self.status = status; self.remoteMTA = remoteMTA; self.diagnostic = diagnostic
    }
}

public enum DeliveryReport {
    /// Longest original message a notice carries whole when RET=FULL asked for it; past it, only the header, as
    /// RFC 3461 §6.2 allows (Postfix's bounce_size_limit is 50000 octets too).
    public static let fullReturnLimit = 50_000

    /// The bounce: `reportingMTA` tells the original envelope sender that `failed` recipients cannot get `original`.
    public static func bounce(of original: StoredMessage, failed: [FailedRecipient], reportingMTA: String,
                              id: String, tick: Int) -> StoredMessage {
        notice(.failed, of: original, recipients: failed, reportingMTA: reportingMTA, id: id, tick: tick)
    }

    /// A notice of `action` about `recipients` of `original`, honouring the message's DSN request: ENVID comes back
    /// as Original-Envelope-Id, ORCPT as Original-Recipient (each only when given, RFC 3461 §6.3), RET=FULL returns
    /// the whole message, otherwise (HDRS, or no RET, where RFC 3461 §4.3 leaves the choice) its header.
    public static func notice(_ action: DeliveryAction, of original: StoredMessage, recipients: [FailedRecipient],
                              reportingMTA: String, id: String, tick: Int) -> StoredMessage {
        let date = SimulatedTime.rfc5322Date(tick: tick)
        let boundary = "\(id).\(tick)/\(reportingMTA)"
        let to = original.envelopeFrom
        let subject: String, words: [String]
        switch action {
        case .failed:
            subject = "Undelivered Mail Returned to Sender"
            words = ["Your message could not be delivered to the recipient(s) below. The message",
                     "was accepted from you, but when this server tried to pass it on, delivery",
                     "failed for good, so it gives up and returns this report to you."]
        case .delayed:
            subject = "Delayed Mail (still being retried)"
            words = ["Your message has not been delivered yet to the recipient(s) below. This is",
                     "only a warning: this server keeps the message and will go on trying. You",
                     "asked to be told of delays (NOTIFY=DELAY); there is nothing to do for now."]
        case .delivered, .relayed:
            subject = "Successful Mail Delivery Report"
            words = action == .delivered
                ? ["Your message was delivered to the mailbox of the recipient(s) below, as you",
                   "asked (NOTIFY=SUCCESS). This says it arrived, not that anyone has read it."]
                : ["Your message was passed on for the recipient(s) below to a server that will",
                   "send no further reports, as you asked to hear (NOTIFY=SUCCESS)."]
        }
        let headers = [
            "Return-Path: <>",
            "Received: by \(reportingMTA) (smtp-tui) id \(id);\n\t\(date)",
            "Date: \(date)",
            "From: MAILER-DAEMON@\(reportingMTA) (Mail Delivery System)",
            "To: \(to)",
            "Subject: \(subject)",
            "Message-ID: <\(id).\(tick)@\(reportingMTA)>",
            "Auto-Submitted: auto-replied",
            "MIME-Version: 1.0",
            "Content-Type: multipart/report; report-type=delivery-status;\n\tboundary=\"\(boundary)\"",
        ]
        var body = ["This is a MIME-encapsulated message.", "", "--\(boundary)",
                    "Content-Description: Notification", "Content-Type: text/plain; charset=us-ascii", "",
                    "This is the mail system at host \(reportingMTA).", ""] + words + [""]
        for f in recipients {
            let said = f.remoteMTA.map { "host \($0) said: " } ?? ""
            body.append("<\(f.address)>: " + (action == .failed || action == .delayed ? said + f.diagnostic.dropPrefix("smtp; ") : action.rawValue))
        }
        let dsn = original.dsn
        body += ["", "--\(boundary)", "Content-Description: Delivery report", "Content-Type: message/delivery-status", ""]
        // Per-message fields (RFC 3464 §2.2), Original-Envelope-Id first when the sender gave ENVID.
        if let envid = dsn?.envid { body.append("Original-Envelope-Id: \(envid)") }
        body += ["Reporting-MTA: dns; \(reportingMTA)",
                 "X-Original-Queue-ID: \(original.id)",
                 "Arrival-Date: \(SimulatedTime.rfc5322Date(tick: original.receivedAtTick))"]
        for f in recipients {
            body += ["", "Final-Recipient: rfc822; \(f.address)"]
            if let orcpt = dsn?.recipient(f.address)?.orcpt { body.append("Original-Recipient: \(orcpt.addressType);\(orcpt.address)") }
            body += ["Action: \(action.rawValue)", "Status: \(f.status)"]
            if let mta = f.remoteMTA { body.append("Remote-MTA: dns; \(mta)") }
            body.append("Diagnostic-Code: \(f.diagnostic)")
        }
        let full = dsn?.ret == .full && action == .failed && original.size <= fullReturnLimit
        body += ["", "--\(boundary)"]
        if full {
            body += ["Content-Description: Undelivered Message", "Content-Type: message/rfc822", ""]
        } else {
            body += ["Content-Description: \(action == .failed ? "Undelivered Message Headers" : "Message Headers")",
                     "Content-Type: text/rfc822-headers", ""]
        }
        for header in original.headers { body += header.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
        if full { body += [""] + original.body }
        body += ["", "--\(boundary)--"]
        let bytes = Array(body.joined(separator: "\n").utf8)
        let size = headers.reduce(0) { $0 + $1.utf8.count + 2 } + 2 + body.reduce(0) { $0 + $1.utf8.count + 2 }
        return StoredMessage(id: id, envelopeFrom: "", recipients: [to], headers: headers, bodyText: bytes,
                             bodyIsEmpty: false, receivedAtTick: tick, size: size)
    }
}

extension String {
    func dropPrefix(_ prefix: String) -> String { hasPrefix(prefix) ? String(dropFirst(prefix.count)) : self }
}
