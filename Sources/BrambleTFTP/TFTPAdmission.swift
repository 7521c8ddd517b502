/// Whether a new read transfer may start, given those running: the limits that keep a
/// flood of requests, spoofed source addresses included, from taking every slot.
///
/// A source address costs an attacker on the cluster LAN nothing, so a limit per address
/// (`tftp-max-per-client`) alone never binds a spoofer: 32 forged addresses at 8 each
/// fill the default 256 slots. Two more rules keep slots for the nodes:
/// - a transfer not yet acknowledged (no ACK of its OACK or first block) proves nothing
///   about its source, and one address may hold at most
///   ``maximumUnacknowledgedPerClient`` of them: a Pi probes one file at a time;
/// - addresses outside the node map (strangers: PCs, a pool client, a forged address)
///   share at most ``strangerShare`` of the total.
///
/// A spoofer that cannot see the hub's answers never ACKs, so each forged request holds
/// its slot at most ``TFTPRetransmissionPolicy/maximumTimeWithoutProgress`` (30 s; 6-7 s
/// without the `timeout` option). The resulting worst case, with N nodes in the map:
/// strangers hold at most `total / 2` slots, forged node addresses at most 2 × N, and the
/// rest stays for the nodes, every one of which keeps `perClient - 2` of its own.
public struct TFTPAdmission: Hashable, Sendable {
    /// `tftp-max-transfers`.
    public var total: Int
    /// `tftp-max-per-client`.
    public var perClient: Int

    public static let maximumUnacknowledgedPerClient = 2

    public init(total: Int, perClient: Int) {
        self.total = total
        self.perClient = perClient
    }

    /// Slots strangers may hold together: half the total, at least one.
    public var strangerShare: Int { max(1, total / 2) }

    /// The transfers running when a request arrives, as they bear on its client.
    public struct Running: Hashable, Sendable {
        public var total: Int
        /// Transfers to addresses outside the node map.
        public var strangers: Int
        public var fromClient: Int
        public var unacknowledgedFromClient: Int

        public init(total: Int, strangers: Int, fromClient: Int, unacknowledgedFromClient: Int) {
            self.total = total
            self.strangers = strangers
            self.fromClient = fromClient
            self.unacknowledgedFromClient = unacknowledgedFromClient
        }
    }

    /// Why a request is answered "busy"; the text ends a log line "already ...".
    public enum Refusal: Hashable, Sendable, CustomStringConvertible {
        case total(Int)
        case perClient(Int)
        case unacknowledged(Int)
        case strangers(Int)

        public var description: String {
            switch self {
            case .total(let limit): "\(limit) transfers in all (tftp-max-transfers)"
            case .perClient(let limit): "\(limit) transfers from this client (tftp-max-per-client)"
            case .unacknowledged(let limit): "\(limit) transfers from this client that it has not acknowledged yet"
            case .strangers(let limit): "\(limit) transfers to clients outside the node map (half of tftp-max-transfers)"
            }
        }
    }

    /// Nil when the request may start a transfer.
    public func refusal(running: Running, clientIsNode: Bool) -> Refusal? {
        if running.total >= total { return .total(total) }
        if running.fromClient >= perClient { return .perClient(perClient) }
        if running.unacknowledgedFromClient >= Self.maximumUnacknowledgedPerClient {
            return .unacknowledged(Self.maximumUnacknowledgedPerClient)
        }
        if !clientIsNode, running.strangers >= strangerShare { return .strangers(strangerShare) }
        return nil
    }
}
