import BrambleDHCP
import BrambleNodeMap
@testable import BrambleServer
import BrambleTestSupport
import BrambleWire
import Glibc
import Testing

@Suite struct LeaseJournalFileTests {
    let directoryPath: String
    let directory: DirectoryHandle
    let grantA = LeaseJournalEntry.grant(Lease(mac: MACAddress(2, 0, 0, 0, 0, 0x0a), address: IPv4Address(10, 42, 0, 100), expires: 1_900_000_000, hostname: "a"))
    let grantB = LeaseJournalEntry.grant(Lease(mac: MACAddress(2, 0, 0, 0, 0, 0x0b), address: IPv4Address(10, 42, 0, 101), expires: 1_900_000_000, hostname: nil))
    let grantC = LeaseJournalEntry.grant(Lease(mac: MACAddress(2, 0, 0, 0, 0, 0x0c), address: IPv4Address(10, 42, 0, 102), expires: 1_900_000_000, hostname: nil))

    init() throws {
        directoryPath = try TemporaryDirectory.make(prefix: "bramble-server")
        directory = try DirectoryHandle.openState(directoryPath, owner: nil)
    }

    var path: String { directoryPath + "/leases" }

    func contents() -> String { BootRecorderTests.contents(path) ?? "" }

    func plant(_ text: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o640)
        _ = Array(text.utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }

    /// A disk that fills up: while `full`, each write stores half of what it is given and
    /// the next one fails with ENOSPC; truncating fails too while `truncateFails`.
    final class FillingDisk {
        var full = false
        var truncateFails = false
        private var halfWritten = false

        var storage: LeaseJournalFile.Storage {
            LeaseJournalFile.Storage(
                write: { [self] fd, bytes in
                    guard full else { return Glibc.write(fd, bytes.baseAddress, bytes.count) }
                    if halfWritten {
                        errno = ENOSPC
                        return -1
                    }
                    halfWritten = true
                    return Glibc.write(fd, bytes.baseAddress, bytes.count / 2)
                },
                sync: { fdatasync($0) },
                truncate: { [self] fd, length in
                    halfWritten = false
                    if truncateFails {
                        errno = EIO
                        return -1
                    }
                    return ftruncate(fd, length)
                })
        }
    }

    @Test func appendedEntriesAreReadBackWithTheirChecksums() throws {
        do {
            let (journal, entries, skipped) = try LeaseJournalFile.open(in: directory, name: "leases")
            #expect(entries.isEmpty && skipped == 0)
            try journal.append(grantA)
            try journal.append(grantB)
        }
        #expect(contents() == grantA.checkedLine + "\n" + grantB.checkedLine + "\n")
        #expect(contents().hasPrefix("grant 02:00:00:00:00:0a 10.42.0.100 1900000000 a #"))
        let (_, entries, _) = try LeaseJournalFile.open(in: directory, name: "leases")
        #expect(entries == [grantA, grantB])
    }

    @Test func aTornLastLineIsCutSoTheNextEntryIsIntact() throws {
        plant(grantA.checkedLine + "\n" + String(grantB.checkedLine.prefix(30)))  // the crash happened here
        let (journal, entries, skipped) = try LeaseJournalFile.open(in: directory, name: "leases")
        #expect(entries == [grantA] && skipped == 0)
        try journal.append(grantB)
        #expect(contents() == grantA.checkedLine + "\n" + grantB.checkedLine + "\n")
    }

    @Test func damagedLinesInTheMiddleCostOnlyThemselves() throws {
        var corrupt = Array(grantC.checkedLine.utf8)
        corrupt[20] ^= 0x01  // one flipped bit in the address
        plant(grantA.checkedLine + "\n"
            + String(grantB.checkedLine.prefix(25)) + "\n"  // torn before its checksum, then resynced
            + String(decoding: corrupt, as: UTF8.self) + "\n"
            + "\u{1}\u{2}garbage #12345678\n"
            + grantB.checkedLine + "\n" + grantC.checkedLine + "\n")
        let (_, entries, skipped) = try LeaseJournalFile.open(in: directory, name: "leases")
        #expect(entries == [grantA, grantB, grantC])
        #expect(skipped == 3)
        #expect(contents() == [grantA, grantB, grantC].map { $0.checkedLine + "\n" }.joined(), "rewritten with the intact lines only")
    }

