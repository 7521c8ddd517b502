// swift-tools-version: 6.1
import PackageDescription

/// Settings every Bramble target shares: Swift 6 language mode is the package default;
/// these upcoming features keep imports explicit and existentials visible.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

/// The git revision `bramble --version` names, from BRAMBLE_GIT_REVISION (scripts/package sets
/// it to `git HASH`, the commit it builds); without it CBuildInfo says "unknown revision". Read
/// through Context so SwiftPM re-evaluates this manifest when it changes and rebuilds only
/// CBuildInfo's one C file. Only characters a revision has are kept: always a valid C string.
let gitRevision: String? = {
    let allowed = Set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ .+-_")
    let given = String((Context.environment["BRAMBLE_GIT_REVISION"] ?? "").filter { allowed.contains($0) }.prefix(64))
    return given.isEmpty ? nil : given
}()

let package = Package(
    name: "Bramble",
    products: [
        .executable(name: "bramble", targets: ["bramble"]),
        .executable(name: "bramble-demo", targets: ["bramble-demo"]),
        .executable(name: "bramble-web", targets: ["bramble-web"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        // Without its default traits: FullFoundation would link Foundation's DateFormatter and
        // with it ICU (about 40 MB in a static binary), ConfigurationSupport swift-configuration.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // Bytes in, values out: MAC and IPv4 value types, framing, checksums. No I/O.
        .target(name: "BrambleWire", swiftSettings: strictSettings),
        // The operator's files: node map parse/validate/edit, config, dnsmasq import. Pure text in, values out.
        .target(name: "BrambleNodeMap", dependencies: ["BrambleWire"], swiftSettings: strictSettings),
        // DHCP: message codec, Raspberry Pi client recognition, the responder and the dynamic
        // pool (whose leases name DNS hosts, hence BrambleDNS). Pure: no sockets, clocks or files.
        .target(name: "BrambleDHCP", dependencies: ["BrambleWire", "BrambleNodeMap", "BrambleDNS"], swiftSettings: strictSettings),
        // TFTP: packet codec, option negotiation, the read-transfer state machine, boot-tree
        // path resolution and boot-file templates. Pure: no sockets, clocks or files.
        .target(name: "BrambleTFTP", dependencies: ["BrambleWire", "BrambleNodeMap"], swiftSettings: strictSettings),
        // DNS: message codec (compression, EDNS0), the cluster zone, forwarder and cache logic.
        // Pure: no sockets, clocks or randomness of its own; the server injects them.
        .target(name: "BrambleDNS", dependencies: ["BrambleWire", "BrambleNodeMap"], swiftSettings: strictSettings),
        // The kernel's /proc text (socket tables, a process's fd links, comm and cgroup), for
        // naming what holds a port `bramble serve` needs. Pure: text in, values out.
        .target(name: "BrambleProcfs", dependencies: ["BrambleWire"], swiftSettings: strictSettings),
        // Per-node NFS roots: where they live, what making and updating them does, the export
        // lines that serve them. Pure: plans in, plans out; the commands do the file work.
        .target(name: "BrambleRoots", dependencies: ["BrambleNodeMap"], swiftSettings: strictSettings),
        // The file work behind `bramble roots`: the copier (btrfs snapshot, reflink, sparse
        // copy), the walks and the identity edits, all through directory descriptors.
        .target(name: "BrambleRootFiles", dependencies: ["BrambleRoots", "CRootShims"], swiftSettings: strictSettings),
        // Linux calls for the roots Swift's Glibc module lacks (ioctl FICLONE and btrfs snapshot, renameat2).
        .target(name: "CRootShims"),
        // Boot events to per-node stages and timelines. Pure: events in, timelines out.
        .target(name: "BrambleBoot", dependencies: ["BrambleWire"], swiftSettings: strictSettings),
        // The control socket's protocol: requests, responses and the `status --json` contract,
        // Codable, one JSON object per line. Pure: no sockets.
        .target(name: "BrambleControl", dependencies: ["BrambleBoot"], swiftSettings: strictSettings),
        // The daemon's counters and status as Prometheus' text exposition format, for
        // `bramble-web`'s /metrics. Pure: values in, text out.
        .target(name: "BrambleMetrics", dependencies: ["BrambleControl", "BrambleBoot", "BrambleBMC"], swiftSettings: strictSettings),
        // The BitScope Edge Rack BMC's serial console: commands out, status lines in. Pure.
        .target(name: "BrambleBMC", swiftSettings: strictSettings),
        // The BMC's serial line: termios, an advisory lock, poll-bounded reads, a session.
        .target(name: "BrambleBMCSerial", dependencies: ["BrambleBMC"], swiftSettings: strictSettings),
        // Linux interfaces Swift's Glibc module lacks (epoll, signalfd, sockaddr_ll) and
        // wrappers for variadic calls (ioctl, prctl).
        .target(name: "CNetShims"),
        // The build's git revision for `bramble --version` (see gitRevision above).
        .target(name: "CBuildInfo", cSettings: gitRevision.map { [.define("BRAMBLE_GIT_REVISION", to: "\"\($0)\"")] } ?? []),
        .systemLibrary(name: "CLibcap", pkgConfig: "libcap", providers: [.apt(["libcap-dev"])]),
        // libpcap's headers only: CaptureFileReader loads the library with dlopen when it
        // reads a file, so `bramble serve` does not map it (no pkgConfig, which would link it).
        .systemLibrary(name: "CPcap", providers: [.apt(["libpcap-dev"])]),
        // Capture files: the pcap record format (written by our own small encoder), reading
        // pcap and pcapng through libpcap, and decoding what is read into typed frames.
        .target(name: "BrambleCapture", dependencies: ["CPcap", "BrambleWire"], swiftSettings: strictSettings),
        // Replay: a capture's client packets through the pure responders, their answers
        // compared field by field with the capture's. Pure: packets in, differences out.
        .target(
            name: "BrambleReplay",
            dependencies: ["BrambleCapture", "BrambleWire", "BrambleNodeMap", "BrambleDHCP", "BrambleTFTP", "BrambleDNS"],
            swiftSettings: strictSettings
        ),
        // The daemon's I/O edge: the one event loop, sockets, signals, file watches.
        .target(
            name: "BrambleServer",
            dependencies: [
                "CNetShims",
                "CLibcap",
                "BrambleWire",
                "BrambleNodeMap",
                "BrambleDHCP",
                "BrambleTFTP",
                "BrambleDNS",
                "BrambleBoot",
                "BrambleControl",
                "BrambleCapture",
                "BrambleProcfs",
                .product(name: "HeapModule", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // Whole files read by path, with errors naming the file: the CLI's and bramble-web's one reader.
        .target(name: "BrambleFiles", swiftSettings: strictSettings),
        // The CLI's commands and the file-system edge (atomic writes, boot-tree inspection).
        .target(
            name: "BrambleCommands",
            dependencies: [
                "BrambleWire",
                "BrambleNodeMap",
                "BrambleServer",
                "BrambleBoot",
                "BrambleControl",
                "CNetShims",
                "BrambleCapture",
                "BrambleReplay",
                "BrambleTFTP",
                "BrambleProcfs",
                "BrambleRoots",
                "BrambleRootFiles",
                "BrambleBMC",
                "BrambleBMCSerial",
                "BrambleFiles",
                "CBuildInfo",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(name: "bramble", dependencies: ["BrambleCommands"], swiftSettings: strictSettings),
        // `bramble demo`: a virtual cluster in namespaces. Its own executable, which `bramble
        // demo` runs, because it needs all of Foundation (Process, Pipe, String(format:)):
        // linked into `bramble`, libFoundation and ICU would load into every `bramble serve`
        // too, about 7 MB more resident memory on the hub.
        .target(
            name: "BrambleDemo",
            dependencies: [
                "BrambleBoot",
                "BrambleCommands",
                "BrambleControl",
                "BrambleLab",
                "BrambleWire",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(name: "bramble-demo", dependencies: ["BrambleDemo"], swiftSettings: strictSettings),
        // The namespace lab `bramble demo` and the integration tests both build: a bridge in a
        // switch namespace, hosts on veth pairs, processes started inside, all removed after.
        .target(name: "BrambleLab", swiftSettings: strictSettings),
        // What the test targets share (hex, temporary directories, boot trees, the lab's
        // clients): used only by test targets, never linked into a product.
        .target(name: "BrambleTestSupport", dependencies: ["BrambleLab"], path: "Tests/BrambleTestSupport", swiftSettings: strictSettings),
        // What `bramble web` shows and checks, pure: the rack layout, stage timing, the
        // dashboard's model, the daemon's lines cut up, basic-auth headers and password files.
        .target(name: "BrambleWebCore", dependencies: ["BrambleBoot", "BrambleControl", "BrambleBMC"], swiftSettings: strictSettings),
        // `bramble web`: the dashboard and /metrics over HTTP (Hummingbird), a process of its
        // own that talks to the daemon only through the control socket, so `bramble serve`
        // never links an HTTP server, SwiftNIO or Foundation.
        .target(
            name: "BrambleWeb",
            dependencies: [
                "BrambleControl",
                "BrambleFiles",
                "BrambleNodeMap",
                "BrambleWebCore",
                "BrambleBMC",
                "BrambleBMCSerial",
                "BrambleMetrics",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(name: "bramble-web", dependencies: ["BrambleWeb"], swiftSettings: strictSettings),
        // Benchmarks, not tests: `swift run -c release bramble-bench --help`.
        .executableTarget(
            name: "bramble-bench",
            dependencies: [
                "BrambleNodeMap",
                "BrambleWire",
                "BrambleServer",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "BrambleWireTests",
            dependencies: ["BrambleWire", "BrambleTestSupport", .product(name: "PropertyBased", package: "swift-property-based")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "BrambleDHCPTests",
            dependencies: [
                "BrambleDHCP", "BrambleWire", "BrambleTestSupport",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "BrambleTFTPTests",
            dependencies: [
                "BrambleTFTP", "BrambleWire", "BrambleNodeMap",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "BrambleDNSTests",
            dependencies: [
                "BrambleDNS", "BrambleWire", "BrambleNodeMap", "BrambleTestSupport",
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
        .testTarget(
            name: "BrambleReplayTests",
            dependencies: ["BrambleReplay", "BrambleCapture", "BrambleWire", "BrambleNodeMap", "BrambleDHCP", "BrambleTFTP", "BrambleDNS", "BrambleCommands"],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "BrambleRootsTests", dependencies: ["BrambleRoots", "BrambleNodeMap", "BrambleWire"], swiftSettings: strictSettings),
        .testTarget(name: "BrambleRootFilesTests", dependencies: ["BrambleRootFiles", "BrambleRoots", "CRootShims"], swiftSettings: strictSettings),
        .testTarget(name: "BrambleProcfsTests", dependencies: ["BrambleProcfs", "BrambleWire"], swiftSettings: strictSettings),
        .testTarget(
            name: "BrambleBMCTests",
            dependencies: ["BrambleBMC", "BrambleBMCSerial", .product(name: "PropertyBased", package: "swift-property-based")],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "BrambleBootTests", dependencies: ["BrambleBoot"], swiftSettings: strictSettings),
        .testTarget(name: "BrambleMetricsTests", dependencies: ["BrambleMetrics", "BrambleControl", "BrambleBoot", "BrambleBMC"], swiftSettings: strictSettings),
        .testTarget(
            name: "BrambleWebTests",
            dependencies: [
                "BrambleWeb", "BrambleWebCore", "BrambleControl", "BrambleBoot", "BrambleBMC", "BrambleMetrics", "BrambleTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "BrambleControlTests", dependencies: ["BrambleControl", "BrambleBoot"], swiftSettings: strictSettings),
        .testTarget(
            name: "BrambleServerTests",
            dependencies: [
                "BrambleServer", "BrambleCapture", "BrambleDHCP", "BrambleDNS", "BrambleNodeMap", "BrambleWire", "CNetShims",
                "BrambleBoot", "BrambleControl", "BrambleTFTP", "BrambleTestSupport",
            ],
            swiftSettings: strictSettings
        ),
        // Black-box tests in network namespaces the tests create (root; see BrambleLab's NetworkLab).
        .testTarget(
            name: "BrambleIntegrationTests",
            dependencies: ["BrambleDHCP", "BrambleWire", "BrambleControl", "BrambleBoot", "BrambleRoots", "BrambleLab", "BrambleTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "BrambleCommandsTests",
            dependencies: [
                "BrambleCommands", "BrambleDemo", "BrambleFiles", "BrambleNodeMap", "BrambleWire", "BrambleBoot", "BrambleControl", "BrambleTestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
    ]
)
