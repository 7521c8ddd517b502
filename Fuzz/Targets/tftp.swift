import BrambleNodeMap
import BrambleTFTP
import BrambleWire

/// `tftp`: the input decoded as one TFTP packet and round-tripped through the encoder; then
/// the same bytes read as a script that negotiates options and drives a `TFTPTransfer` with
/// ACKs (in order, repeated, stale, wild), ERRORs, stray packets and timer firings (on time
/// and early), followed by a client that goes silent.
///
/// Invariants: a decoded packet encodes and decodes to itself (an ERROR whose text is over
/// its bound to a prefix of it, marked "..."); every DATA block is inside
/// the file, of the negotiated size (the last one shorter), numbered modulo 65536; no block
/// is sent twice between two retransmission rounds; a running transfer always has a timer
/// armed, never in the past; a transfer ends exactly once and says nothing after; a finished
/// transfer sent the whole file; once the client is silent the transfer ends within the
/// policy's retransmissions. A read request's file name is resolved in a boot tree, for a
/// known node, a stranger and a Pi 5: every path the resolver asks the tree about, and the
/// path it resolves to, stays inside the tree (relative, no `..`, no empty component).
/// The same bytes go to the server core (`TFTPServer`) as a datagram to port 69 from a node
/// and from a stranger: a refusal is one ERROR packet within its bound, an admitted request
/// names a file of the tree, the same bytes sent to the running transfer change nothing
/// they must not, and once its client is silent the transfer leaves the table.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTFTP(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    if let packet = try? TFTPPacket(decoding: bytes) {
        // A decoded packet came from at most a datagram's bytes: it fits one again.
        guard let encoded = try? packet.encoded() else {
            invariant(false, "\(packet) does not encode: \(hexText(bytes))")
            return 0
        }
        let again = try? TFTPPacket(decoding: encoded)
        if case .error(let code, let message) = packet, message.utf8.count > TFTPPacket.maximumErrorMessageLength {
            // An ERROR's text is cut to its bound at a character boundary, marked "...".
            invariant(encoded.count <= 4 + TFTPPacket.maximumErrorMessageLength + 1, "an ERROR of \(encoded.count) bytes: \(hexText(bytes))")
            guard case .error(let againCode, let againMessage)? = again else {
                invariant(false, "a cut ERROR does not decode: \(hexText(encoded))")
                return 0
            }
            invariant(againCode == code && againMessage.hasSuffix("...") && Array(message.utf8).starts(with: againMessage.utf8.dropLast(3)),
                      "a cut ERROR is not a prefix of the message: \(hexText(bytes))")
        } else {
            invariant(again == packet, "\(packet) does not survive encode/decode: \(hexText(bytes))")
        }
        if case .readRequest(let request) = packet { resolve(request.fileName) }
    }
    serve(bytes)
    var driver = TransferDriver(script: FuzzReader(bytes))
    driver.run()
    return 0
}

private let nodeMap = try! NodeMap(
    parsing: "5 b8:27:eb:00:00:05 web05 serial=9dc15a37\n", fileName: "nodes", subnet: IPv4Interface("10.42.0.250/24")!.subnet)

/// A boot tree that holds a few files and remembers every path it was asked about.
private final class RecordingBootTree: TFTPBootTree {
    static let files: Set<String> = [
        "bootcode.bin", "start.elf", "config.txt", "cmdline.txt.tmpl", "nodes/web05/config.txt", "9dc15a37/start4.elf",
    ]
    static let directories: Set<String> = ["nodes", "nodes/web05", "9dc15a37"]
    var asked: [String] = []

    func entry(at relativePath: String) -> TFTPBootTreeEntry {
        asked.append(relativePath)
        if Self.files.contains(relativePath) { return .file }
        return Self.directories.contains(relativePath) ? .directory : .missing
    }
}

