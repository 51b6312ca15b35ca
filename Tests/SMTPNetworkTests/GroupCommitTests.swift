// Maildir group commit: deliveries made durable together in rounds. Every delivery still lands byte for byte
// under its own name, and a failure in a round fails only the deliveries it concerns, leaving nothing of them
// in new/ or tmp/.
import Foundation
import Testing
import Synchronization
import SMTPCore
@testable import SMTPNetwork
@testable import MailStore
import TestLanes

private func message(_ n: Int, to recipients: [String], bodyLines: Int = 3) -> StoredMessage {
    var body: [UInt8] = []
    for line in 0..<bodyLines {
        if line > 0 { body.append(0x0A) }
        body += Array("message \(n) line \(line) ".utf8) + [0x00, 0xE9, 0xFF, 0x80]
    }
    return StoredMessage(id: "ID\(n)", envelopeFrom: "alice@example.com", recipients: recipients,
                         headers: ["Received: from client\n\tby server with ESMTP id ID\(n)", "Subject: \(n)"],
                         bodyText: body, bodyIsEmpty: false, receivedAtTick: 0, size: body.count)
}

private func files(_ dir: TempDir, _ box: String, _ sub: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: dir.path + "/" + box + "/" + sub)) ?? []).sorted()
}

private func bytes(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }

/// Records which copies were fsync'ed one by one, and fails the calls a test asks for.
private final class FaultPlan: Sendable {
    let failSyncfs = Atomic<Int>(0)               // fail the next N syncfs calls with EIO
    let failFilesContaining = Mutex<String?>(nil)  // fsync of a copy whose path contains this fails with EIO
    let failFolderContaining = Mutex<String?>(nil) // fsync of a new/ folder whose path contains this fails
    let fileSyncs = Mutex<[String]>([])

    var operations: Maildir.Operations {
        Maildir.Operations(
            syncFileSystem: { fd in
                if self.failSyncfs.load(ordering: .relaxed) > 0 {
                    self.failSyncfs.subtract(1, ordering: .relaxed)
                    return EIO
                }
                return Maildir.Operations.system.syncFileSystem.map { $0(fd) } ?? 0
            },
            syncFile: { fd, path in
                self.fileSyncs.withLock { $0.append(path) }
                if let bad = self.failFilesContaining.withLock({ $0 }), path.contains(bad) { return EIO }
                return fsync(fd) == 0 ? 0 : errno
            },
            syncDirectory: { path in
                if let bad = self.failFolderContaining.withLock({ $0 }), path.contains(bad) { return EIO }
                return Maildir.Operations.system.syncDirectory(path)
            })
    }
}

