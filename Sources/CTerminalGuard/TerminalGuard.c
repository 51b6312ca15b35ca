#include "CTerminalGuard.h"
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static volatile sig_atomic_t quit_signal = 0;
static struct termios saved;
static volatile sig_atomic_t have_saved = 0;
static struct sigaction previous[32];

static const char restore_seq[] = "\033[?1006l\033[?1003l\033[?1002l\033[?1000l\033[?2004l\033[?25h\033[0m\033[?1049l\r\n";

static void on_quit(int sig) { quit_signal = sig; }

static volatile sig_atomic_t suspend_requested = 0;

static void on_suspend(int sig) { (void)sig; suspend_requested = 1; }

void tg_emergency_restore(void) {
    if (have_saved) tcsetattr(0, TCSANOW, &saved);
    ssize_t ignored = write(1, restore_seq, sizeof restore_seq - 1);
    (void)ignored;
}

static void on_fatal(int sig) {
    tg_emergency_restore();
    // Chain to what was there before (the Swift runtime's backtracer), or the default action: now, with the signal
    // unblocked, rather than after this handler returns.
    sigaction(sig, &previous[sig], NULL);
    sigset_t this_one;
    sigemptyset(&this_one);
    sigaddset(&this_one, sig);
    sigprocmask(SIG_UNBLOCK, &this_one, NULL);
    raise(sig);
    // Still here: the signal was sent (kill -SEGV, kill -ABRT) rather than caused by an instruction that would
    // fault again, and the previous handler returned. The terminal is restored already: end as the signal says.
    signal(sig, SIG_DFL);
    raise(sig);
}

void tg_install(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: a blocking read returns with EINTR so the loop sees the flag
    sa.sa_handler = on_quit;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    // SIGTSTP only sets a flag too: the main loop hands the terminal back (bracketed paste included, which ncurses'
    // own SIGTSTP handler would leave on) before it stops, and takes it again on SIGCONT. Installed before newterm,
    // it also keeps ncurses from installing that handler.
    sa.sa_handler = on_suspend;
    sigaction(SIGTSTP, &sa, NULL);
    // SIGWINCH stays with ncurses: it turns it into KEY_RESIZE and updates LINES/COLS itself.
    int fatal[] = {SIGSEGV, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE};
    for (unsigned i = 0; i < sizeof fatal / sizeof fatal[0]; i++) {
        struct sigaction fa;
        memset(&fa, 0, sizeof fa);
        sigemptyset(&fa.sa_mask);
        fa.sa_flags = SA_RESETHAND;
        fa.sa_handler = on_fatal;
        sigaction(fatal[i], &fa, &previous[fatal[i]]);
    }
}

void tg_save_terminal(void) {
    if (tcgetattr(0, &saved) == 0) have_saved = 1;
}

int tg_quit_signal(void) { return quit_signal; }

int tg_take_suspend_request(void) {
    int requested = suspend_requested;
    suspend_requested = 0;
    return requested;
}

void tg_stop(void) {
    // The default action of SIGTSTP stops the process; raise returns once it is continued (SIGCONT). In an
    // orphaned process group the kernel discards the stop and raise returns at once.
    signal(SIGTSTP, SIG_DFL);
    raise(SIGTSTP);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_suspend;
    sigaction(SIGTSTP, &sa, NULL);
}

static void write_all(int fd, const char *bytes) {
    size_t n = strlen(bytes);
    while (n > 0) {
        ssize_t w = write(fd, bytes, n);
        if (w <= 0) return;
        bytes += w;
        n -= (size_t)w;
    }
}

void tg_write(const char *bytes) { write_all(1, bytes); }

void tg_write_stderr(const char *bytes) { write_all(2, bytes); }