private func resolve(_ fileName: String) {
    let resolver = TFTPPathResolver(nodeMap: nodeMap)
    // The Pi 5 client takes the doubled-slash and config.txt/device-tree probe paths.
    let clients = [
        TFTPClient(node: nodeMap.nodes.first, serial: "9dc15a37"), TFTPClient(),
        TFTPClient(node: nodeMap.nodes.first, serial: "9dc15a37", bootloaderGeneration: 5),
    ]
    for client in clients {
        let tree = RecordingBootTree()
        let resolved = try? resolver.resolve(fileName, for: client, in: tree)
        for path in tree.asked + (resolved.map { [$0.path] } ?? []) + resolver.searchedPaths(fileName, for: client) {
            let components = path.split(separator: "/", omittingEmptySubsequences: false)
            invariant(!path.isEmpty && !components.contains("..") && !components.contains(""),
                      "request for \(String(reflecting: fileName)) reaches \(String(reflecting: path))")
        }
    }
}

/// The fuzz tree as the server sees it: `start.elf` exists and cannot be opened.
private struct ServedTree: TFTPServedTree {
    func entry(at relativePath: String) -> TFTPBootTreeEntry {
        if RecordingBootTree.files.contains(relativePath) { return .file }
        return RecordingBootTree.directories.contains(relativePath) ? .directory : .missing
    }

    func open(_ relativePath: String) -> TFTPBootFileOpening {
        relativePath == "start.elf" ? .denied(reason: "permission denied") : .opened(Array(relativePath.utf8))
    }
}

private func serve(_ bytes: [UInt8]) {
    var server = TFTPServer(
        tree: ServedTree(), nodeMap: nodeMap,
        settings: TFTPServer.Settings(
            hub: IPv4Address(10, 42, 0, 250), defaultRoot: "10.42.0.250:/pxe/root", admission: TFTPAdmission(total: 4, perClient: 2),
            limits: TFTPServerLimits(interfaceMTU: 1500))
    ) { _ in RaspberryPiDHCPReport(serial: "9dc15a37") }
    var now = MonotonicInstant(nanoseconds: 1_000_000_000)
    for address in [IPv4Address(10, 42, 0, 5), IPv4Address(10, 42, 0, 99)] {
        let id = TFTPTransferID(address: address, port: 2000)
        switch server.request(bytes[...], from: id, at: now) {
        case .ignored:
            continue
        case .refused(let refusal):
            guard case .error(_, let message)? = try? TFTPPacket(decoding: refusal.payload) else {
                invariant(false, "a refusal is no ERROR packet: \(hexText(bytes))")
                return
            }
            invariant(message.utf8.count <= TFTPPacket.maximumErrorMessageLength, "an ERROR of \(message.utf8.count) bytes of text")
        case .admitted(let start):
            invariant(ServedTree().entry(at: start.resolved.path) == .file, "admitted \(start.resolved.path), no file of the tree")
            _ = server.begin(start, at: now)
            invariant(server.transfers[id] != nil, "an admitted transfer is not in the table")
            _ = try? server.received(bytes[...], from: id, at: now)
            var firings = 0
            while let (next, deadline) = server.nextDeadline {
                firings += 1
                invariant(firings <= 16, "a silent client keeps the server's transfer alive")
                now = max(now, deadline)
                _ = server.timerFired(next, at: now)
            }
            invariant(server.activeTransfers == 0, "a transfer that ended is still in the table")
        }
    }
}

private struct TransferDriver {
    var script: FuzzReader
    let file: [UInt8]
    var transfer: TFTPTransfer
    var now = MonotonicInstant(nanoseconds: 1_000_000_000)
    var deadline: MonotonicInstant?
    var ended = false
    var highestSent = 0
    var sentThisRound: Set<Int> = []
    let policy = TFTPRetransmissionPolicy()

