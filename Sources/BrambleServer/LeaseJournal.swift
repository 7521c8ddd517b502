import BrambleDHCP
import BrambleWire

/// Which of the pool's changes reach the journal file, so a client repeating requests
/// cannot make the daemon fdatasync once per packet.
///
/// What must be on disk: for every address a client was ACKed, a grant to that client
/// whose expiry is no earlier than the one it was told. A grant is therefore written with
/// its expiry padded by half a lease (``padding``); a renewal of the same address by the
/// same client whose new expiry the written one still covers is not written again. A
/// client renewing every second costs one write per half lease; a restart keeps its
/// address at most half a lease longer than it asked for. (The host name rides along
/// with the next write: it names the client in DNS, it holds no address.)
///
/// Writes a client can cause without holding a new address (releases, declines, grants of
/// fresh addresses by spoofed MACs) share one budget of ``burst`` writes, refilled at
/// ``writesPerSecond``. A grant over budget is refused: the caller rolls it back and sends
/// nothing. A release or decline over budget is kept in memory only, which is safe: the
/// journal then still holds the older grant, so a restart keeps the address longer, and
/// the next grant of that address to anyone is journalled and replaces it.
final class LeaseJournal {
    static let burst = 32
    static let writesPerSecond = 4.0

    /// What became of one change.
    enum Outcome: Equatable {
        /// On disk (the grant's expiry padded).
        case written
        /// Already covered by what is on disk.
        case alreadyOnDisk
        /// A release or decline not written: over budget (see above), safe to keep in memory.
        case keptInMemoryOnly
        /// A grant over budget: not written, so it must not be ACKed or kept.
        case refusedOverBudget
        /// The write failed: a grant must not be ACKed or kept.
        case failed(SystemCallError)
    }

    let file: LeaseJournalFile
    /// Half a lease: how far a written grant's expiry reaches past the one the client is told.
    let padding: Int64
    private var onDisk: [MACAddress: (address: IPv4Address, expires: Int64)] = [:]
    private var holderOnDisk: [IPv4Address: MACAddress] = [:]
    private var budget: TokenBucket
    private let clock: () -> MonotonicInstant

    /// - Parameter entries: what the file held at start-up, to know what is on disk.
    init(file: LeaseJournalFile, entries: [LeaseJournalEntry], leaseSeconds: Int, clock: @escaping () -> MonotonicInstant = MonotonicInstant.now) {
        self.file = file
        padding = Int64(max(leaseSeconds, 0) / 2)
        self.clock = clock
        budget = TokenBucket(capacity: Self.burst, perSecond: Self.writesPerSecond, now: clock())
        for entry in entries { noteOnDisk(entry) }
    }

    var path: String { file.path }
    var entryCount: Int { file.entryCount }

    /// Writes `entry` if the disk does not already cover it and the budget allows.
    func persist(_ entry: LeaseJournalEntry) -> Outcome {
        var stored = entry
        if case .grant(let lease) = entry {
            if let known = onDisk[lease.mac], known.address == lease.address, known.expires >= lease.expires { return .alreadyOnDisk }
            let (padded, overflow) = lease.expires.addingReportingOverflow(padding)
            stored = .grant(Lease(mac: lease.mac, address: lease.address, expires: overflow ? Int64.max : padded, hostname: lease.hostname))
        }
        guard budget.take(now: clock()) else {
            if case .grant = entry { return .refusedOverBudget }
            return .keptInMemoryOnly
        }
        do {
            try file.append(stored)
        } catch {
            return .failed(error)
        }
        noteOnDisk(stored)
        return .written
    }

    /// Undoes in `responder` a grant that did not reach the disk: the client's previous
    /// lease is put back when it still runs, else the address is freed. An unpersisted
    /// lease is neither ACKed nor kept.
    static func rollBack(_ lease: Lease, previous: Lease?, now: Int64, in responder: inout DHCPResponder) {
        if let previous, previous.expires > now {
            responder.restore([.grant(previous)])
        } else {
            responder.restore([.release(mac: lease.mac, address: lease.address)])
        }
    }

    /// Rewrites the file as `snapshot` (the pool's live state) and starts over from it.
    func compact(to snapshot: [LeaseJournalEntry]) throws(SystemCallError) {
        try file.compact(to: snapshot)
        onDisk = [:]
        holderOnDisk = [:]
        for entry in snapshot { noteOnDisk(entry) }
    }

    /// Follows what replaying the file would do to the leases on disk.
    private func noteOnDisk(_ entry: LeaseJournalEntry) {
        switch entry {
        case .grant(let lease):
            if let previous = onDisk[lease.mac] { holderOnDisk[previous.address] = nil }
            if let other = holderOnDisk[lease.address] { onDisk[other] = nil }
            onDisk[lease.mac] = (lease.address, lease.expires)
            holderOnDisk[lease.address] = lease.mac
        case .release(let mac, let address):
            if onDisk[mac]?.address == address {
                onDisk[mac] = nil
                holderOnDisk[address] = nil
            }
        case .decline(let address, _):
            if let holder = holderOnDisk.removeValue(forKey: address) { onDisk[holder] = nil }
        }
    }
}
