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
