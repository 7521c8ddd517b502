import BrambleDHCP
@testable import BrambleServer
import BrambleWire
import Glibc
import Testing

@Suite struct LeaseJournalFileTests {
    let path: String
    let grantA = LeaseJournalEntry.grant(Lease(mac: MACAddress(2, 0, 0, 0, 0, 0x0a), address: IPv4Address(10, 42, 0, 100), expires: 1_900_000_000, hostname: "a"))
    let grantB = LeaseJournalEntry.grant(Lease(mac: MACAddress(2, 0, 0, 0, 0, 0x0b), address: IPv4Address(10, 42, 0, 101), expires: 1_900_000_000, hostname: nil))

    init() {
        path = "/tmp/bramble-journal-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    }

    func contents() -> String {
        guard let file = fopen(path, "r") else { return "" }
        defer { fclose(file) }
        var text = ""
        var buffer = [CChar](repeating: 0, count: 512)
        while fgets(&buffer, 512, file) != nil { text += String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) }
        return text
    }

    @Test func appendedEntriesAreReadBack() throws {
        defer { unlink(path) }
        do {
            let (journal, entries) = try LeaseJournalFile.open(path)
            #expect(entries.isEmpty)
            try journal.append(grantA)
            try journal.append(grantB)
        }
        let (_, entries) = try LeaseJournalFile.open(path)
        #expect(entries == [grantA, grantB])
    }

    @Test func aTornLastLineIsCutSoTheNextEntryIsIntact() throws {
        defer { unlink(path) }
        let file = fopen(path, "w")
        fputs(grantA.line + "\ngrant 02:00:00:00:00:0b 10.42", file)  // the crash happened here
        fclose(file)
        let (journal, entries) = try LeaseJournalFile.open(path)
        #expect(entries == [grantA])
        try journal.append(grantB)
        #expect(contents() == grantA.line + "\n" + grantB.line + "\n")
    }

    @Test func compactionReplacesTheJournal() throws {
        defer { unlink(path) }
        let (journal, _) = try LeaseJournalFile.open(path)
        for _ in 0..<5 { try journal.append(grantA) }
        try journal.compact(to: [grantB])
        try journal.append(grantA)
        #expect(contents() == grantB.line + "\n" + grantA.line + "\n")
        #expect(journal.entryCount == 2)
    }
}
