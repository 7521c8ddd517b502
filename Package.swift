// swift-tools-version: 6.1
import PackageDescription

/// Settings every Bramble target shares: Swift 6 language mode is the package default;
/// these upcoming features keep imports explicit and existentials visible.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Bramble",
    products: [
        .executable(name: "bramble", targets: ["bramble"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
    ],
    targets: [
        // Bytes in, values out: MAC and IPv4 value types, framing, checksums. No I/O.
        .target(name: "BrambleWire", swiftSettings: strictSettings),
        // DHCPv4 message codec and Raspberry Pi client recognition. Pure: bytes in, values out.
        .target(name: "BrambleDHCP", dependencies: ["BrambleWire"], swiftSettings: strictSettings),
        // The operator's files: node map parse/validate/edit, config, dnsmasq import. Pure text in, values out.
        .target(name: "BrambleNodeMap", dependencies: ["BrambleWire"], swiftSettings: strictSettings),
        // The CLI's commands and the file-system edge (atomic writes, boot-tree inspection).
        .target(
            name: "BrambleCommands",
            dependencies: [
                "BrambleWire",
                "BrambleNodeMap",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(name: "bramble", dependencies: ["BrambleCommands"], swiftSettings: strictSettings),
        .testTarget(
            name: "BrambleWireTests",
            dependencies: ["BrambleWire", .product(name: "PropertyBased", package: "swift-property-based")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "BrambleDHCPTests",
            dependencies: [
                "BrambleDHCP", "BrambleWire",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "BrambleNodeMapTests",
            dependencies: [
                "BrambleNodeMap", "BrambleWire",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: strictSettings
        ),
    ]
)
