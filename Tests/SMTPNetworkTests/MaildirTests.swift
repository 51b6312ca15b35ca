// Maildir in process: safe folder names, unique file names, all-or-nothing delivery.
import Foundation
import Testing
import SMTPCore
@testable import SMTPNetwork
@testable import MailStore

@Suite("Maildir", .timeLimit(.minutes(1)))
struct MaildirTests {
    @Test(arguments: ["x/../../escaped@elsewhere.org", "\"x/../../escaped\"@elsewhere.org", "x/y@elsewhere.org", "..",
                      ".", "", ".hidden@x.org", "a\u{0}b@x.org", "tab\there@x.org", "nl\nx@x.org", "\u{7f}@x.org",
                      "ünïcode@x.org", String(repeating: "/..", count: 200) + "@x.org"])
    func folderNamesStayOneSafeComponent(address: String) throws {
        let name = Maildir.folderName(for: address)
        #expect(!name.isEmpty)
        #expect(!name.contains("/"))
        #expect(name != "." && name != ".." && !name.hasPrefix("."))
        #expect(name.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }, "only printable ASCII: \(name.debugDescription)")
        #expect(name.utf8.count <= 200)
    }

    @Test func ordinaryAddressesKeepTheirNames() {
        #expect(Maildir.folderName(for: "Bob@Domain.com") == "bob@domain.com")
        #expect(Maildir.folderName(for: "first.last+tag@x-y.org") == "first.last+tag@x-y.org")
    }

    @Test func distinctAddressesGetDistinctFolders() {
        let long = String(repeating: "a", count: 300)
        #expect(Maildir.folderName(for: long + "1@x.org") != Maildir.folderName(for: long + "2@x.org"))
        // Addresses that differ only where the escaping works, each next to the text its escaped form spells: the
        // escape character itself must be escaped, or "a/b" and "a%2Fb" share a folder.
        let tricky = ["a/b@x.org", "a%2Fb@x.org", "a%252Fb@x.org", ".a@x.org", "%2Ea@x.org", "a b@x.org", "a%20b@x.org",
                      "ü@x.org", "%C3%BC@x.org", "a~b@x.org", "a%7Eb@x.org", long + "/@x.org", long + "%2F@x.org"]
        let names = tricky.map { Maildir.folderName(for: $0) }
        #expect(Set(names).count == tricky.count, "shared folders: \(Dictionary(grouping: tricky, by: { Maildir.folderName(for: $0) }).values.filter { $0.count > 1 })")
    }

    @Test func uniqueNamesInOneProcess() {
        let maildir = Maildir(root: "/nonexistent")
        let names = (0..<1000).map { _ in maildir.uniqueName(size: 10) }
        #expect(Set(names).count == 1000)
        #expect(names[0].contains("P\(getpid())Q"))
        #expect(!names[0].contains("/") && !names[0].contains(":"))
    }

    @Test func theListingNamesEachFileAndReadsItsHeaders() throws {
        let dir = TempDir("listing")
        let maildir = Maildir(root: dir.path)
        let message = StoredMessage(id: "ID1", envelopeFrom: "alice@example.com", recipients: ["bob@domain.com"],
                                    headers: ["Return-Path: <alice@example.com>", "Received: from client.test\n\tby mx.domain.com",
                                              "From: Alice <alice@example.com>", "Subject: Lunch\n on Friday?"],
                                    bodyText: Array("hi".utf8), bodyIsEmpty: false, receivedAtTick: 0, size: 2)
        let paths = try maildir.deliver(message)
        let entry = try #require(maildir.listing().first)
        #expect(entry.mailbox == "bob@domain.com")
        #expect(entry.folder == "new")
        #expect(!entry.file.isEmpty && paths == [dir.path + "/bob@domain.com/new/" + entry.file])
        // The stored file's lines end in CRLF; the folded Subject is unfolded.
        let headers = HeaderPeek(entry.head)
        #expect(headers["from"] == "Alice <alice@example.com>")
        #expect(headers["subject"] == "Lunch on Friday?")
        #expect(headers["received"] == "from client.test by mx.domain.com")
    }

    @Test func preparingMakesMissingFoldersAndRefusesWhatCannotBeAFolder() throws {
        let dir = TempDir("prepare")
        #expect(try Maildir(root: dir.path + "/a/b/mail").prepare() == [dir.path + "/a", dir.path + "/a/b", dir.path + "/a/b/mail"])
        #expect(try Maildir(root: dir.path + "/a/b/mail").prepare() == [], "nothing to make the second time")
        FileManager.default.createFile(atPath: dir.path + "/file", contents: Data("x".utf8))
        #expect(throws: MaildirError.self) { try Maildir(root: dir.path + "/file/mail").prepare() }
    }
}
