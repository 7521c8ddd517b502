import BrambleTFTP
import BrambleWire

/// The running transfers' sessions by client address and port: the lookup every datagram on
/// the transfer port makes (``TFTPService``).
///
/// Why not a `Dictionary`: its lookup hashes the key with SipHash, about 220 instructions
/// per ACK here (a tenth of the daemon's work per block), and reading it from the service's
/// property retains and releases its storage. This is an open-addressing table with linear
/// probing in memory it owns: a key is the address and port as one 48-bit word, placed by
/// a multiply with a random odd constant chosen per table (Fibonacci hashing: Knuth, TAOCP
/// vol. 3, 6.4), so a client cannot pick ports that collide without knowing the constant.
/// Even if it could, the table only holds admitted transfers (``TFTPAdmission`` bounds
/// them), so a lookup probes at most that many slots. Removal shifts the following entries
/// back (no tombstones), so probes stay short however transfers come and go.
///
/// Generic over the session only so a test can fill it without sockets; the daemon's one
/// use (`TFTPSessionTable<TFTPSession>`) is specialized in this module.
///
/// Used only from the loop's thread and never through overlapping accesses, so its state
/// needs no dynamic exclusivity checks (see ``TFTPSession``).
final class TFTPSessionTable<Session: AnyObject> {
    @exclusivity(unchecked) private(set) var count = 0
    /// A power of two, at least twice ``count``.
    @exclusivity(unchecked) private var capacity: Int
    @exclusivity(unchecked) private var shift: UInt64
    private let multiplier: UInt64
    @exclusivity(unchecked) private var keys: UnsafeMutablePointer<UInt64>
    /// nil marks a free slot.
    @exclusivity(unchecked) private var sessions: UnsafeMutablePointer<Session?>

    init(capacity minimum: Int = 64) {
        var capacity = 8
        while capacity < minimum { capacity *= 2 }
        self.capacity = capacity
        shift = UInt64(64 - capacity.trailingZeroBitCount)
        multiplier = UInt64.random(in: 1...UInt64.max) | 1
        keys = .allocate(capacity: capacity)
        keys.initialize(repeating: 0, count: capacity)
        sessions = .allocate(capacity: capacity)
        sessions.initialize(repeating: nil, count: capacity)
    }

    deinit {
        keys.deallocate()
        sessions.deinitialize(count: capacity)
        sessions.deallocate()
    }

    private static func key(_ id: TFTPTransferID) -> UInt64 { UInt64(id.address.value) << 16 | UInt64(id.port) }

    private func home(_ key: UInt64) -> Int { Int(truncatingIfNeeded: (key &* multiplier) >> shift) }

    /// The slot holding `key`, or the free slot where it would go.
    private func slot(of key: UInt64) -> Int {
        let mask = capacity - 1
        var index = home(key)
        while sessions[index] != nil, keys[index] != key { index = (index + 1) & mask }
        return index
    }

    subscript(id: TFTPTransferID) -> Session? {
        get { sessions[slot(of: Self.key(id))] }
        set {
            if let newValue { insert(newValue, for: Self.key(id)) } else { remove(Self.key(id)) }
        }
    }

    private func insert(_ session: Session, for key: UInt64) {
        if 2 * (count + 1) > capacity { grow() }
        let index = slot(of: key)
        if sessions[index] == nil { count += 1 }
        keys[index] = key
        sessions[index] = session
    }

    private func remove(_ key: UInt64) {
        let mask = capacity - 1
        var hole = slot(of: key)
        guard sessions[hole] != nil else { return }
        sessions[hole] = nil
        count -= 1
        // Backward shift: an entry after the hole moves into it unless its home lies
        // cyclically in (hole, index], where a probe from its home would still reach it.
        var index = (hole + 1) & mask
        while sessions[index] != nil {
            let home = home(keys[index])
            let reachable = hole <= index ? (hole < home && home <= index) : (hole < home || home <= index)
            if !reachable {
                keys[hole] = keys[index]
                sessions[hole] = sessions[index]
                sessions[index] = nil
                hole = index
            }
            index = (index + 1) & mask
        }
    }

    private func grow() {
        let oldKeys = keys, oldSessions = sessions, oldCapacity = capacity
        capacity *= 2
        shift -= 1
        keys = .allocate(capacity: capacity)
        keys.initialize(repeating: 0, count: capacity)
        sessions = .allocate(capacity: capacity)
        sessions.initialize(repeating: nil, count: capacity)
        count = 0
        for index in 0..<oldCapacity {
            if let session = oldSessions[index] { insert(session, for: oldKeys[index]) }
        }
        oldKeys.deallocate()
        oldSessions.deinitialize(count: oldCapacity)
        oldSessions.deallocate()
    }
}
