/// What the daemon has counted since it started, answered to `counters`: the services'
/// traffic, the boots, and the process's own use. Everything is a running total or a
/// gauge read at ``time``; a client computes rates from two snapshots. Label maps hold
/// every label value the daemon knows, with 0 for those not seen, so the set of series
/// does not change while it runs.
public struct DaemonCounters: Codable, Hashable, Sendable {
    /// The daemon's wall clock when it answered (epoch ms).
    public var time: Int64
    public var dhcp: DHCPCounters
    public var tftp: TFTPCounters
    /// Nil when DNS is off (`dns = off`).
    public var dns: DNSCounters?
    public var boot: BootCounters
    public var process: ProcessCounters

    public init(time: Int64, dhcp: DHCPCounters, tftp: TFTPCounters, dns: DNSCounters?, boot: BootCounters, process: ProcessCounters) {
        self.time = time
        self.dhcp = dhcp
        self.tftp = tftp
        self.dns = dns
        self.boot = boot
        self.process = process
    }
}

public struct DHCPCounters: Codable, Hashable, Sendable {
    /// Messages received, by DHCP message type (`discover`, `request` ...; `none` for a
    /// BOOTP message without option 53).
    public var received: [String: Int]
    /// Frames to port 67 that did not decode as DHCP.
    public var malformed: Int
    /// Replies sent, by message type (`offer`, `ack`, `nak`).
    public var replies: [String: Int]
    /// Requests not answered, by reason (`unknown_mac`, `disabled`, `not_boot_client` ...).
    public var ignored: [String: Int]
    /// The dynamic pool; nil when there is none.
    public var pool: PoolCounters?

    public init(received: [String: Int], malformed: Int, replies: [String: Int], ignored: [String: Int], pool: PoolCounters?) {
        self.received = received
        self.malformed = malformed
        self.replies = replies
        self.ignored = ignored
        self.pool = pool
    }
}

public struct PoolCounters: Codable, Hashable, Sendable {
    /// Addresses in the pool's range.
    public var total: Int
    /// Addresses under an unexpired lease.
    public var assigned: Int
    /// Addresses held out of use after a client declined them.
    public var declined: Int

    public init(total: Int, assigned: Int, declined: Int) {
        self.total = total
        self.assigned = assigned
        self.declined = declined
    }
}

public struct TFTPCounters: Codable, Hashable, Sendable {
    /// Read requests by how they ended: `sent`, `not_found`, `early_terminate`, `timed_out`,
    /// `refused_busy` ... (docs/control-protocol.md lists them all).
    public var transfers: [String: Int]
    /// Bytes of the files delivered whole (``transfers``' `sent`).
    public var bytesSent: Int
    /// How long each delivered file took, first packet to last ACK.
    public var duration: DurationHistogram
    /// Transfers running now.
    public var inFlight: Int

    public init(transfers: [String: Int], bytesSent: Int, duration: DurationHistogram, inFlight: Int) {
        self.transfers = transfers
        self.bytesSent = bytesSent
        self.duration = duration
        self.inFlight = inFlight
    }
}

public struct DNSCounters: Codable, Hashable, Sendable {
    /// Answers sent, by where they came from (`zone`, `cache`, `upstream`, `local` for the
    /// server's own errors) and then by response code (`noerror`, `nxdomain`, `servfail` ...).
    public var answers: [String: [String: Int]]
    /// Query messages received, answered or not.
    public var queries: Int
    /// From an upstream query's sending to its accepted answer.
    public var upstreamLatency: DurationHistogram
    /// Answers held in the forwarder's cache now.
    public var cacheEntries: Int

    public init(answers: [String: [String: Int]], queries: Int, upstreamLatency: DurationHistogram, cacheEntries: Int) {
        self.answers = answers
        self.queries = queries
        self.upstreamLatency = upstreamLatency
        self.cacheEntries = cacheEntries
    }
}

public struct BootCounters: Codable, Hashable, Sendable {
    /// Every boot that reached `up` since the daemon started, first firmware DHCP to `up`.
    public var duration: DurationHistogram

    public init(duration: DurationHistogram) {
        self.duration = duration
    }
}

public struct ProcessCounters: Codable, Hashable, Sendable {
    /// CPU time in user and kernel mode (getrusage(2)).
    public var cpuUserSeconds: Double
    public var cpuSystemSeconds: Double
    /// Resident memory, and the anonymous part of it (heap and stacks), from
    /// /proc/self/status (proc(5): VmRSS, RssAnon); nil where it cannot be read.
    public var residentBytes: Int?
    public var anonymousResidentBytes: Int?
    /// Open descriptors (/proc/self/fd), and the soft limit on them (RLIMIT_NOFILE).
    public var openDescriptors: Int?
    public var maximumDescriptors: Int?
    /// When the daemon started (epoch ms).
    public var startTime: Int64
    /// How late the event loop ran its timers: each timer's lateness past its deadline.
    /// Work that holds the loop shows here first.
    public var eventLoopLag: DurationHistogram
    /// The largest lateness so far.
    public var eventLoopLagMaximumMicroseconds: Int64

    public init(
        cpuUserSeconds: Double, cpuSystemSeconds: Double, residentBytes: Int?, anonymousResidentBytes: Int?, openDescriptors: Int?,
        maximumDescriptors: Int?, startTime: Int64, eventLoopLag: DurationHistogram, eventLoopLagMaximumMicroseconds: Int64
    ) {
        self.cpuUserSeconds = cpuUserSeconds
        self.cpuSystemSeconds = cpuSystemSeconds
        self.residentBytes = residentBytes
        self.anonymousResidentBytes = anonymousResidentBytes
        self.openDescriptors = openDescriptors
        self.maximumDescriptors = maximumDescriptors
        self.startTime = startTime
        self.eventLoopLag = eventLoopLag
        self.eventLoopLagMaximumMicroseconds = eventLoopLagMaximumMicroseconds
    }
}
