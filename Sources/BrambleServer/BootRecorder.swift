import BrambleBoot
import BrambleControl
import BrambleDHCP
import BrambleNodeMap
import Logging

/// The consumer of the one boot-event stream: a timeline per node of the map (by ID), its
/// log file, the last few hundred records in memory for `bramble logs`, and the records
/// handed on to followers (`bramble logs --follow`, enrollment).
final class BootRecorder {
    /// Records kept per node for `history`; older ones are in the node's log file. A Pi's
    /// boot is 15-30 records, so this holds the last two or three boots; 256 kept about
    /// 13 MB for a 252-node map under DHCP load, more than the rest of the daemon's heap
    /// (and 64, before ``BootHistory`` packed them, 4.4 MB).
    static let historyLimit = 64

    private(set) var nodeMap: NodeMap
    private var timelines: [Int: NodeBootTimeline] = [:]
    private var history: [Int: BootHistory] = [:]
    /// The bootloader's netconsole lines, kept apart: a verbose bootloader sends hundreds a
    /// boot, which must not push the boot's DHCP and TFTP events out of ``history``.
    private var bootloaderHistory: [Int: BootHistory] = [:]
    private let logs: NodeLogDirectory?
    private let logger: Logger
    private var logFailing = false
    /// Every new record, after it is logged.
    var onRecord: ((BootLogRecord) -> Void)?
    /// Whether ``onRecord`` has anyone to hand a record to now (a client following the boot
    /// log): a record's line is made into a string only then. Always, unless the daemon says.
    var isFollowed: () -> Bool = { true }
    /// The log lines of the event being recorded, each ended by a newline: built here, in
    /// memory reused for every event, and written to the node's log from here.
    private var lines: [UInt8] = []
    /// Every boot that reached `up` while the daemon ran: first firmware DHCP to `up`.
    private(set) var bootDurations = DurationHistogram(upperBoundsMilliseconds: BootRecorder.bootDurationBoundsMilliseconds)

    /// Boot-duration buckets (ms): a Pi 4 or 5 on a quiet hub is up in 15 to 30 s, a Pi 3
    /// in about 45; minutes means retries.
    static let bootDurationBoundsMilliseconds: [Int64] = [5000, 10_000, 15_000, 20_000, 30_000, 45_000, 60_000, 90_000, 120_000, 180_000, 300_000, 600_000]

    init(nodeMap: NodeMap, logs: NodeLogDirectory?, logger: Logger) {
        self.nodeMap = nodeMap
        self.logs = logs
        self.logger = logger
    }

    /// Timelines stay with their IDs: a node renamed or re-enrolled keeps its boot so far.
    func replaceNodeMap(_ map: NodeMap) { nodeMap = map }

    /// One event of the node with this ID; events of IDs outside the map are not recorded.
    func record(_ kind: BootEvent.Kind, nodeID: Int, time: Int64) {
        guard let node = nodeMap.node(id: nodeID) else { return }
        lines.removeAll(keepingCapacity: true)
        let applied = apply(kind, to: node, time: time)
        write(node: node.name)
        guard let onRecord, isFollowed() else { return }
        onRecord(applied.record(line: String(decoding: lines[..<(lines.count - 1)], as: UTF8.self)))
    }

    /// A DHCP exchange of a node of the map, at `time` (read only for such a node): the
    /// spine's ``DHCPEventFanOut/Consumer/bootRecorder``.
    func record(_ event: DHCPEvent, time: @autoclosure () -> Int64) {
        guard let id = event.nodeID, let kind = BootEvent.Kind(event) else { return }
        record(kind, nodeID: id, time: time())
    }

    /// Several events of one node at one time (a netconsole datagram's lines): recorded as
    /// `record` does each, their log lines appended in one write instead of one per line.
    func record(_ kinds: [BootEvent.Kind], nodeID: Int, time: Int64) {
        guard let node = nodeMap.node(id: nodeID), !kinds.isEmpty else { return }
        lines.removeAll(keepingCapacity: true)
        var applied: [(event: Applied, end: Int)] = []
        applied.reserveCapacity(kinds.count)
        for kind in kinds { applied.append((apply(kind, to: node, time: time), lines.count)) }
        write(node: node.name)
        guard let onRecord, isFollowed() else { return }
        var start = 0
        for (event, end) in applied {
            onRecord(event.record(line: String(decoding: lines[start..<(end - 1)], as: UTF8.self)))
            start = end
        }
    }

