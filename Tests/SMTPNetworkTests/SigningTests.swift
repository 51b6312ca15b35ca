// serve on the submission profile signs what real clients submit with the world's TEST key, so a learner can check
// their own program's mail with any DKIM tool: here Debian's dkimpy, the key read from `smtp-tui world --zone`.
import Foundation
import Testing
import TestLanes

@Suite("serve --maildir on submission DKIM-signs real clients' mail", .blocking, .serialized, .timeLimit(.minutes(2)))
struct SigningTests {
    /// Debian's python3 with dkimpy (python3-dkim), or nil.
    static func pythonWithDKIM() -> String? {
        for candidate in ["/usr/bin/python3", "/usr/local/bin/python3"] where FileManager.default.isExecutableFile(atPath: candidate) {
            if let r = try? Child.run(candidate, ["-c", "import dkim"]), r.status == 0 { return candidate }
        }
        return nil
    }

    static let verifier = #"""
import dkim, re, sys
records = {}
for line in sys.stdin.read().splitlines():
    m = re.match(r'^(\S+)\s+IN\s+TXT\s+(.*)$', line)
    if m:
        records[m.group(1).rstrip(".").lower()] = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(2)))
def lookup(name, timeout=5):
    text = records.get(name.decode().rstrip(".").lower())
    return text.encode() if text is not None else None
print("pass" if dkim.verify(open(sys.argv[1], "rb").read(), dnsfunc=lookup) else "fail")
"""#

    @Test func pythonSmtplibMailIsSignedAndVerifies() throws {
        guard let python = Self.pythonWithDKIM() else {
            Issue.record("python3-dkim (dkimpy) is not installed: apt-get install python3-dkim (.ci/run installs it)")
            return
        }
        let maildir = TempDir("signed")
        let server = try Listener(["--profile", "submission", "--maildir", maildir.path])
        defer { server.stop() }
        let r = try Child.python(pythonPrelude + #"""
s = smtplib.SMTP("127.0.0.1", PORT, timeout=20)
s.ehlo("client.test")
s.starttls(context=insecure())
s.ehlo("client.test")
s.login("alice@example.com", "wonderland")
body = b"From: Alice <alice@example.com>\r\nTo: Bob <bob@domain.com>\r\nSubject: signed for real\r\n\r\nHello  Bob,\r\nthis body is signed.\r\n"
print("refused", s.sendmail("alice@example.com", ["bob@domain.com"], body))
s.quit()
"""#, ["\(server.port)"])
        #expect(r.status == 0, "python failed: \(r.out)\(r.err)\nserver log: \(server.log)")
        let files = newFiles(maildir, "bob@domain.com")
        try #require(files.count == 1, "files: \(maildir.files())")
        let path = maildir.path + "/bob@domain.com/new/" + files[0]
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=rsa2026;"))
        // The client's own octets are all still there (the server adds its fields above them, and Message-ID:
        // and Date: after them, as a submission server completes a message).
        #expect(text.contains("\r\nFrom: Alice <alice@example.com>\r\nTo: Bob <bob@domain.com>\r\nSubject: signed for real\r\n"))
        #expect(text.hasSuffix("\r\n\r\nHello  Bob,\r\nthis body is signed.\r\n"))

        let zone = try Child.run(Child.binary, ["world", "--zone"])
        let script = maildir.path + "/verify.py"
        try Self.verifier.write(toFile: script, atomically: true, encoding: .utf8)
        let good = try Child.run(python, [script, path], stdin: Data(zone.out.utf8))
        #expect(good.out == "pass\n", "\(good.out)\(good.err)")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let at = try #require(bytes.lastIndex(of: UInt8(ascii: "B")))  // the B of "Bob," in the body
        bytes[at] = UInt8(ascii: "R")
        try bytes.write(to: URL(fileURLWithPath: path))
        let bad = try Child.run(python, [script, path], stdin: Data(zone.out.utf8))
        #expect(bad.out == "fail\n", "\(bad.out)\(bad.err)")
    }

    @Test func mailFromAnotherDomainIsNotSigned() throws {
        let maildir = TempDir("unsigned")
        let server = try Listener(["--profile", "submission", "--maildir", maildir.path])
        defer { server.stop() }
        let r = try Child.python(pythonPrelude + #"""
s = smtplib.SMTP("127.0.0.1", PORT, timeout=20)
s.ehlo("client.test")
s.starttls(context=insecure())
s.ehlo("client.test")
s.login("alice@example.com", "wonderland")
s.sendmail("alice@example.com", ["bob@domain.com"], b"From: someone@elsewhere.org\r\nSubject: not ours\r\n\r\nhi\r\n")
s.quit()
"""#, ["\(server.port)"])
        #expect(r.status == 0, "python failed: \(r.out)\(r.err)")
        let files = newFiles(maildir, "bob@domain.com")
        try #require(files.count == 1)
        let text = try String(contentsOfFile: maildir.path + "/bob@domain.com/new/" + files[0], encoding: .utf8)
        #expect(!text.contains("DKIM-Signature:"), "example.com signs only mail whose From: is its own")
    }
}
