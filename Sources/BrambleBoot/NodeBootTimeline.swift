/// One node's boot, rebuilt from its events: the current stage with the time it was reached,
/// every step with its time since power-on, failures with their reasons, and how many times
/// it rebooted. What an operator cannot get from dnsmasq: which step node 37 stopped at.
public struct NodeBootTimeline: Hashable, Sendable {
    public struct Step: Hashable, Sendable {
        public var time: Int64
        public var stage: BootStage
        /// What moved it there, readable: "DHCPOFFER 10.42.0.5", "bootcode.bin (52 KB, 120 ms)".
        public var detail: String
    }

    public struct Failure: Hashable, Sendable {
        public var time: Int64
        public var stage: BootStage
        public var reason: String
    }

    public private(set) var stage: BootStage = .waiting
    public private(set) var steps: [Step] = []
    public private(set) var failures: [Failure] = []
    /// When this boot began: its first firmware DHCP message.
    public private(set) var bootStarted: Int64?
    public private(set) var reboots = 0
    /// The time of the node's latest event of any kind: a node that stalls, or is switched
    /// off, stops moving this.
    public private(set) var lastSeen: Int64?
    /// The model the node's firmware last reported ("CM4 4GB rev 1.1"); kept across boots,
    /// since the kernel's DHCP names none.
    public private(set) var model: String?
    private var modelIsDefinite = false
    /// Firmware DISCOVERs answered since the node was last addressed without it reading a
    /// file: a ROM that keeps asking is not taking the offers.
    private var unacceptedOffers = 0
    private var kernelDHCPTransaction: UInt32?

    /// Offers a ROM may ignore before that is a failure (the Pi 3 ROM tries 5 times).
    static let offersBeforeFailure = 3

    public init() {}

    /// Time from the start of this boot to `up`, or nil while it is not up.
    public var bootDuration: Int64? {
        guard stage == .up, let bootStarted, let upTime = steps.last(where: { $0.stage == .up })?.time else { return nil }
        return upTime - bootStarted
    }

    /// When the current stage was reached.
    public var stageReached: Int64? { steps.last?.time }

    /// The reason of the latest failure of this boot, for `bramble status`.
    public var lastError: String? { failures.last?.reason }

    /// Failures kept per boot: a disabled node asks every few seconds for as long as it is on.
    static let failureLimit = 32

    /// Moves the timeline on by one event; returns the failure it stands for, if any.
    @discardableResult
    public mutating func apply(_ event: BootEvent) -> String? {
        lastSeen = max(lastSeen ?? event.time, event.time)
        switch event.kind {
        case .dhcp(let exchange): return applyDHCP(exchange, at: event.time)
        case .transferStarted(let file):
            // The first read after the address is the firmware stage: bootcode.bin on a
            // Pi 3, whatever the Pi 4 bootloader reads first.
            if stage >= .addressed { advance(to: .firmware, at: event.time, detail: "reading \(file)") }
            unacceptedOffers = 0
        case .transferFinished(let file, let bytes, let milliseconds, let retransmits):
            let retries = retransmits > 0 ? ", \(retransmits) retransmits" : ""
            let detail = "\(file) (\(bytes) bytes, \(milliseconds) ms\(retries))"
            if let revealed = BootStage.revealed(byFile: file), revealed > stage { advance(to: revealed, at: event.time, detail: detail) }
        case .transferFailed(let file, let reason):
            return fail("\(file): \(reason)", at: event.time)
        case .transferProbed, .transferSlow, .bootloaderLog, .bootloaderLogDropped:
            break
        case .fileNotFound(let file, let routine, let tried):
            if !routine { return fail("file not found: \(file)" + (tried.isEmpty ? "" : " (tried \(tried.joined(separator: ", ")))"), at: event.time) }
        case .firstDNSQuery:
            if stage >= .loader {
                advance(to: .up, at: event.time, detail: "first DNS query")
            } else if stage == .waiting && bootStarted == nil {
                markAlreadyRunning(at: event.time, detail: "first DNS query")
            }
        }
        return nil
    }

    private mutating func applyDHCP(_ exchange: BootEvent.DHCPExchange, at time: Int64) -> String? {
        if let reported = exchange.model, exchange.modelIsDefinite || !modelIsDefinite {
            model = reported
            modelIsDefinite = exchange.modelIsDefinite
        }
        if let reason = exchange.ignoredBecause {
            return fail("DHCP \(exchange.message.rawValue) not answered: \(reason)", at: time)
        }
        if exchange.answer == .nak {
            return fail("DHCP \(exchange.message.rawValue) refused (NAK)", at: time)
        }
        if exchange.firmware {
            if exchange.message == .discover && (stage >= .loader || bootStarted == nil) {
                if bootStarted != nil || !steps.isEmpty { reboots += 1 }
                startBoot(at: time)
            }
            var failure: String?
            if exchange.message == .discover && stage == .addressed && exchange.answer == .offer {
                unacceptedOffers += 1
                if unacceptedOffers == Self.offersBeforeFailure {
                    failure = fail("the firmware keeps asking: \(unacceptedOffers) offers not taken (no TFTP read followed)", at: time)
                }
            }
            if stage < .romDHCP { advance(to: .romDHCP, at: time, detail: "firmware DHCP\(exchange.message == .discover ? "DISCOVER" : "REQUEST")") }
            if exchange.answer != .none, stage < .addressed { advance(to: .addressed, at: time, detail: "DHCP\(exchange.answer.rawValue.uppercased())") }
            return failure
        }
        // A node heard for the first time with its OS's DHCP client: it was up before
        // bramble started (or booted from its own disk).
        if stage == .waiting && bootStarted == nil {
            markAlreadyRunning(at: time, detail: "OS DHCP\(exchange.message.rawValue.uppercased())")
            return nil
        }
        // The kernel's ip=dhcp, then the OS's own client in a new transaction.
        guard stage >= .loader else { return nil }
        if stage < .kernelDHCP {
            kernelDHCPTransaction = exchange.transactionID
            advance(to: .kernelDHCP, at: time, detail: "kernel DHCP\(exchange.message.rawValue.uppercased())")
        } else if stage == .kernelDHCP, exchange.transactionID != kernelDHCPTransaction {
            advance(to: .up, at: time, detail: "OS DHCP\(exchange.message.rawValue.uppercased())")
        }
        return nil
    }

    /// `up` without a boot seen: no boot start, so no boot duration.
    private mutating func markAlreadyRunning(at time: Int64, detail: String) {
        stage = .up
        steps.append(Step(time: time, stage: .up, detail: "\(detail), already running"))
    }

    private mutating func startBoot(at time: Int64) {
        stage = .waiting
        steps = []
        failures = []
        bootStarted = time
        unacceptedOffers = 0
        kernelDHCPTransaction = nil
    }

    private mutating func advance(to newStage: BootStage, at time: Int64, detail: String) {
        guard newStage > stage else { return }
        if bootStarted == nil { bootStarted = time }
        stage = newStage
        steps.append(Step(time: time, stage: newStage, detail: detail))
    }

    /// Records a failure (a repeat of the last one only moves its time) and returns its reason.
    private mutating func fail(_ reason: String, at time: Int64) -> String {
        if let last = failures.last, last.reason == reason, last.stage == stage {
            failures[failures.count - 1].time = time
            return reason
        }
        if failures.count == Self.failureLimit { failures.removeFirst() }
        failures.append(Failure(time: time, stage: stage, reason: reason))
        return reason
    }
}
