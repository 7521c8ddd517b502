import BrambleBoot
import BrambleControl
@testable import BrambleServer
import Testing

@Suite struct BootHistoryTests {
    /// An event's fields, as BootRecorder hands them to the history and to BootLogLine.
    struct Event {
        var time: Int64
        var bootStarted: Int64?
        var node = "node05"
        var stage = BootStage.firmware
        var failure = false
        var text = "TFTP bootcode.bin started"

        var record: BootLogRecord {
            BootLogRecord(
                nodeID: 5, node: node, time: time, stage: stage, failure: failure,
                line: BootLogLine.format(time: time, bootStarted: bootStarted, node: node, stage: stage, failure: failure, text: text))
        }
    }

    static func append(_ event: Event, to history: inout BootHistory) {
        history.append(time: event.time, bootStarted: event.bootStarted, node: event.node, stage: event.stage, failure: event.failure, text: event.text)
    }

    @Test func recordsComeBackAsTheRecorderMadeThemFieldByField() {
        var history = BootHistory(limit: 64)
        let events = [
            Event(time: 1_700_000_000_000, bootStarted: nil, stage: .romDHCP, text: "DHCPDISCOVER (Pi 3B ROM) -> OFFER 10.42.0.5"),
            Event(time: 1_700_000_000_250, bootStarted: 1_700_000_000_000, node: "bäy-7", stage: .kernel, failure: true, text: "ünïcode ✓ \u{1b}[31m"),
            Event(time: 1_700_000_000_300, bootStarted: 1_700_000_000_000, text: ""),
            Event(time: 1_700_000_001_000, bootStarted: 1_700_000_000_000, stage: .up, text: String(repeating: "x", count: 70_000)),
            Event(time: -1, bootStarted: -5, stage: .waiting, text: "before the epoch"),
        ]
        for event in events { Self.append(event, to: &history) }
        #expect(history.count == events.count)
        #expect(history.records(nodeID: 5) == events.map(\.record))
    }

    @Test func aFullHistoryDropsItsOldestQuarterAndKeepsTheNewest() {
        var history = BootHistory(limit: 64)
        for index in 0..<1000 { Self.append(Event(time: Int64(index), bootStarted: 0, text: "event \(index)"), to: &history) }
        let records = history.records(nodeID: 5)
        #expect(records.count == history.count && records.count <= 64 && records.count > 48)
        #expect(records.map(\.time) == (1000 - records.count..<1000).map { Int64($0) }, "the newest, in order")
        #expect(records.last == Event(time: 999, bootStarted: 0, text: "event 999").record)
    }

    /// The point of the packing: a full history of 64 DHCP records stays within about their
    /// texts' bytes, where ``BootLogRecord`` values took about 270 bytes a record.
    @Test func aFullHistoryCostsAboutItsTextsBytes() {
        var history = BootHistory(limit: 64)
        let event = Event(time: 1_700_000_000_000, bootStarted: 1_700_000_000_000, text: "DHCPREQUEST (DHCP client, via 10.42.0.200) -> ACK 10.42.0.105")
        for _ in 0..<10_000 { Self.append(event, to: &history) }
        let recordBytes = 8 + 8 + 1 + 1 + 1 + event.node.utf8.count + 4 + event.text.utf8.count
        #expect(history.allocatedBytes >= 48 * recordBytes)
        #expect(history.allocatedBytes <= 64 * recordBytes * 5 / 4 + 64, "\(history.allocatedBytes) bytes for 64 records of \(recordBytes)")
        #expect(history.allocatedBytes < 64 * 120, "under 120 bytes a record (BootLogRecord values: about 270)")
    }
}
