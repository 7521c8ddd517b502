import BrambleDHCP

/// The one fan-out of the DHCP service's events (docs/architecture.md, "The boot-event spine").
///
/// ``DHCPService`` calls one closure with each event; the daemon sets it, once, to
/// ``dispatch(_:)`` and connects each consumer to its own slot. An event reaches the
/// consumers in the order of ``Consumer``'s cases, whatever order they were connected in: a
/// line moved in the daemon can neither drop an observer nor change who sees an event first.
///
/// The order puts the daemon's state before what clients read: DNS's watch and the node's
/// timeline are updated before anything is published, so a client that reacts to a boot
/// record or a discovery (enrollment asks for the status next) finds them current.
final class DHCPEventFanOut {
    /// The consumers, in the order each event reaches them.
    enum Consumer: Int, CaseIterable, Sendable {
        /// DNS restarts a node's "OS up" watch on its DISCOVER: the first query after it is
        /// the new boot's (``DNSService``).
        case dnsBootWatch
        /// The node's timeline and boot log, and through them the followers of boot events
        /// (``BootRecorder``).
        case bootRecorder
        /// The clients enrolling nodes, told of MACs outside the node map (``ControlServer``).
        case discoveryFollowers
    }

    private var observers: [((DHCPEvent) -> Void)?] = Array(repeating: nil, count: Consumer.allCases.count)

    /// Connects `consumer`'s slot; connecting it again replaces what it had.
    func connect(_ consumer: Consumer, _ observe: @escaping (DHCPEvent) -> Void) {
        observers[consumer.rawValue] = observe
    }

    /// The consumers that are connected, in dispatch order (DNS is off with `dns = off`).
    var connected: [Consumer] { Consumer.allCases.filter { observers[$0.rawValue] != nil } }

    /// Hands the event to every connected consumer, in ``Consumer`` order.
    func dispatch(_ event: DHCPEvent) {
        for observe in observers { observe?(event) }
    }
}
