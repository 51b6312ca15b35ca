// Every code example, in its `--print-example NAME --local PORT` form, run for real against `serve --listen` with a
// Maildir: the message must arrive unchanged (the same header fields and body text the example writes, CRLF line
// ends only) and the client must name itself client.example.com in EHLO. Examples whose tool is not installed
// here (go, node with nodemailer) are left out by their trait, visibly, not passed silently.
import Foundation
import Testing
import TestLanes

/// Reads one stored message with Python's email package and prints what a mail reader would see.
let storedMessageReader = #"""
import email, email.policy, sys
raw = open(sys.argv[1], "rb").read()
print("bare LF" if b"\n" in raw.replace(b"\r\n", b"") else "CRLF only")
m = email.message_from_bytes(raw, policy=email.policy.default)
print("From:", m["From"])
print("To:", m["To"])
print("Subject:", m["Subject"])
print("Received:", " ".join(str(m.get_all("Received")[-1]).split()))
part = m.get_body(("plain",))
print("Body:", repr(part.get_content().replace("\r\n", "\n").rstrip("\n")))
"""#

@Suite("The code examples deliver unchanged", .blocking, .serialized, .timeLimit(.minutes(3)))
struct ExampleDeliveryTests {
    static func installed(_ tool: String) -> Bool { Child.which(tool) != nil }
    static var nodemailer: Bool {
        guard let node = Child.which("node") else { return false }
        return (try? Child.run(node, ["-e", "require('nodemailer')"]).status) == 0
    }

    /// Runs `example` against a fresh listener and returns what the reader makes of Bob's one stored message.
    func deliver(_ example: String, run: (_ code: String, _ work: TempDir) throws -> (status: Int32, out: String, err: String)) throws -> String {
        let maildir = TempDir("examples-maildir"), work = TempDir("examples-work")
        let server = try Listener(["--profile", "submission", "--maildir", maildir.path])
        let code = try Child.run(Child.binary, ["--print-example", example, "--local", "\(server.port)"])
        try #require(code.status == 0, "\(code.err)")
        let r = try run(code.out, work)
        try #require(r.status == 0, "\(example) failed: \(r.out)\(r.err)\n\(server.log)")
        let files = newFiles(maildir, "bob@domain.com")
        try #require(files.count == 1, "\(files)")
        let read = try Child.python(storedMessageReader, [maildir.path + "/bob@domain.com/new/" + files[0]])
        try #require(read.status == 0, "\(read.err)")
        return read.out
    }

    func expectUnchanged(_ seen: String, body: String, to: String = "Bob <bob@domain.com>") {
        #expect(seen.contains("CRLF only\n"), "\(seen)")
        #expect(seen.contains("Subject: Lunch on Friday?\n"), "\(seen)")
        #expect(seen.contains("To: \(to)\n"), "\(seen)")
        #expect(seen.contains("Received: from client.example.com "), "the EHLO name: \(seen)")
        #expect(seen.contains("Body: " + body.debugDescription.replacingOccurrences(of: "\"", with: "'") + "\n"), "\(seen)")
    }

    @Test(.enabled(if: installed("python3"))) func python() throws {
        let seen = try deliver("python") { code, _ in try Child.python(code, []) }
        expectUnchanged(seen, body: "Hi Bob,\nare you free on Friday at noon?\nAlice", to: "bob@domain.com")
    }

    @Test(.enabled(if: installed("swaks"))) func swaks() throws {
        let seen = try deliver("swaks") { code, _ in
            // The example's first command talks to the server; the --pipe one after it is for the mx profile.
            let command = try #require(code.components(separatedBy: "\n\n").first { $0.contains("--server 127.0.0.1") })
            let r = try Child.run("/bin/sh", ["-c", command])
            return (r.status, r.out, r.err)
        }
        expectUnchanged(seen, body: "Hi Bob, are you free on Friday at noon?", to: "bob@domain.com")
    }

    @Test(.enabled(if: installed("curl"))) func curl() throws {
        var wire = ""
        let seen = try deliver("curl") { code, work in
            try Data(code.utf8).write(to: URL(fileURLWithPath: work.path + "/example.sh"))
            // The server stores CRLF whatever arrives, so what curl sent is read from its own hex trace (a
            // .curlrc in a private HOME asks for it; the example itself is run unchanged).
            try Data("trace = \"\(work.path)/trace.txt\"\n".utf8).write(to: URL(fileURLWithPath: work.path + "/.curlrc"))
            let r = try Child.run("/bin/sh", ["-c", "cd '\(work.path)' && HOME='\(work.path)' sh example.sh"])
            wire = try Child.python(#"""
