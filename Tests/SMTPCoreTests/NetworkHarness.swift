// Sessions with the servers of the standard network, as the app's learner meets them.
@testable import SMTPCore

extension MailNetwork {
    /// The host a preamble is typed to; the standard network has every host a preamble names.
    static func standardHost(_ preamble: SessionPreamble) -> MailHost? {
        MailNetwork.standard.host(named: preamble.host)
    }
}
