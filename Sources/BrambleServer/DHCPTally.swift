import BrambleControl
import BrambleDHCP

/// DHCPService's counters: integer adds into fixed arrays indexed by message type and
/// ignore reason, so counting a request allocates nothing (issue 18: CPU per packet).
/// ``snapshot(pool:)`` names the indices for the control socket.
struct DHCPTally {
    /// Index 0 is a message without option 53 (BOOTP); 1...8 the DHCP message types.
    private var received = [Int](repeating: 0, count: 9)
    private var replies = [Int](repeating: 0, count: 9)
    private var ignored = [Int](repeating: 0, count: IgnoredLabel.allCases.count)
    private(set) var malformed = 0

    /// Labels of ``DHCPIgnoreReason`` without their values (an address or a relay would
    /// make a series per forger), plus a grant the lease journal could not save and the
    /// requests shed under load (``DHCPLoadShedding``).
    enum IgnoredLabel: Int, CaseIterable {
        case unknownMAC, disabled, poolExhausted, otherServerChosen, noRecordOfClient, foreignRelay, noReplyExpected
        case unusableHardwareAddress, unusableAddressField, notBootClient, noBootFile, malformedOption97, leaseNotSaved
        case shedStale, shedBacklog, shedDelayedRepliesFull

        var label: String {
            switch self {
            case .unknownMAC: "unknown_mac"
            case .disabled: "disabled"
            case .poolExhausted: "pool_exhausted"
            case .otherServerChosen: "other_server_chosen"
            case .noRecordOfClient: "no_record_of_client"
            case .foreignRelay: "foreign_relay"
            case .noReplyExpected: "no_reply_expected"
            case .unusableHardwareAddress: "unusable_hardware_address"
            case .unusableAddressField: "unusable_address_field"
            case .notBootClient: "not_boot_client"
            case .noBootFile: "no_boot_file"
            case .malformedOption97: "malformed_option_97"
            case .leaseNotSaved: "lease_not_saved"
            case .shedStale: "shed_stale"
            case .shedBacklog: "shed_backlog"
            case .shedDelayedRepliesFull: "shed_delayed_replies_full"
            }
        }

        init(_ reason: DHCPIgnoreReason) {
            switch reason {
            case .unknownMAC: self = .unknownMAC
            case .disabledNode: self = .disabled
            case .poolExhausted: self = .poolExhausted
            case .otherServerChosen: self = .otherServerChosen
            case .noRecordOfClient: self = .noRecordOfClient
            case .foreignRelay: self = .foreignRelay
            case .noReplyExpected: self = .noReplyExpected
            case .unusableHardwareAddress: self = .unusableHardwareAddress
            case .unusableAddressField: self = .unusableAddressField
            case .addressingLeftToNetwork: self = .notBootClient
            case .noBootFileForClient: self = .noBootFile
            case .malformedClientMachineIdentifier: self = .malformedOption97
            }
        }
    }

    /// The label of each index of ``received`` and ``replies``.
    static let typeLabels = ["none", "discover", "offer", "request", "decline", "ack", "nak", "release", "inform"]

    mutating func countMalformed() { malformed &+= 1 }

    mutating func countReceived(_ type: DHCPMessageType?) { received[Int(type?.rawValue ?? 0)] &+= 1 }

    mutating func countReply(_ type: DHCPMessageType?) { replies[Int(type?.rawValue ?? 0)] &+= 1 }

    mutating func countIgnored(_ label: IgnoredLabel) { ignored[label.rawValue] &+= 1 }

    mutating func countShed(_ reason: DHCPLoadShedding.Reason) {
        switch reason {
        case .stale: countIgnored(.shedStale)
        case .backlog: countIgnored(.shedBacklog)
        case .delayedRepliesFull: countIgnored(.shedDelayedRepliesFull)
        }
    }

    /// The outcome of a request the responder decided on: ignored ones by reason (a reply
    /// is counted when it is sent, see ``countReply(_:)``).
    mutating func count(_ event: DHCPEvent) {
        if case .ignored(let reason) = event.outcome { countIgnored(IgnoredLabel(reason)) }
    }

    func snapshot(pool: PoolCounters?) -> DHCPCounters {
        DHCPCounters(
            received: Self.labelled(received), malformed: malformed, replies: Self.labelled(replies),
            ignored: Dictionary(uniqueKeysWithValues: IgnoredLabel.allCases.map { ($0.label, ignored[$0.rawValue]) }), pool: pool)
    }

    private static func labelled(_ counts: [Int]) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: zip(typeLabels, counts))
    }
}
