// `smtp-tui world`: the map of the simulated world — who exists and which reply each one teaches.
import ArgumentParser
import SMTPCore

struct WorldCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "world", abstract: "Print the simulated world: servers, DNS records, mailboxes and the replies they demonstrate.")

    func run() {
        print(WorldMap.render(MailNetwork.standard))
    }
}