import re, sys
sent, on = bytearray(), False
for line in open(sys.argv[1], encoding="latin-1"):
    if line.startswith("=> Send data"): on = True; continue
    if not line.startswith(("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "b", "c", "d", "e", "f")): on = False; continue
    if on and re.match(r"[0-9a-f]{4}: ", line):
        sent += bytes.fromhex("".join(line[6:6 + 48].split()))  # the hex column; the text column follows it
print("bare LF sent" if b"\n" in bytes(sent).replace(b"\r\n", b"") else "CRLF sent", len(sent))
"""#, [work.path + "/trace.txt"]).out
            return (r.status, r.out, r.err)
        }
        expectUnchanged(seen, body: "Hi Bob, are you free on Friday at noon?\nAlice")
        #expect(wire.hasPrefix("CRLF sent"), "\(wire)")
        #expect(!wire.hasSuffix(" 0\n"), "the trace held no message data: \(wire)")
    }

    @Test(.enabled(if: installed("go"))) func go() throws {
        let seen = try deliver("go") { code, work in
            try Data(code.utf8).write(to: URL(fileURLWithPath: work.path + "/main.go"))
            let r = try Child.run("/bin/sh", ["-c", "cd '\(work.path)' && HOME='\(work.path)' GOCACHE='\(work.path)/cache' go run main.go"], seconds: 150)
            return (r.status, r.out, r.err)
        }
        expectUnchanged(seen, body: "Hi Bob, are you free on Friday at noon?\nAlice")
    }

    @Test(.enabled(if: nodemailer)) func node() throws {
        let seen = try deliver("node") { code, work in
            try Data(code.utf8).write(to: URL(fileURLWithPath: work.path + "/example.js"))
            let r = try Child.run("/bin/sh", ["-c", "cd '\(work.path)' && node example.js"])
            return (r.status, r.out, r.err)
        }
        expectUnchanged(seen, body: "Hi Bob,\nare you free on Friday at noon?\nAlice", to: "bob@domain.com")
    }

    /// The session typed by hand: a careful typist who sends each line once the reply to the one before has come
    /// (message text streams after the 354 until the dot), through the example's own s_client command.
    @Test(.enabled(if: installed("openssl"))) func openssl() throws {
        let seen = try deliver("openssl") { code, work in
            try Data(code.utf8).write(to: URL(fileURLWithPath: work.path + "/session.txt"))
            return try Child.python(#"""
import fcntl, os, subprocess, sys, time
lines = open(sys.argv[1]).read().split("\n")
at = next(i for i, l in enumerate(lines) if l.startswith("$ openssl "))
typed = [l for l in lines[at + 1:] if not l.startswith("#")]
while typed and typed[-1] == "": typed.pop()
p = subprocess.Popen(lines[at][2:], shell=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
fcntl.fcntl(p.stdout, fcntl.F_SETFL, os.O_NONBLOCK)
got = b""
def finals():
    return sum(1 for l in got.split(b"\n") if len(l) >= 4 and l[:3].isdigit() and l[3:4] == b" ")
def wait_for(n):
    global got
    deadline = time.time() + 20
    while finals() < n:
        if time.time() > deadline: sys.exit("no reply %d; got %r" % (n, got))
        try:
            chunk = p.stdout.read()
            if chunk: got += chunk
        except BlockingIOError: pass
        time.sleep(0.01)
expected, in_data = 0, False
# s_client answers the greeting, EHLO and STARTTLS itself and shows nothing until the first typed line.
for line in typed:
    p.stdin.write(line.encode() + b"\n"); p.stdin.flush()
    if in_data and line != ".": continue
    expected += 1
    wait_for(expected)
    in_data = line == "DATA"
p.stdin.close(); p.wait(timeout=20)
print(got.decode("latin-1"))
"""#, [work.path + "/session.txt"], seconds: 60)
        }
        expectUnchanged(seen, body: "Hi Bob, are you free on Friday at noon?", to: "None")  // the session writes no To:
    }
}
