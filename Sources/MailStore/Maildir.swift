// Maildir storage (the format qmail defined and Postfix and Dovecot use): one folder per mailbox with tmp/, new/
// and cur/; a message is written to tmp/, made durable, then renamed into new/ and the rename made durable, so a
// reader never sees half a file and a crash leaves nothing in new/. Runs on a thread pool, never on the event loop.
//
// Group commit: deliveries queue up for a writer, which writes each copy to tmp/ without a sync and hands them to
// a committer, which makes everything handed over so far durable together: one syncfs(2) per filesystem for the
// data (Linux; elsewhere an fsync per file), every rename, one fsync per distinct new/ folder; then every delivery
// of the round is answered. While the committer syncs, the writer writes the next round, and each wakes a thread
// only when it was idle, so under load a round costs two disk flushes and a few thread switches however many
// messages it carries, instead of three flushes and two switches per message.
//
// A target of its own, without the network: the listener stores into it, and the app (which runs the listener in
// another process, smtp-tui-net) reads the same folders for its mailboxes list and `play --dir`.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Synchronization
import SMTPCore

public struct MaildirError: Error, CustomStringConvertible {
    public let description: String
    public init(description: String) { self.description = description }
}

public final class Maildir: Sendable {
    public let root: String
    /// The fixed parts of a unique name: "P<process id>Q" and ".<host>,S=".
    private let processPart: [UInt8]
    private let hostPart: [UInt8]
    private let counter = Atomic<Int>(0)
    /// Order in which copies were opened in tmp/, for the syncfs error rule in `syncData`.
    private let fileSequence = Atomic<UInt64>(0)
    /// Mailbox folders whose tmp/, new/ and cur/ are known to exist, by recipient, with their paths and filesystem,
    /// so a delivery neither works out the folder name nor makes and stats four folders every time.
    private let knownBoxes = Mutex<[String: MailboxFolder]>([:])
    /// Recipients remembered in `knownBoxes` at most (past this it starts again, so memory stays bounded).
    static let knownBoxLimit = 10_000
    /// Deliveries waiting to be written to tmp/, then waiting to be made durable; one thread at a time drains each.
    private let writer: Drain<Request>
    private let committer: Drain<Waiting>
    /// One kept descriptor per filesystem for syncfs, with its error state (see `syncData`).
    private let devices = Mutex<[UInt64: DeviceState]>([:])
    let operations: Operations
    /// Rounds with at most this many copies are fsync'ed file by file rather than with syncfs.
    static let fileByFileUpTo = 2

    /// The system calls that make data durable, replaceable by tests to make one of them fail. Each returns 0 or
    /// the errno value.
    struct Operations: Sendable {
        /// syncfs(2) where the C library has it (looked up at run time: Glibc does not export it to Swift); nil
        /// means an fsync per file.
        var syncFileSystem: (@Sendable (Int32) -> Int32)?
        var syncFile: @Sendable (Int32, String) -> Int32
        var syncDirectory: @Sendable (String) -> Int32

        static var system: Operations {
            Operations(syncFileSystem: systemSyncfs == nil ? nil : systemSyncFileSystem, syncFile: systemSyncFile,
                       syncDirectory: systemSyncDirectory)
        }
    }

    public convenience init(root: String) { self.init(root: root, operations: .system) }

    init(root: String, operations: Operations) {
        self.root = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
        self.operations = operations
        var name = [CChar](repeating: 0, count: 256)
        let host = gethostname(&name, name.count) == 0
            ? String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "localhost"
        // The Maildir rule: "/" and ":" in the host name are written as \057 and \072.
        let hostName = host.replacingAll("/", with: "\\057").replacingAll(":", with: "\\072")
        self.processPart = Array("P\(getpid())Q".utf8)
        self.hostPart = Array(".\(hostName),S=".utf8)
        // The drains call back into self: they are set up with a weak-free indirection through `Box`.
        let box = Box()
        writer = Drain { requests, run in box.maildir?.writeRound(requests, run: run) }
        committer = Drain { round, _ in box.maildir?.commitRound(round) }
        box.maildir = self
    }

