// Maildir storage (the format qmail defined and Postfix and Dovecot use): one folder per mailbox with tmp/, new/
// and cur/; a message is written to tmp/, fsync'ed, then renamed into new/, so a reader never sees half a file and
// a crash leaves nothing in new/. Runs on a thread pool, never on the event loop.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization
import SMTPCore

public struct MaildirError: Error, CustomStringConvertible {
    public let description: String
}

public final class Maildir: Sendable {
    public let root: String
    private let hostName: String
    private let counter = Atomic<Int>(0)

    public init(root: String) {
        self.root = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
        var name = [CChar](repeating: 0, count: 256)
        let host = gethostname(&name, name.count) == 0
            ? String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "localhost"
        // The Maildir rule: "/" and ":" in the host name are written as \057 and \072.
        self.hostName = host.replacingAll("/", with: "\\057").replacingAll(":", with: "\\072")
    }

    /// A folder name for a mailbox that can never leave `root`: lower-cased, and every octet outside
    /// [a-z0-9@._+=-] written as %XX (so no "/", no control character, no NUL); a leading "." is escaped too, so
    /// "." and ".." (and hidden folders) cannot occur. Over-long names keep a prefix and a hash.
    public static func folderName(for mailbox: String) -> String {
        var out = ""
        for byte in mailbox.lowercased().utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "@"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "+"), UInt8(ascii: "="),
                 UInt8(ascii: "-"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + hex2(byte)
            }
        }
        if out.isEmpty { out = "%00" }
        if out.hasPrefix(".") { out = "%2E" + out.dropFirst() }
        if out.utf8.count > 200 {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a over the full name keeps long names distinct
            for byte in mailbox.lowercased().utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            out = String(out.utf8.prefix(160))! + "~" + String(hash, radix: 16)
        }
        return out
    }

    static func hex2(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 15)]], as: UTF8.self)
    }

    /// A name no other delivery can have: seconds, microseconds, process id, a per-process counter, host.
    func uniqueName(size: Int) -> String {
        var tv = timeval()
        gettimeofday(&tv, nil)
        let n = counter.add(1, ordering: .relaxed).newValue
        return "\(tv.tv_sec).M\(tv.tv_usec)P\(getpid())Q\(n).\(hostName),S=\(size)"
    }

    /// Stores one copy per recipient, all or nothing: every copy is written and fsync'ed in tmp/ first; only
    /// then are they renamed into new/. On any failure the copies already made are removed and the error thrown,
    /// so the caller can answer 451 knowing nothing was delivered. Returns the paths in new/.
    @discardableResult
    public func deliver(_ message: StoredMessage) throws -> [String] {
        let bytes = message.messageBytes
        var staged: [(tmp: String, new: String)] = []
        var renamed: [String] = []
        do {
            try ensureDirectory(root)
            for recipient in message.recipients {
                let box = root + "/" + Self.folderName(for: recipient)
                for sub in ["", "/tmp", "/new", "/cur"] { try ensureDirectory(box + sub) }
                let name = uniqueName(size: bytes.count)
                let tmp = box + "/tmp/" + name
                staged.append((tmp, box + "/new/" + name))
                try writeSynced(bytes, to: tmp)
            }
            for file in staged {
                guard rename(file.tmp, file.new) == 0 else { throw MaildirError(description: "rename \(file.tmp): \(errnoText())") }
                renamed.append(file.new)
                syncDirectory(String(file.new[..<file.new.lastIndex(of: "/")!]))
            }
            return renamed
        } catch {
            for file in staged { unlink(file.tmp) }
            for path in renamed { unlink(path) }
            throw error
        }
    }

    /// One delivered file, for a reader (the app's mailboxes popup): where it is and its first bytes.
    public struct Entry: Sendable {
        public let mailbox: String
        public let file: String
        public let size: Int
        public let modified: Int
        public let head: [UInt8]
    }

    /// The files in every mailbox's new/ and cur/, newest first, at most `limit`; each with up to `headBytes` of
    /// its start (enough for the headers a list shows). A missing root is an empty Maildir.
    public func listing(limit: Int = 500, headBytes: Int = 4_096) -> [Entry] {
        var found: [(mailbox: String, path: String, file: String, size: Int, modified: Int)] = []
        for box in Self.names(in: root) where !box.hasPrefix(".") {
            for sub in ["new", "cur"] {
                let folder = root + "/" + box + "/" + sub
                for name in Self.names(in: folder) where !name.hasPrefix(".") {
                    var st = stat()
                    let path = folder + "/" + name
                    guard stat(path, &st) == 0, (st.st_mode & 0o170000) == 0o100000 else { continue }
                    found.append((box, path, name, Int(st.st_size), Int(st.st_mtim.tv_sec)))
                }
            }
        }
        found.sort { ($0.modified, $0.file) > ($1.modified, $1.file) }
        return found.prefix(limit).map { item in
            var head = [UInt8](repeating: 0, count: headBytes)
            let fd = open(item.path, O_RDONLY | O_CLOEXEC)
            var got = 0
            if fd >= 0 {
                got = max(0, head.withUnsafeMutableBytes { read(fd, $0.baseAddress, headBytes) })
                close(fd)
            }
            return Entry(mailbox: item.mailbox, file: item.file, size: item.size, modified: item.modified,
                         head: Array(head.prefix(got)))
        }
    }

    /// The entries of a folder but "." and "..", unsorted; none when it cannot be read.
    public static func names(in folder: String) -> [String] {
        guard let dir = opendir(folder) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    private func ensureDirectory(_ path: String) throws {
        if mkdir(path, 0o700) == 0 || errno == EEXIST {
            var st = stat()
            if stat(path, &st) == 0 && (st.st_mode & 0o170000) == 0o040000 { return }  // a directory
        }
        throw MaildirError(description: "mkdir \(path): \(errnoText())")
    }

    private func writeSynced(_ bytes: [UInt8], to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw MaildirError(description: "open \(path): \(errnoText())") }
        var ok = true
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { ok = false; return }
                offset += n
            }
        }
        let why = errnoText()
        if ok && fsync(fd) != 0 { ok = false }
        close(fd)
        guard ok else { unlink(path); throw MaildirError(description: "write \(path): \(why)") }
    }

    private func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd >= 0 { fsync(fd); close(fd) }
    }
}

func errnoText() -> String { String(cString: strerror(errno)) }

extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for c in self { if c == target { out += replacement } else { out.append(c) } }
        return out
    }
}
