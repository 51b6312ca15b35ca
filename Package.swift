// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "smtp-tui",
    products: [
        .executable(name: "smtp-tui", targets: ["smtp-tui"]),
        .library(name: "SMTPCore", targets: ["SMTPCore"]),
        .library(name: "TUI", targets: ["TUI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
    ],
    targets: [
        // The SMTP engine, the simulated world, the reference catalogue and the tick clock. No terminal code.
        .target(name: "SMTPCore"),
        // State → action → update → view → cells. Pure Swift: no ncurses here, so tests render into memory.
        .target(name: "TUI", dependencies: ["SMTPCore"]),
        // ncursesw, seen only by the terminal backend in the executable.
        .systemLibrary(name: "CNcursesw", pkgConfig: "ncursesw", providers: [.apt(["libncursesw5-dev"])]),
        // Signal flags and the crash handler that restores the terminal, in C because they run in signal context.
        .target(name: "CTerminalGuard"),
        .executableTarget(
            name: "smtp-tui",
            dependencies: [
                "SMTPCore", "TUI", "CNcursesw", "CTerminalGuard",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "TUITests", dependencies: ["TUI", "SMTPCore"]),
        // Runs the real binary in tmux: keys, SGR mouse clicks, resizes, signals, read back from the screen.
        .testTarget(name: "EndToEndTests", dependencies: ["smtp-tui", "TUI"]),
        .testTarget(
            name: "SMTPCoreTests",
            dependencies: [
                "SMTPCore",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
    ]
)