    @Test func aJournalFromBeforeChecksumsIsReadAndRewritten() throws {
        plant(grantA.line + "\n" + grantB.line + "\n")
        let (_, entries, skipped) = try LeaseJournalFile.open(in: directory, name: "leases")
        #expect(entries == [grantA, grantB] && skipped == 0)
        #expect(contents() == grantA.checkedLine + "\n" + grantB.checkedLine + "\n")
    }

    @Test func aShortWriteOnAFullDiskThrowsAndLeavesNoPartialLine() throws {
        let disk = FillingDisk()
        let (journal, _, _) = try LeaseJournalFile.open(in: directory, name: "leases", storage: disk.storage)
        try journal.append(grantA)
        disk.full = true
        #expect(throws: SystemCallError.self) { try journal.append(grantB) }
        #expect(contents() == grantA.checkedLine + "\n", "the half line is cut off")
        disk.full = false
        try journal.append(grantC)
        let (_, entries, skipped) = try LeaseJournalFile.open(in: directory, name: "leases")
        #expect(entries == [grantA, grantC] && skipped == 0)
    }

    @Test func whenTheTornLineCannotBeCutTheNextEntryStartsOnItsOwnLine() throws {
        let disk = FillingDisk()
        let (journal, _, _) = try LeaseJournalFile.open(in: directory, name: "leases", storage: disk.storage)
        try journal.append(grantA)
        disk.full = true
        disk.truncateFails = true
        #expect(throws: SystemCallError.self) { try journal.append(grantB) }
        disk.full = false
        try journal.append(grantC)
        #expect(contents().hasSuffix("\n" + grantC.checkedLine + "\n"))
        let (_, entries, skipped) = try LeaseJournalFile.open(in: directory, name: "leases")
        #expect(entries == [grantA, grantC], "the torn grant is not read, the next one is")
        #expect(skipped == 1)
    }

    @Test func aFailedSyncIsAFailedWrite() throws {
        var storage = LeaseJournalFile.Storage.system
        storage.sync = { _ in
            errno = EIO
            return -1
        }
        let (journal, _, _) = try LeaseJournalFile.open(in: directory, name: "leases", storage: storage)
        #expect(throws: SystemCallError.self) { try journal.append(grantA) }
        #expect(contents() == "")
    }

    @Test func compactionReplacesTheJournalThroughTheDirectory() throws {
        // A link planted where the temporary file goes is removed, never followed.
        let target = directoryPath + "/target"
        plantFile(target, "keep\n")
        symlink(target, directoryPath + "/leases.compact")
        let (journal, _, _) = try LeaseJournalFile.open(in: directory, name: "leases")
        for _ in 0..<5 { try journal.append(grantA) }
        try journal.compact(to: [grantB])
        try journal.append(grantA)
        #expect(contents() == grantB.checkedLine + "\n" + grantA.checkedLine + "\n")
        #expect(journal.entryCount == 2)
        #expect(BootRecorderTests.contents(target) == "keep\n")
        var status = stat()
        #expect(lstat(directoryPath + "/leases.compact", &status) != 0, "no temporary file is left")
    }

    func plantFile(_ path: String, _ text: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        _ = Array(text.utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }
}

@Suite struct LeaseJournalTests {
    let mac = MACAddress(2, 0, 0, 0, 0, 0x0a)
    let address = IPv4Address(10, 42, 0, 100)
    let leaseSeconds = 3600

    final class Clock: @unchecked Sendable {
        var nanoseconds: UInt64 = 1_000_000_000
    }

    func journal(_ clock: Clock) throws -> (LeaseJournal, String) {
        let path = try TemporaryDirectory.make(prefix: "bramble-server")
        let (file, entries, _) = try LeaseJournalFile.open(in: try DirectoryHandle.openState(path, owner: nil), name: "leases")
        return (LeaseJournal(file: file, entries: entries, leaseSeconds: leaseSeconds, clock: { clock.nanoseconds }), path + "/leases")
    }

    func grant(_ mac: MACAddress, _ address: IPv4Address, at now: Int64) -> LeaseJournalEntry {
        .grant(Lease(mac: mac, address: address, expires: now + Int64(leaseSeconds), hostname: nil))
    }

