/// One line from the daemon: exactly one of its fields is set.
public struct ControlResponse: Codable, Hashable, Sendable {
    /// The request could not be served; readable, for the CLI to print as is.
    public var error: String?
    public var status: StatusReport?
    public var history: NodeHistory?
    /// A boot event, on a `follow` subscription.
    public var event: BootLogRecord?
    /// A MAC outside the node map asking for an address, on a `discoveries` subscription.
    public var discovery: Discovery?
    /// A request done: the reload's result, or the start of a `follow`.
    public var message: String?
    /// The answer to `hello` (protocol 2).
    public var hello: ControlHello?
    /// The answer to `counters` (protocol 2).
    public var counters: DaemonCounters?

    public init(
        error: String? = nil, status: StatusReport? = nil, history: NodeHistory? = nil, event: BootLogRecord? = nil, discovery: Discovery? = nil,
        message: String? = nil, hello: ControlHello? = nil, counters: DaemonCounters? = nil
    ) {
        self.error = error
        self.status = status
        self.history = history
        self.event = event
        self.discovery = discovery
        self.message = message
        self.hello = hello
        self.counters = counters
    }
}

/// A node's recent boot events, oldest first: the daemon keeps the last few hundred per node
/// in memory; the full record is the node's log file.
public struct NodeHistory: Codable, Hashable, Sendable {
    public var nodeID: Int
    public var node: String
    public var records: [BootLogRecord]

    public init(nodeID: Int, node: String, records: [BootLogRecord]) {
        self.nodeID = nodeID
        self.node = node
        self.records = records
    }
}

/// A DHCP request from a MAC the node map does not know: a newly powered Pi, for `bramble enroll`.
public struct Discovery: Codable, Hashable, Sendable {
    public var mac: String
    /// The kind of client, readable ("Pi 3B ROM", "DHCP client").
    public var client: String
    /// A boot ROM or bootloader (PXE class) rather than an OS's DHCP client.
    public var firmware: Bool
    /// Wall-clock milliseconds since the epoch.
    public var time: Int64

    public init(mac: String, client: String, firmware: Bool, time: Int64) {
        self.mac = mac
        self.client = client
        self.firmware = firmware
        self.time = time
    }
}