    init(script: FuzzReader) {
        self.script = script
        let flags = self.script.byte()
        file = (0..<(Int(self.script.uint16()) % 12_000)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var requested = TFTPOptions()
        if flags & 1 != 0 { requested.append("blksize", String(self.script.uint16())) }
        if flags & 2 != 0 { requested.append("windowsize", String(self.script.byte())) }
        if flags & 4 != 0 { requested.append("timeout", String(self.script.byte())) }
        if flags & 8 != 0 { requested.append("tsize", "0") }
        if flags & 16 != 0 { requested.append("BLKSIZE", "1428") }
        let parameters = TFTPOptionNegotiation.negotiate(
            requested, transferSize: file.count, limits: TFTPServerLimits(interfaceMTU: 1500, maximumWindowSize: 16))
        invariant(TFTPOptionNegotiation.blockSizeRange.contains(parameters.blockSize), "negotiated block size \(parameters.blockSize)")
        invariant((1...16).contains(parameters.windowSize), "negotiated window size \(parameters.windowSize) over the limit")
        transfer = TFTPTransfer(contents: file, parameters: parameters, policy: policy)
    }

    mutating func run() {
        take(transfer.start(now: now), newRound: true)
        var steps = 0
        while !script.isAtEnd, steps < 4096 {
            steps += 1
            let operation = script.byte()
            switch operation % 7 {
            case 0: receive(.acknowledgement(block: UInt16(truncatingIfNeeded: highestSent)))
            case 1: receive(.acknowledgement(block: UInt16(truncatingIfNeeded: highestSent - Int(script.byte() % 8))))
            case 2: receive(.acknowledgement(block: script.uint16()))
            case 3: fire(at: deadline ?? now)
            case 4: fire(at: now + .milliseconds(Int(script.byte())))
            case 5: receive(.error(TFTPErrorCode(rawValue: UInt16(script.byte() % 9)), message: "Early terminate"))
            default:
                let stray: [TFTPPacket] = [
                    .data(block: 1, payload: [1, 2, 3]), .readRequest(TFTPRequest(fileName: "bootcode.bin")),
                    .optionAcknowledgement([TFTPOption("blksize", "512")]), .acknowledgement(block: 0),
                ]
                receive(stray[Int(script.byte()) % stray.count])
            }
        }
        // The client goes silent: the transfer must give up on its own.
        var firings = 0
        while !ended {
            guard let deadline else {
                invariant(false, "a running transfer has no timer armed: it would never end")
                return
            }
            firings += 1
            invariant(firings <= policy.maximumRetransmissions + 2, "a silent client keeps the transfer alive past \(firings) timeouts")
            fire(at: deadline)
        }
    }

    private mutating func receive(_ packet: TFTPPacket) {
        take(transfer.received(packet, now: now), newRound: false)
    }

    private mutating func fire(at instant: MonotonicInstant) {
        now = max(now, instant)
        take(transfer.timerFired(now: now), newRound: true)
    }

    private mutating func take(_ actions: TFTPTransfer.Actions, newRound: Bool) {
        if ended {
            invariant(actions.isEmpty, "an ended transfer still acts: \(Array(actions))")
            return
        }
        if newRound && !actions.blocks.isEmpty { sentThisRound = [] }
        for index in actions.blocks {
            invariant(index >= 1 && index <= transfer.blockCount, "block \(index) of \(transfer.blockCount)")
            invariant(sentThisRound.insert(index).inserted, "block \(index) sent twice in one round")
            let block = actions.block(index)
            invariant(block.number == UInt16(truncatingIfNeeded: index), "block \(index) numbered \(block.number)")
            invariant(block.range.lowerBound >= 0 && block.range.upperBound <= file.count, "block \(index) reads \(block.range) of \(file.count) bytes")
            let isLast = index == transfer.blockCount
            invariant(isLast ? block.range.count < transfer.parameters.blockSize : block.range.count == transfer.parameters.blockSize,
                      "block \(index) of \(block.range.count) bytes, block size \(transfer.parameters.blockSize)")
            let packet: [UInt8]
            do {
                packet = try transfer.dataPacket(block)
            } catch {
                invariant(false, "block \(index) of an in-memory file could not be read: \(error)")
                return
            }
            invariant(Array(packet.dropFirst(4)) == Array(file[block.range]), "block \(index) carries the wrong bytes")
            highestSent = max(highestSent, index)
        }
        if let armed = actions.deadline {
            invariant(armed >= now, "timer armed in the past")
            deadline = armed
        }
        if let ending = actions.ending {
            ended = true
            invariant(transfer.hasEnded, "an ending action while the transfer runs on")
            invariant(actions.deadline == nil && actions.blocks.isEmpty, "an ending with more to send")
            if case .finished(let summary) = ending {
                invariant(summary.bytes == file.count && summary.blocks == transfer.blockCount && highestSent == transfer.blockCount,
                          "finished without sending the whole file: \(summary)")
            }
        } else {
            invariant(!transfer.hasEnded, "the transfer ended without saying so")
        }
    }
}