    @Test func aRenewalTheDiskAlreadyCoversIsNotWrittenAgain() throws {
        let clock = Clock()
        let (journal, path) = try journal(clock)
        #expect(journal.persist(grant(mac, address, at: 1000)) == .written)
        #expect(BootRecorderTests.contents(path)?.hasPrefix("grant 02:00:00:00:00:0a 10.42.0.100 \(1000 + 3600 + 1800) #") == true, "padded by half a lease")
        for second in stride(from: 1001, through: 2800, by: 9) {
            #expect(journal.persist(grant(mac, address, at: Int64(second))) == .alreadyOnDisk)
        }
        #expect(journal.entryCount == 1)
        #expect(journal.persist(grant(mac, address, at: 2801)) == .written, "past half a lease, the disk no longer covers the new expiry")
        #expect(journal.persist(grant(mac, IPv4Address(10, 42, 0, 101), at: 2802)) == .written, "another address is a change")
        #expect(journal.persist(.release(mac: mac, address: IPv4Address(10, 42, 0, 101))) == .written)
        #expect(journal.persist(grant(mac, IPv4Address(10, 42, 0, 101), at: 2803)) == .written, "released on disk: the grant is new")
    }

    @Test func newGrantsShareABudgetOfWrites() throws {
        let clock = Clock()
        let (journal, _) = try journal(clock)
        for index in 0..<LeaseJournal.burst {
            #expect(journal.persist(grant(MACAddress(2, 0, 0, 0, 1, UInt8(index)), IPv4Address(10, 42, 1, UInt8(index)), at: 1000)) == .written)
        }
        #expect(journal.persist(grant(MACAddress(2, 0, 0, 0, 2, 0), IPv4Address(10, 42, 2, 0), at: 1000)) == .refusedOverBudget)
        #expect(journal.persist(.release(mac: MACAddress(2, 0, 0, 0, 1, 0), address: IPv4Address(10, 42, 1, 0))) == .keptInMemoryOnly)
        #expect(journal.persist(grant(MACAddress(2, 0, 0, 0, 1, 1), IPv4Address(10, 42, 1, 1), at: 1001)) == .alreadyOnDisk, "renewals need no budget")
        clock.nanoseconds += 1_000_000_000
        for index in 0..<Int(LeaseJournal.writesPerSecond) {
            #expect(journal.persist(grant(MACAddress(2, 0, 0, 0, 2, UInt8(index)), IPv4Address(10, 42, 2, UInt8(index)), at: 1001)) == .written)
        }
        #expect(journal.persist(grant(MACAddress(2, 0, 0, 0, 3, 0), IPv4Address(10, 42, 3, 0), at: 1001)) == .refusedOverBudget)
        #expect(journal.entryCount == LeaseJournal.burst + Int(LeaseJournal.writesPerSecond))
    }

    @Test func aGrantThatWasNotWrittenIsRolledBack() {
        let subnet = IPv4Interface("10.42.0.250/24")!
        let map = try! NodeMap(parsing: "", fileName: "nodes", subnet: subnet.subnet)
        var responder = DHCPResponder(
            settings: DHCPResponderSettings(hub: subnet, domain: "cluster", leaseSeconds: 3600), nodeMap: map,
            pool: LeasePool(first: IPv4Address(10, 42, 0, 100), last: IPv4Address(10, 42, 0, 110), reserved: []))
        let old = Lease(mac: mac, address: address, expires: 5000, hostname: nil)
        let new = Lease(mac: mac, address: IPv4Address(10, 42, 0, 101), expires: 7600, hostname: nil)
        responder.restore([.grant(old), .grant(new)])
        LeaseJournal.rollBack(new, previous: old, now: 4000, in: &responder)
        #expect(responder.pool?.lease(for: mac) == old, "the previous, journalled lease is back")
        var pool = responder.pool!
        #expect(pool.grant(new.address, to: MACAddress(2, 0, 0, 0, 0, 0x0b), now: 4000, leaseSeconds: 3600, hostname: nil) != nil, "the new address is free again")

        let fresh = Lease(mac: MACAddress(2, 0, 0, 0, 0, 0x0c), address: IPv4Address(10, 42, 0, 105), expires: 7600, hostname: nil)
        responder.restore([.grant(fresh)])
        LeaseJournal.rollBack(fresh, previous: nil, now: 4000, in: &responder)
        #expect(responder.pool?.lease(for: fresh.mac) == nil, "a first grant leaves nothing behind")
    }
}