    deinit {
        for state in devices.withLock({ $0.values }) { close(state.fd) }
    }

    /// Makes the root folder, with any missing parents (as `mkdir -p` does), and checks that it can be written
    /// into, so a server that could not store anything stops at start with the reason instead of answering every
    /// message 451. Returns the folders it made, outermost first.
    @discardableResult
    public func prepare() throws -> [String] {
        var made: [String] = []
        var path = root.hasPrefix("/") ? "" : "."
        for component in root.split(separator: "/", omittingEmptySubsequences: true) {
            path += "/" + component
            if mkdir(path, 0o755) == 0 { made.append(path); continue }
            let why = errno
            var st = stat()
            guard stat(path, &st) == 0, (st.st_mode & 0o170000) == 0o040000 else {
                throw MaildirError(description: "cannot create \(path): \(String(cString: strerror(why == EEXIST ? ENOTDIR : why)))")
            }
        }
        guard access(root, W_OK | X_OK) == 0 else {
            throw MaildirError(description: "cannot write into \(root): \(errnoText())")
        }
        return made
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

    /// A name no other delivery can have: seconds, microseconds, process id, a per-process counter, host, e.g.
    /// "1796405122.M128084P15665Q1.host,S=1379" (written digit by digit: an interpolation cost a delivery 5,000
    /// instructions).
    func uniqueName(size: Int) -> String {
        var tv = timeval()
        gettimeofday(&tv, nil)
        let n = counter.add(1, ordering: .relaxed).newValue
        return String(unsafeUninitializedCapacity: 4 * 20 + 2 + processPart.count + hostPart.count) { out in
            var at = 0
            func digits(_ value: Int) {
                var v = Swift.max(0, value), start = at
                repeat { out[at] = UInt8(ascii: "0") + UInt8(v % 10); at += 1; v /= 10 } while v > 0
                var end = at - 1
                while start < end { out.swapAt(start, end); start += 1; end -= 1 }
            }
            func bytes(_ part: [UInt8]) { for b in part { out[at] = b; at += 1 } }
            digits(Int(tv.tv_sec)); out[at] = UInt8(ascii: "."); out[at + 1] = UInt8(ascii: "M"); at += 2
            digits(Int(tv.tv_usec)); bytes(processPart); digits(n); bytes(hostPart); digits(size)
            return at
        }
    }

    /// One delivered file, for a reader (the app's mailboxes popup): where it is and its first bytes.
    public struct Entry: Sendable {
        public let mailbox: String
        /// "new" or "cur".
        public let folder: String
        public let file: String
        public let size: Int
        public let modified: Int
        public let head: [UInt8]
    }

    /// The files in every mailbox's new/ and cur/, newest first, at most `limit`; each with up to `headBytes` of
    /// its start (enough for the headers a list shows). A missing root is an empty Maildir.
    public func listing(limit: Int = 500, headBytes: Int = 4_096) -> [Entry] {
        var found: [(mailbox: String, folder: String, path: String, file: String, size: Int, modified: Int)] = []
        for box in Self.names(in: root) where !box.hasPrefix(".") {
            for sub in ["new", "cur"] {
                let folder = root + "/" + box + "/" + sub
                for name in Self.names(in: folder) where !name.hasPrefix(".") {
                    var st = stat()
                    let path = folder + "/" + name
                    guard stat(path, &st) == 0, (st.st_mode & 0o170000) == 0o100000 else { continue }
                    found.append((box, sub, path, name, Int(st.st_size), Int(st.st_mtim.tv_sec)))
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
            return Entry(mailbox: item.mailbox, folder: item.folder, file: item.file, size: item.size, modified: item.modified,
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

    // MARK: - Delivering

    /// Stores one copy per recipient, all or nothing, and returns the paths in new/ once every copy is durably
    /// there (data and rename synced). On any failure nothing of this message is left in new/ and the error is
    /// thrown, so the caller can answer 451 knowing nothing was delivered. Blocks; never call it on an event loop.
    @discardableResult
    public func deliver(_ message: StoredMessage) throws -> [String] {
        let done = DispatchSemaphore(value: 0)
        let result = Mutex<Result<[String], any Error>?>(nil)
        deliver(message, run: { $0() }) { outcome in
            result.withLock { $0 = outcome }
            done.signal()
        }
        done.wait()
        return try result.withLock { $0! }.get()
    }

    /// The same without blocking: `completion` is called exactly once, on a storage thread, when the message is
    /// durably in new/ or has failed. `run` gives the work a thread (a thread pool's submit; `{ $0() }` runs it
    /// on the caller's): it is asked for one only when the writer or the committer is idle, since a running one
    /// takes everything queued meanwhile in its next round. Copies are written by the writer while the committer
    /// syncs the round before, so writing and syncing overlap.
    public func deliver(_ message: StoredMessage, run: @escaping @Sendable (@escaping @Sendable () -> Void) -> Void,
                        completion: @escaping @Sendable (Result<[String], any Error>) -> Void) {
        writer.add([Request(message: message, completion: completion)], run: run)
    }

    /// Several messages staged first and committed in one round (unless a round is in progress: then they join
    /// the next one together). For tests of a round's semantics.
    func deliverTogether(_ messages: [StoredMessage]) -> [Result<[String], any Error>] {
        let results = Mutex<[Int: Result<[String], any Error>]>([:])
        let done = DispatchSemaphore(value: 0)
        var waiting: [Waiting] = []
        for (index, message) in messages.enumerated() {
            let completion: @Sendable (Result<[String], any Error>) -> Void = { result in
                results.withLock { $0[index] = result }
                done.signal()
            }
            do { waiting.append(Waiting(staged: try stage(message), completion: completion)) } catch {
                completion(.failure(error))
            }
        }
        committer.add(waiting, run: { $0() })
        for _ in messages { done.wait() }
        return results.withLock { all in messages.indices.map { all[$0]! } }
    }

    /// Writes a round of requested deliveries to tmp/ and hands them to the committer.
    private func writeRound(_ requests: [Request], run: @escaping @Sendable (@escaping @Sendable () -> Void) -> Void) {
        var waiting: [Waiting] = []
        waiting.reserveCapacity(requests.count)
        for request in requests {
            do { waiting.append(Waiting(staged: try stage(request.message), completion: request.completion)) } catch {
                request.completion(.failure(error))
            }
        }
        if !waiting.isEmpty { committer.add(waiting, run: run) }
    }

    private func commitRound(_ round: [Waiting]) {
        let results = commit(round.map(\.staged))
        for (waiting, result) in zip(round, results) { waiting.completion(result) }
    }

    /// Writes every copy of a message into its mailbox's tmp/, without syncing; the descriptors stay open until
    /// the commit (a per-file fsync must see write-back errors that happened since the open).
    func stage(_ message: StoredMessage) throws -> Staged {
        let bytes = message.messageBytes
        var files: [StagedFile] = []
        files.reserveCapacity(message.recipients.count)
        do {
            for recipient in message.recipients {
                files.append(try writeCopy(bytes, for: recipient, name: uniqueName(size: bytes.count)))
            }
        } catch {
            for file in files { close(file.fd); unlink(file.tmp) }
            throw error
        }
        return Staged(files: files)
    }

    private func writeCopy(_ bytes: [UInt8], for recipient: String, name: String) throws -> StagedFile {
        var box = try ensureBox(for: recipient)
        let tmp = box.tmp + name
        let sequence = fileSequence.add(1, ordering: .sequentiallyConsistent).newValue
        var fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd < 0 && errno == ENOENT {
            // The folder went away since it was made (someone removed the mailbox): make it again, once.
            _ = knownBoxes.withLock { $0.removeValue(forKey: recipient) }
            box = try ensureBox(for: recipient)
            fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        }
        guard fd >= 0 else { throw MaildirError(description: "open \(tmp): \(errnoText())") }
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
        guard ok else {
            let why = errnoText()
            close(fd); unlink(tmp)
            throw MaildirError(description: "write \(tmp): \(why)")
        }
        return StagedFile(fd: fd, tmp: tmp, new: box.new + name, newFolder: box.newFolder, device: box.device,
                          sequence: sequence)
    }

    /// A mailbox folder's paths (ending in "/" where a file name follows) and its filesystem.
    private struct MailboxFolder: Sendable {
        let tmp: String
        let new: String
        let newFolder: String
        let device: UInt64
    }

    /// Makes sure DIR/box/{tmp,new,cur} exist for `recipient` (once per process and mailbox) and returns them.
    private func ensureBox(for recipient: String) throws -> MailboxFolder {
        if let known = knownBoxes.withLock({ $0[recipient] }) { return known }
        let box = root + "/" + Self.folderName(for: recipient)
        try ensureDirectory(root)
        var device: UInt64 = 0
        for sub in ["", "/tmp", "/new", "/cur"] { device = try ensureDirectory(box + sub) }
        try openDevice(device, folder: box + "/tmp")
        let made = MailboxFolder(tmp: box + "/tmp/", new: box + "/new/", newFolder: box + "/new", device: device)
        knownBoxes.withLock { known in
            if known.count >= Self.knownBoxLimit { known.removeAll() }
            known[recipient] = made
        }
        return made
    }

    @discardableResult
    private func ensureDirectory(_ path: String) throws -> UInt64 {
        if mkdir(path, 0o700) == 0 || errno == EEXIST {
            var st = stat()
            if stat(path, &st) == 0 && (st.st_mode & 0o170000) == 0o040000 { return UInt64(st.st_dev) }  // a directory
        }
        throw MaildirError(description: "mkdir \(path): \(errnoText())")
    }

    /// Keeps one descriptor per filesystem open for the life of the process: syncfs reports a write-back error
    /// once per descriptor, so every error since the previous round reaches exactly one round through it.
    private func openDevice(_ device: UInt64, folder: String) throws {
        guard operations.syncFileSystem != nil, devices.withLock({ $0[device] == nil }) else { return }
        let fd = open(folder, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw MaildirError(description: "open \(folder): \(errnoText())") }
        let kept = devices.withLock { devices -> Bool in
            if devices[device] != nil { return false }
            devices[device] = DeviceState(fd: fd)
            return true
        }
        if !kept { close(fd) }
    }

    // MARK: - Committing a round

    /// Makes a round of staged deliveries durable and returns one result per delivery, in order. A delivery
    /// fails alone when one of its own copies cannot be synced or renamed; when a new/ folder cannot be synced,
    /// every delivery with a copy in it fails. A failed delivery leaves nothing in new/ or tmp/; the others in the
    /// round are unaffected.
    func commit(_ round: [Staged]) -> [Result<[String], any Error>] {
        var failure: [Int: MaildirError] = [:]
        syncData(round, failure: &failure)
        for staged in round { for file in staged.files { close(file.fd) } }

        // Rename every synced copy into new/; a delivery whose rename fails takes back the copies it already moved.
        var renamed: [Int: [String]] = [:]
        var undone: Set<String> = []
        for (index, staged) in round.enumerated() where failure[index] == nil {
            var moved: [String] = []
            for file in staged.files {
                guard rename(file.tmp, file.new) == 0 else {
                    failure[index] = MaildirError(description: "rename \(file.tmp): \(errnoText())")
                    break
                }
                moved.append(file.new)
            }
            if failure[index] != nil {
                for path in moved { unlink(path) }
                for file in staged.files { undone.insert(file.newFolder) }
            } else {
                renamed[index] = moved
            }
        }

        // One sync per new/ folder makes every rename into it durable.
        var folders: [String: Int32] = [:]
        for (index, staged) in round.enumerated() where renamed[index] != nil {
            for file in staged.files where folders[file.newFolder] == nil {
                folders[file.newFolder] = operations.syncDirectory(file.newFolder)
            }
        }
        for (index, staged) in round.enumerated() where renamed[index] != nil {
            guard let bad = staged.files.first(where: { folders[$0.newFolder] != 0 }) else { continue }
            failure[index] = MaildirError(description: "fsync \(bad.newFolder): \(String(cString: strerror(folders[bad.newFolder]!)))")
            for path in renamed[index]! { unlink(path) }
            renamed[index] = nil
            for file in staged.files { undone.insert(file.newFolder) }
        }
        // Best effort: removals from new/ made durable too, so a crash cannot bring back a message answered 451.
        for folder in undone { _ = operations.syncDirectory(folder) }

        return round.indices.map { index in
            if let error = failure[index] {
                for file in round[index].files { unlink(file.tmp) }
                return .failure(error)
            }
            return .success(renamed[index]!)
        }
    }

    /// Syncs the data of every copy in the round. With syncfs: one call per filesystem. syncfs reports a
    /// write-back error that happened anywhere on the filesystem since the previous call, without saying where;
    /// then every copy of this round on it is fsync'ed on its own (its descriptor was open before any error that
    /// can concern it, so fsync reports it), and so is every copy opened before that error was seen that is still
    /// waiting for a later round (its data may have been written back, and failed, during this call).
    private func syncData(_ round: [Staged], failure: inout [Int: MaildirError]) {
        func syncEach(_ predicate: (StagedFile) -> Bool) {
            for (index, staged) in round.enumerated() where failure[index] == nil {
                for file in staged.files where predicate(file) {
                    let rc = operations.syncFile(file.fd, file.tmp)
                    if rc == 0 { continue }
                    failure[index] = MaildirError(description: "fsync \(file.tmp): \(String(cString: strerror(rc)))")
                    break
                }
            }
        }
        // A round of one or two copies (a lone client) is cheaper to fsync file by file than to syncfs, which also
        // writes whatever else is dirty on the filesystem. (Their own fsync reports their errors; an error elsewhere
        // stays pending on the device descriptor for the next syncfs.)
        let copies = round.reduce(0) { $0 + $1.files.count }
        guard let syncFileSystem = operations.syncFileSystem, copies > Self.fileByFileUpTo else { syncEach { _ in true }; return }
        var used: Set<UInt64> = []
        for staged in round { for file in staged.files { used.insert(file.device) } }
        for device in used {
            guard let state = devices.withLock({ $0[device] }) else { syncEach { $0.device == device }; continue }
            let rc = syncFileSystem(state.fd)
            let suspectBelow = state.suspectBelow
            if rc != 0 {
                // Everything opened up to now may have been written back (and failed) during this call.
                let opened = fileSequence.load(ordering: .sequentiallyConsistent) + 1
                devices.withLock { $0[device]?.suspectBelow = opened }
                syncEach { $0.device == device }
            } else if suspectBelow > 0 {
                syncEach { $0.device == device && $0.sequence < suspectBelow }
            }
        }
    }
}

@Sendable private func systemSyncFileSystem(_ fd: Int32) -> Int32 { systemSyncfs!(fd) == 0 ? 0 : errno }

@Sendable private func systemSyncFile(_ fd: Int32, _ path: String) -> Int32 { fsync(fd) == 0 ? 0 : errno }

@Sendable private func systemSyncDirectory(_ path: String) -> Int32 {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return errno }
    let rc: Int32 = fsync(fd) == 0 ? 0 : errno
    close(fd)
    return rc
}

/// syncfs(2), found at run time (nil where the C library does not have it).
private let systemSyncfs: (@convention(c) (Int32) -> Int32)? = {
    #if os(Linux)
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "syncfs") else { return nil }
    return unsafeBitCast(symbol, to: (@convention(c) (Int32) -> Int32).self)
    #else
    return nil
    #endif
}()

struct StagedFile: Sendable {
    let fd: Int32
    let tmp: String
    let new: String
    let newFolder: String
    let device: UInt64
    let sequence: UInt64
}

/// A message's copies written to tmp/ (descriptors still open), waiting for a commit.
struct Staged: Sendable { let files: [StagedFile] }

private struct Request: Sendable {
    let message: StoredMessage
    let completion: @Sendable (Result<[String], any Error>) -> Void
}

private struct Waiting: Sendable {
    let staged: Staged
    let completion: @Sendable (Result<[String], any Error>) -> Void
}

/// Items handed to one thread at a time: while it works, new items queue up; it takes them all at once each
/// time round and stops when none are left. A thread is asked for (`run`) only when none is draining.
private final class Drain<Item: Sendable>: Sendable {
    typealias Run = @Sendable (@escaping @Sendable () -> Void) -> Void
    private let state = Mutex<(items: [Item], draining: Bool)>(([], false))
    private let process: @Sendable ([Item], @escaping Run) -> Void

    init(_ process: @escaping @Sendable ([Item], @escaping Run) -> Void) { self.process = process }

    func add(_ items: [Item], run: @escaping Run) {
        let starts = state.withLock { state -> Bool in
            state.items += items
            if state.draining { return false }
            state.draining = true
            return true
        }
        if starts { run { self.drain(run) } }
    }

    private func drain(_ run: @escaping Run) {
        while true {
            let round = state.withLock { state -> [Item] in
                if state.items.isEmpty { state.draining = false }
                defer { state.items = [] }
                return state.items
            }
            if round.isEmpty { return }
            process(round, run)
        }
    }
}

/// Lets the drains reach the Maildir that owns them without a reference cycle.
private final class Box: @unchecked Sendable {
    // Written once in Maildir.init before any use, read-only afterwards.
    weak var maildir: Maildir?
}

private struct DeviceState: Sendable {
    let fd: Int32
    /// Copies opened before the last syncfs error was seen (sequence below this) get an fsync of their own.
    var suspectBelow: UInt64 = 0
}

/// The first header fields of a stored message (an `Entry.head`), unfolded, for a one-line summary such as the
/// app's mailboxes list (not a full RFC 5322 parser).
public struct HeaderPeek {
    private var fields: [String: String] = [:]
    public init(_ head: [UInt8]) {
        var name: String?
        // Split on the LF octets: as a String, a stored message's CRLF is one Character and no "\n" would be found.
        for raw in head.split(separator: 0x0A, omittingEmptySubsequences: false) {
            let line = Substring(String(decoding: raw.last == 0x0D ? raw.dropLast() : raw, as: UTF8.self))
            if line.isEmpty { break }
            if line.first == " " || line.first == "\t" {
                if let name { fields[name, default: ""] += " " + Self.trimmed(line) }
                continue
            }
            guard let colon = line.firstIndex(of: ":") else { name = nil; continue }
            let key = line[..<colon].lowercased()
            name = fields[key] == nil ? key : nil   // the first occurrence wins (Received: repeats)
            if let name { fields[name] = Self.trimmed(line[line.index(after: colon)...]) }
        }
    }
    private static func trimmed(_ text: some StringProtocol) -> String {
        var s = Substring(text)
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return String(s)
    }

    /// A field's value by its lower-case name, control characters shown as "?", at most 120 characters.
    public subscript(_ key: String) -> String? {
        fields[key].map { String($0.unicodeScalars.map { $0.value < 0x20 ? "?" : Character($0) }.prefix(120)) }
    }
}


/// The text of the last error (errno), for messages.
public func errnoText() -> String { String(cString: strerror(errno)) }

extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for c in self { if c == target { out += replacement } else { out.append(c) } }
        return out
    }
}
