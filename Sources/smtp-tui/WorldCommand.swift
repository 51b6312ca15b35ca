// `smtp-tui world`: the map of the simulated world — who exists and which reply each one teaches.
import ArgumentParser
import SMTPCore

struct WorldCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "world", abstract: "Print the simulated world: servers, DNS records, mailboxes and the replies they demonstrate.")

    @Flag(help: "Print only the world's DNS, as an RFC 1035 master file (what `play --export` writes to zone.txt).")
    var zone = false

    func run() {
        if zone { print(MailNetwork.standard.dns.masterFile, terminator: "") } else { print(WorldMap.render(MailNetwork.standard)) }
    }
}
