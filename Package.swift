// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "smtp-tui",
    products: [
        .executable(name: "smtp-tui", targets: ["smtp-tui"]),
        .library(name: "SMTPCore", targets: ["SMTPCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
    ],
    targets: [
        // The SMTP engine, the simulated world, the reference catalogue and the tick clock. No terminal code.
        .target(name: "SMTPCore"),
        .executableTarget(
            name: "smtp-tui",
            dependencies: [
                "SMTPCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "SMTPCoreTests",
            dependencies: [
                "SMTPCore",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
    ]
)
