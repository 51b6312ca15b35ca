// swift-tools-version: 6.1
import PackageDescription

// Generic types of our own code (Dictionary<Role, …>, Set<String>, …) get their metadata through direct accessors
// instead of by mangled name. Resolving a mangled name checks its conformance requirements at run time, and on Linux
// each first check of a type and protocol scans all ~6,200 conformance records of the binary: a sixth of the work
// before the first frame. Code size grows a little; the same code generation in debug, tests and release.
let directMetadata: [SwiftSetting] = [
    .unsafeFlags(["-Xfrontend", "-disable-concrete-type-metadata-mangled-name-accessors"]),
]

let package = Package(
    name: "smtp-tui",
    products: [
        .executable(name: "smtp-tui", targets: ["smtp-tui"]),
        .executable(name: "smtp-tui-net", targets: ["smtp-tui-net"]),
        .library(name: "SMTPCore", targets: ["SMTPCore"]),
        .library(name: "TUI", targets: ["TUI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        // The real network side (serve --listen, serve --stdio, STARTTLS), used only by SMTPNetwork.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // The SMTP engine, the simulated world, the reference catalogue and the tick clock. No terminal code.
        // swift-crypto gives DKIM its SHA-256, RSA (PKCS#1 v1.5) and Ed25519; only Trust/TrustCrypto.swift uses it.
        .target(
            name: "SMTPCore",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: directMetadata
        ),
        // State → action → update → view → cells. Pure Swift: no ncurses here, so tests render into memory.
        .target(name: "TUI", dependencies: ["SMTPCore"], swiftSettings: directMetadata),
        // Maildir on disk: what the listener stores and the app lists. No network, so the app can read it.
        .target(name: "MailStore", dependencies: ["SMTPCore"], swiftSettings: directMetadata),
        // SMTPCore on real sockets and pipes: SwiftNIO, STARTTLS with a self-signed certificate, Maildir storage
        // off the event loop, wall-clock time and limits. Only `serve` (and a listening TUI) touches it.
        .target(
            name: "SMTPNetwork",
            dependencies: [
                "SMTPCore", "MailStore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: directMetadata
        ),
        // `serve`'s options, declared once: smtp-tui-net runs them, smtp-tui lists them (help, man page, completions).
        .target(
            name: "ServeOptions",
            dependencies: ["SMTPCore", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: directMetadata
        ),
        // ncursesw, seen only by the terminal backend in the executable.
        .systemLibrary(name: "CNcursesw", pkgConfig: "ncursesw", providers: [.apt(["libncursesw5-dev"])]),
        // Signal flags and the crash handler that restores the terminal, in C because they run in signal context.
        .target(name: "CTerminalGuard"),
        // The app a learner starts. The network side is not linked in: `serve` and the listener of live mode run in
        // smtp-tui-net, found next to it (`swift build` builds both). Not a dependency of this target: SwiftPM would
        // then link the network side's libraries into this one too. Leaving SwiftNIO, NIOSSL's BoringSSL and
        // swift-certificates out took a sixth off the app's memory and start: fewer relocated pages and fewer
        // conformance records for the runtime to scan.
        .executableTarget(
            name: "smtp-tui",
            dependencies: [
                "SMTPCore", "MailStore", "ServeOptions", "TUI", "CNcursesw", "CTerminalGuard",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: directMetadata
        ),
        // The network side as a program: `smtp-tui serve` (which smtp-tui hands over to it) and the listener the
        // app starts for live mode, reporting each session's exchanges on its standard output.
        .executableTarget(
            name: "smtp-tui-net",
            dependencies: [
                "SMTPCore", "SMTPNetwork", "ServeOptions",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: directMetadata
        ),
        // The colour tests' oracle: WCAG contrast, CIEDE2000, xterm's palette and the theme files, none of it the app's.
        .target(name: "ColourOracle", path: "Tests/ColourOracle"),
        // Suites that wait on processes, tmux or sockets run in lanes off the cooperative pool (see BlockingLanes.swift).
        .target(name: "TestLanes", path: "Tests/TestLanes"),
        .testTarget(name: "TUITests", dependencies: ["TUI", "SMTPCore", "ColourOracle"]),
        // Runs the real binary in tmux: keys, SGR mouse clicks, resizes, signals, read back from the screen.
        .testTarget(name: "EndToEndTests", dependencies: ["smtp-tui", "smtp-tui-net", "ColourOracle", "TestLanes"]),
        // The listener with real clients (python3 smtplib, swaks), Maildir, TLS, time and limits.
        .testTarget(name: "SMTPNetworkTests", dependencies: ["SMTPNetwork", "MailStore", "SMTPCore", "smtp-tui", "smtp-tui-net", "TestLanes",
                                                             .product(name: "Logging", package: "swift-log")]),
        .testTarget(
            name: "SMTPCoreTests",
            dependencies: [
                "SMTPCore", "TestLanes",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
    ]
)
