// The listener killed outright (SIGKILL) while clients deliver: every message it acknowledged with 250 is in new/,
// whole; nothing partial is in new/; and a server restarted on the same Maildir overwrites none of it. The clients
// wait for each reply where RFC 2920 asks them to (EHLO alone, then MAIL, RCPT and DATA as one group, then the
// message), and the kill comes after the fortieth 250, not after a chosen time.
import Foundation
import Testing
import TestLanes

@Suite("A killed listener", .blocking, .serialized, .timeLimit(.minutes(3)))
struct CrashTests {
    /// Shared by the programs below: the message numbered n (headers, sizes from a few lines to ~200 kB, lines that
    /// need dot-stuffing), and a client that delivers messages over one connection, reply by reply.
    static let program = #"""
import json, os, signal, socket, sys, threading
def message(n):
    lines = [b"Subject: crash test %d" % n, b"X-Seq: %d" % n, b""]
    for i in range([3, 300, 6000][n % 3]):
        lines.append((b"." if i % 5 == 0 else b"") + b"line %d of message %d " % (i, n) + b"x" * (n % 40))
    return b"\r\n".join(lines) + b"\r\n"
def replies(f, count):
    codes = []
    while len(codes) < count:
        line = f.readline()
        if not line: raise EOFError("connection closed")
        if line[3:4] != b"-": codes.append(int(line[:3]))
    return codes
def deliver(port, numbers, on_ack):
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    f = s.makefile("rb")
    assert replies(f, 1) == [220]
    s.sendall(b"EHLO crash.test\r\n")
    assert replies(f, 1) == [250]
    for n in numbers:
        s.sendall(b"MAIL FROM:<alice@example.com>\r\nRCPT TO:<bob@domain.com>\r\nDATA\r\n")
        assert replies(f, 3) == [250, 250, 354]
        body = message(n)
        stuffed = b"\r\n".join(b"." + l if l.startswith(b".") else l for l in body[:-2].split(b"\r\n"))
        s.sendall(stuffed + b"\r\n.\r\n")
        if replies(f, 1) == [250]: on_ack(n)
    s.sendall(b"QUIT\r\n")
    replies(f, 1)
def describe(maildir):
    """Every file in new/: its name, the message number it carries, and whether it holds that message whole."""
    folder = os.path.join(maildir, "bob@domain.com", "new")
    out = []
    for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
        data = open(os.path.join(folder, name), "rb").read()
        start = data.find(b"Subject: crash test ")
        n = int(data[start + 20:].split(b"\r\n")[0]) if start >= 0 else -1
        out.append({"name": name, "seq": n, "whole": n >= 0 and data[start:] == message(n), "size": len(data)})
    return out

"""#

    struct File: Decodable { let name: String; let seq: Int; let whole: Bool; let size: Int }
    struct Delivery: Decodable { let acked: [Int]; let killed: Bool }

    static func describe(_ maildir: TempDir) throws -> [File] {
        let r = try Child.python(program + "print(json.dumps(describe(sys.argv[1])))", [maildir.path])
        try #require(r.status == 0, "python failed: \(r.out)\(r.err)")
        return try JSONDecoder().decode([File].self, from: Data(r.out.utf8))
    }

    @Test func everyAcknowledgedMessageSurvivesSIGKILLWholeAndARestartOverwritesNothing() throws {
        let maildir = TempDir("crash-maildir")
        let server = try Listener(["--profile", "mx", "--maildir", maildir.path])
        let pid = server.process.processIdentifier
        // Four clients deliver at once; the fortieth 250 triggers the SIGKILL, with the others mid-message.
        let run = try Child.python(Self.program + #"""
port, pid = int(sys.argv[1]), int(sys.argv[2])
lock, acked, killed = threading.Lock(), [], threading.Event()
def on_ack(n):
    with lock:
        acked.append(n)
        if len(acked) == 40:
            os.kill(pid, signal.SIGKILL)
            killed.set()
def worker(k):
    try:
        deliver(port, range(k, 100000, 4), on_ack)
    except (OSError, EOFError, AssertionError):
        pass  # the server is gone
threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
for t in threads: t.start()
for t in threads: t.join()
print(json.dumps({"acked": acked, "killed": killed.is_set()}))
"""#, ["\(server.port)", "\(pid)"], seconds: 120)
        try #require(run.status == 0, "python failed: \(run.out)\(run.err)\nserver log: \(server.log)")
        let delivery = try JSONDecoder().decode(Delivery.self, from: Data(run.out.utf8))
        #expect(delivery.killed && delivery.acked.count >= 40, "the kill never came: \(delivery.acked.count) acknowledged")
        server.process.waitUntilExit()
        #expect(server.process.terminationReason == .uncaughtSignal && server.process.terminationStatus == SIGKILL)

        let afterKill = try Self.describe(maildir)
        let bySeq = Dictionary(grouping: afterKill, by: \.seq)
        for n in delivery.acked {
            #expect(bySeq[n]?.count == 1, "message \(n) was acknowledged with 250 but \(bySeq[n]?.count ?? 0) files hold it")
        }
        for file in afterKill {
            #expect(file.whole, "\(file.name) in new/ is not a whole message (\(file.size) bytes, message \(file.seq))")
        }
        #expect(bySeq.values.allSatisfy { $0.count == 1 }, "a message stored twice: \(bySeq.filter { $0.value.count > 1 }.keys.sorted())")

        // A new server on the same Maildir delivers more and leaves every earlier file as it was.
        let again = try Listener(["--profile", "mx", "--maildir", maildir.path])
        let more = try Child.python(Self.program + #"""
acked = []
deliver(int(sys.argv[1]), range(200000, 200030), acked.append)
print(len(acked))
"""#, ["\(again.port)"], seconds: 120)
        #expect(more.out.trimmingCharacters(in: .whitespacesAndNewlines) == "30", "python: \(more.out)\(more.err)")
        again.stop()
        let afterRestart = try Self.describe(maildir)
        let now = Dictionary(uniqueKeysWithValues: afterRestart.map { ($0.name, $0) })
        for old in afterKill {
            let same = try #require(now[old.name], "\(old.name) disappeared")
            #expect(same.seq == old.seq && same.whole && same.size == old.size, "\(old.name) was overwritten: now message \(same.seq), \(same.size) bytes")
        }
        let added = afterRestart.filter { $0.seq >= 200000 }
        #expect(Set(added.map(\.seq)) == Set(200000..<200030) && added.allSatisfy(\.whole) && added.count == 30)
        #expect(afterRestart.count == afterKill.count + 30)
    }
}