@Suite("Maildir group commit", .blocking, .timeLimit(.minutes(1)))
struct GroupCommitTests {
    @Test func concurrentDeliveriesAllLandByteIdenticalUnderDistinctNames() throws {
        let dir = TempDir("group")
        let maildir = Maildir(root: dir.path)
        let count = 200
        let messages = (0..<count).map { message($0, to: $0 % 3 == 0 ? ["bob@domain.com", "carol@domain.com"] : ["bob@domain.com"],
                                                bodyLines: 1 + $0 % 50) }
        let results = Mutex<[Int: Result<[String], any Error>]>([:])
        let done = DispatchGroup()
        // Many threads at once, as event loops would hand them over; the writer and the committer get their
        // threads from Dispatch here: rounds form while a sync is in flight.
        let run: @Sendable (@escaping @Sendable () -> Void) -> Void = { work in DispatchQueue.global().async { work() } }
        for (n, m) in messages.enumerated() {
            done.enter()
            DispatchQueue.global().async {
                maildir.deliver(m, run: run) { result in
                    results.withLock { $0[n] = result }
                    done.leave()
                }
            }
        }
        #expect(done.wait(timeout: .now() + 40) == .success)
        var paths: [String] = []
        for n in 0..<count {
            let stored = try #require(try results.withLock { $0[n] }?.get())
            #expect(stored.count == messages[n].recipients.count)
            for path in stored { #expect(try bytes(path) == messages[n].messageBytes, "\(path) differs from message \(n)") }
            paths += stored
        }
        #expect(Set(paths).count == paths.count, "two deliveries share a name")
        let bob = files(dir, "bob@domain.com", "new"), carol = files(dir, "carol@domain.com", "new")
        #expect(bob.count == count)
        #expect(carol.count == (0..<count).filter { $0 % 3 == 0 }.count)
        #expect(files(dir, "bob@domain.com", "tmp").isEmpty && files(dir, "carol@domain.com", "tmp").isEmpty)
        // The synchronous form goes through the same queue.
        let one = try maildir.deliver(message(999, to: ["bob@domain.com"]))
        #expect(try bytes(one[0]) == message(999, to: ["bob@domain.com"]).messageBytes)
    }

    @Test func aRenameFailureFailsOnlyTheDeliveriesItConcerns() throws {
        let dir = TempDir("group-rename")
        let maildir = Maildir(root: dir.path)
        // carol's folders are made (and remembered), then her new/ becomes a regular file: renames into it fail.
        _ = try maildir.deliver(message(0, to: ["carol@domain.com"]))
        try FileManager.default.removeItem(atPath: dir.path + "/carol@domain.com/new")
        FileManager.default.createFile(atPath: dir.path + "/carol@domain.com/new", contents: Data("x".utf8))
        let round = [message(1, to: ["bob@domain.com"]), message(2, to: ["carol@domain.com"]),
                     message(3, to: ["bob@domain.com", "carol@domain.com"]), message(4, to: ["dave@domain.com"])]
        let results = maildir.deliverTogether(round)
        #expect((try? results[0].get())?.count == 1)
        #expect((try? results[1].get()) == nil, "a rename into a file cannot succeed")
        #expect((try? results[2].get()) == nil, "all or nothing: bob's copy is taken back when carol's fails")
        #expect((try? results[3].get())?.count == 1)
        #expect(files(dir, "bob@domain.com", "new").count == 1, "only message 1 in bob's new/")
        #expect(try bytes(try results[0].get()[0]) == round[0].messageBytes)
        #expect(files(dir, "dave@domain.com", "new").count == 1)
        for box in ["bob@domain.com", "carol@domain.com", "dave@domain.com"] {
            #expect(files(dir, box, "tmp").isEmpty, "\(box)/tmp keeps \(files(dir, box, "tmp"))")
        }
    }

    @Test func aDataSyncFailureFailsOnlyItsDelivery() throws {
        let dir = TempDir("group-sync")
        let plan = FaultPlan()
        let maildir = Maildir(root: dir.path, operations: plan.operations)
        plan.failSyncfs.store(1, ordering: .relaxed)
        plan.failFilesContaining.withLock { $0 = "/carol@domain.com/" }
        let round = [message(1, to: ["bob@domain.com"]), message(2, to: ["carol@domain.com"]),
                     message(3, to: ["dave@domain.com", "carol@domain.com"])]
        let results = maildir.deliverTogether(round)
        // syncfs (the plan's, on every system) said "an error somewhere": every copy was then fsync'ed alone, and
        // only carol's failed.
        let synced = plan.fileSyncs.withLock { $0 }
        let boxes = Set(synced.map { path -> String in
            let parts = path.split(separator: "/").map(String.init)
            return parts.count >= 3 ? parts[parts.count - 3] : ""
        })
        #expect(boxes == ["bob@domain.com", "carol@domain.com", "dave@domain.com"])
        #expect((try? results[0].get())?.count == 1)
        #expect((try? results[1].get()) == nil)
        #expect((try? results[2].get()) == nil)
        #expect(files(dir, "bob@domain.com", "new").count == 1)
        #expect(files(dir, "carol@domain.com", "new").isEmpty && files(dir, "dave@domain.com", "new").isEmpty)
        for box in ["bob@domain.com", "carol@domain.com", "dave@domain.com"] { #expect(files(dir, box, "tmp").isEmpty) }
    }

    /// The fault plan brings its own syncfs (the system's where there is one), so this runs everywhere.
    @Test func copiesOpenedBeforeASyncfsErrorAreCheckedOneByOneLater() throws {
        let dir = TempDir("group-suspect")
        let plan = FaultPlan()
        let maildir = Maildir(root: dir.path, operations: plan.operations)
        // b is written before the failing syncfs of a's round: its write-back may have failed during that call,
        // which syncfs reports only once, so b's own round must fsync it alone. c, written afterwards, need not.
        // (Three copies each: rounds of one or two copies are fsync'ed file by file anyway.)
        let three = ["bob@domain.com", "carol@domain.com", "dave@domain.com"]
        let a = try maildir.stage(message(1, to: three))
        let b = try maildir.stage(message(2, to: three))
        plan.failSyncfs.store(1, ordering: .relaxed)
        #expect((try? maildir.commit([a])[0].get()) != nil)
        #expect(plan.fileSyncs.withLock { $0 }.count == 3, "a's copies were not fsync'ed one by one after the error")
        #expect((try? maildir.commit([b])[0].get()) != nil)
        #expect(plan.fileSyncs.withLock { $0 }.count == 6, "b was not fsync'ed on its own")
        let c = try maildir.stage(message(3, to: three))
        #expect((try? maildir.commit([c])[0].get()) != nil)
        #expect(plan.fileSyncs.withLock { $0 }.count == 6, "c needs no fsync of its own")
        #expect(files(dir, "bob@domain.com", "new").count == 3)
    }

    @Test func aFolderSyncFailureFailsEveryDeliveryWithACopyThere() throws {
        let dir = TempDir("group-folder")
        let plan = FaultPlan()
        let maildir = Maildir(root: dir.path, operations: plan.operations)
        plan.failFolderContaining.withLock { $0 = "/carol@domain.com/new" }
        let round = [message(1, to: ["bob@domain.com"]), message(2, to: ["carol@domain.com"]),
                     message(3, to: ["bob@domain.com", "carol@domain.com"])]
        let results = maildir.deliverTogether(round)
        #expect((try? results[0].get())?.count == 1)
        #expect((try? results[1].get()) == nil)
        #expect((try? results[2].get()) == nil)
        #expect(files(dir, "bob@domain.com", "new").count == 1)
        #expect(files(dir, "carol@domain.com", "new").isEmpty)
        for box in ["bob@domain.com", "carol@domain.com"] { #expect(files(dir, box, "tmp").isEmpty) }
    }

    @Test func aMailboxRemovedWhileRunningIsMadeAgain() throws {
        let dir = TempDir("group-removed")
        let maildir = Maildir(root: dir.path)
        _ = try maildir.deliver(message(1, to: ["bob@domain.com"]))
        try FileManager.default.removeItem(atPath: dir.path + "/bob@domain.com")
        let paths = try maildir.deliver(message(2, to: ["bob@domain.com"]))
        #expect(files(dir, "bob@domain.com", "new").count == 1)
        #expect(try bytes(paths[0]) == message(2, to: ["bob@domain.com"]).messageBytes)
        for sub in ["tmp", "cur"] {
            var isDir: ObjCBool = false
            #expect(FileManager.default.fileExists(atPath: dir.path + "/bob@domain.com/" + sub, isDirectory: &isDir) && isDir.boolValue)
        }
    }
}

@Suite("serve --listen under concurrent clients", .blocking, .serialized, .timeLimit(.minutes(2)))
struct ConcurrentListenerTests {
    @Test func concurrentClientsAllGet250AndEveryMessageLands() throws {
        let maildir = TempDir("maildir-concurrent")
        let server = try Listener(["--profile", "mx", "--maildir", maildir.path, "--no-tls"])
        // 30 clients at once, each sending 3 messages over one connection; every body is distinct.
        let r = try Child.python(pythonPrelude + #"""
import threading
out = []
def client(n):
    s = smtplib.SMTP("127.0.0.1", PORT, timeout=30)
    s.ehlo("client.test")
    for i in range(3):
        s.sendmail("alice@example.com", ["bob@domain.com"], b"Subject: %d/%d\r\n\r\nbody %d/%d\r\n" % (n, i, n, i))
        out.append("ok")
    s.quit()
threads = [threading.Thread(target=client, args=(n,)) for n in range(30)]
for t in threads: t.start()
for t in threads: t.join()
print(len(out))
"""#, ["\(server.port)"], seconds: 60)
        #expect(r.status == 0, "python failed: \(r.out)\(r.err)")
        #expect(r.out.trimmingCharacters(in: .whitespacesAndNewlines) == "90", "\(r.out)\(r.err)")
        let files = newFiles(maildir, "bob@domain.com")
        #expect(files.count == 90, "log: \(server.log)")
        var bodies: Set<String> = []
        for file in files {
            let text = try String(contentsOfFile: maildir.path + "/bob@domain.com/new/" + file, encoding: .utf8)
            if let body = text.components(separatedBy: "\r\n\r\n").last { bodies.insert(body) }
        }
        #expect(bodies.count == 90, "every message once")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: maildir.path + "/bob@domain.com/tmp")) ?? ["?"]).isEmpty)
    }
}

@Suite("Stored message octets")

struct MessageBytesTests {
    /// The plain definition: every LF gets a CR in front, every line a CRLF after it.
    static func reference(_ message: StoredMessage) -> [UInt8] {
        func lines(_ bytes: [UInt8]) -> [UInt8] { bytes.flatMap { $0 == 0x0A ? [0x0D, 0x0A] : [$0] } + [0x0D, 0x0A] }
        if let raw = message.rawContent { return message.headerBytes.prefix(message.addedHeaderCount).flatMap(lines) + raw }
        return message.headerBytes.flatMap(lines) + [0x0D, 0x0A] + (message.bodyIsEmpty ? [] : lines(message.bodyText))
    }

    @Test func messageBytesMatchTheDefinitionOnAwkwardOctets() {
        var generator = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = [0x0A, 0x0D, 0x00, 0xFF, 0x2E, 0x41, 0x20, 0x0A, 0x0A]
        func random(_ n: Int) -> [UInt8] { (0..<n).map { _ in alphabet.randomElement(using: &generator)! } }
        for round in 0..<300 {
            let headers = (0..<Int.random(in: 0...4)).map { _ in random(Int.random(in: 0...12)) }
            let body = random(Int.random(in: 0...(round % 3 == 0 ? 3000 : 40)))
            let raw: [UInt8]? = round % 4 == 0 ? random(Int.random(in: 0...50)) : nil
            let message = StoredMessage(id: "X", envelopeFrom: "", recipients: ["a@b.c"],
                                        headers: headers.map { String(decoding: $0, as: UTF8.self) }, headerBytes: headers,
                                        bodyText: body, bodyIsEmpty: round % 5 == 0 && body.isEmpty, receivedAtTick: 0,
                                        size: body.count, rawContent: raw, addedHeaderCount: min(2, headers.count))
            #expect(message.messageBytes == Self.reference(message), "round \(round)")
        }
    }
}
