// What the app's helper processes (live mode's listener, a Run it example) start with.
#if canImport(Glibc)
import Glibc
#endif

enum ChildProcess {
    /// Spawn attributes: a process group of its own (the terminal's signals, Ctrl-C or a hang-up, reach the app
    /// alone, which ends its helpers itself), no blocked signals, and default handling of the ones the app catches.
    /// The caller destroys them (posix_spawnattr_destroy).
    static func attributes() -> posix_spawnattr_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var none = sigset_t(); sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var defaults = sigset_t(); sigemptyset(&defaults)
        for s in [SIGPIPE, SIGINT, SIGTERM, SIGQUIT, SIGHUP] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        return attributes
    }
}