    /// An event as applied to its node's timeline: its record but for the line.
    private struct Applied {
        let nodeID: Int
        let node: String
        let time: Int64
        let stage: BootStage
        let failure: Bool

        func record(line: String) -> BootLogRecord {
            BootLogRecord(nodeID: nodeID, node: node, time: time, stage: stage, failure: failure, line: line)
        }
    }

    /// The event applied to the node's timeline and kept in its history; its log line
    /// appended to ``lines``, with its newline.
    private func apply(_ kind: BootEvent.Kind, to node: NodeEntry, time: Int64) -> Applied {
        let nodeID = node.id
        // Mutated in place through the subscript: a copy taken out of the dictionary would
        // copy the timeline's arrays on every event.
        let wasUp = timelines[nodeID]?.stage == .up
        let failure = timelines[nodeID, default: NodeBootTimeline()].apply(BootEvent(time: time, kind: kind))
        let timeline = timelines[nodeID, default: NodeBootTimeline()]
        if !wasUp, let duration = timeline.bootDuration { bootDurations.observe(microseconds: duration &* 1000) }
        let text = kind.description
        BootLogLine.append(
            time: time, bootStarted: timeline.bootStarted, node: node.name, stage: timeline.stage, failure: failure != nil, text: text, to: &lines)
        lines.append(UInt8(ascii: "\n"))
        switch kind {
        case .bootloaderLog, .bootloaderLogDropped:
            bootloaderHistory[nodeID, default: BootHistory(limit: Self.historyLimit)].append(
                time: time, bootStarted: timeline.bootStarted, node: node.name, stage: timeline.stage, failure: failure != nil, text: text)
        default:
            history[nodeID, default: BootHistory(limit: Self.historyLimit)].append(
                time: time, bootStarted: timeline.bootStarted, node: node.name, stage: timeline.stage, failure: failure != nil, text: text)
        }
        return Applied(nodeID: nodeID, node: node.name, time: time, stage: timeline.stage, failure: failure != nil)
    }

    func timeline(ofNode id: Int) -> NodeBootTimeline { timelines[id] ?? NodeBootTimeline() }

    func status(now: Int64) -> StatusReport {
        StatusReport(
            now: now,
            nodes: nodeMap.nodes.map { node in
                NodeStatus(
                    id: node.id, name: node.name, ip: nodeMap.knownAddress(of: node).map(String.init(describing:)) ?? "-",
                    mac: node.mac.map(String.init(describing:)), timeline: timeline(ofNode: node.id))
            })
    }

    /// The node's recent events and bootloader lines, in the order they were recorded.
    func history(of node: NodeEntry) -> NodeHistory {
        let events = history[node.id]?.records(nodeID: node.id) ?? []
        guard let bootloader = bootloaderHistory[node.id]?.records(nodeID: node.id), !bootloader.isEmpty else {
            return NodeHistory(nodeID: node.id, node: node.name, records: events)
        }
        var merged: [BootLogRecord] = []
        merged.reserveCapacity(events.count + bootloader.count)
        var (event, line) = (events.startIndex, bootloader.startIndex)
        while event < events.endIndex || line < bootloader.endIndex {
            if line == bootloader.endIndex || (event < events.endIndex && events[event].time <= bootloader[line].time) {
                merged.append(events[event])
                event += 1
            } else {
                merged.append(bootloader[line])
                line += 1
            }
        }
        return NodeHistory(nodeID: node.id, node: node.name, records: merged)
    }

    /// ``lines`` appended to the node's log in one write. A log that cannot be written is
    /// reported once, when it starts failing, not per line.
    private func write(node: String) {
        guard let logs else { return }
        let written: Result<Void, UnsafeFileError> = lines.withUnsafeBytes { lines in
            do throws(UnsafeFileError) {
                return .success(try logs.append(lines: lines, toNode: node))
            } catch {
                return .failure(error)
            }
        }
        switch written {
        case .success:
            if logFailing { logger.notice("boot logs in \(logs.path) are written again") }
            logFailing = false
        case .failure(let error):
            if !logFailing { logger.error("cannot write the boot log of \(node): \(error)") }
            logFailing = true
        }
    }
}
