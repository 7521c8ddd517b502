import BrambleControl
import Testing

/// Protocol 2: `hello`, `counters`, and what stays compatible with protocol-1 clients.
@Suite struct ControlProtocolVersionTests {
    func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    static func sampleCounters() -> DaemonCounters {
        var duration = DurationHistogram(upperBoundsMilliseconds: [10, 100])
        duration.observe(microseconds: 5_000)
        duration.observe(microseconds: 250_000)
        return DaemonCounters(
            time: 1_700_000_000_000,
            dhcp: DHCPCounters(received: ["discover": 3, "request": 2], malformed: 1, replies: ["offer": 3, "ack": 2], ignored: ["unknown_mac": 4], pool: PoolCounters(total: 50, assigned: 2, declined: 1)),
            tftp: TFTPCounters(transfers: ["sent": 9, "not_found": 2], bytesSent: 123_456, duration: duration, inFlight: 1),
            dns: DNSCounters(answers: ["zone": ["noerror": 5]], queries: 6, upstreamLatency: DurationHistogram(upperBoundsMilliseconds: [1]), cacheEntries: 0),
            boot: BootCounters(duration: DurationHistogram(upperBoundsMilliseconds: [30_000])),
            process: ProcessCounters(
                cpuUserSeconds: 0.25, cpuSystemSeconds: 0.5, residentBytes: 9_000_000, anonymousResidentBytes: nil, openDescriptors: 12,
                maximumDescriptors: 1024, startTime: 1_699_999_000_000, eventLoopLag: DurationHistogram(upperBoundsMilliseconds: [1, 5]),
                eventLoopLagMaximumMicroseconds: 800))
    }

    @Test func helloAndCountersRoundTripAsOneLineEach() throws {
        for response in [ControlResponse(hello: ControlHello(version: "0.1.0 (git abc)")), ControlResponse(counters: Self.sampleCounters())] {
            let line = try ControlLine.encode(response)
            #expect(line.last == UInt8(ascii: "\n") && line.dropLast().allSatisfy { $0 != UInt8(ascii: "\n") })
            #expect(try ControlLine.decode(ControlResponse.self, from: line.dropLast()) == response)
        }
        #expect(text(try ControlLine.encode(ControlHello(version: "v"))) == #"{"commands":["hello","status","history","reload","follow","discoveries","counters"],"protocol":2,"version":"v"}"# + "\n")
        for command in [ControlRequest.Command.hello, .counters] {
            #expect(try ControlLine.decode(ControlRequest.self, from: ControlLine.encode(ControlRequest(command: command)).dropLast()) == ControlRequest(command: command))
        }
    }

    @Test func protocolOneLinesStillDecode() throws {
        // What a protocol-1 client sends and what a protocol-1 daemon answered: unchanged.
        #expect(try ControlLine.decode(ControlRequest.self, from: Array(#"{"command":"history","node":"node05"}"#.utf8)) == ControlRequest(command: .history, node: "node05"))
        #expect(try ControlLine.decode(ControlResponse.self, from: Array(#"{"message":"reloaded"}"#.utf8)) == ControlResponse(message: "reloaded"))
        let oldRow = #"{"id":1,"name":"n","ip":"10.42.0.1","mac":null,"stage":"up","stageSince":5,"bootStarted":1,"bootMilliseconds":4,"reboots":0,"lastError":null,"model":null}"#
        #expect(try ControlLine.decode(NodeStatus.self, from: Array(oldRow.utf8)).lastSeen == nil)
        // A newer client's extra fields reach this daemon harmlessly.
        #expect(try ControlLine.decode(ControlRequest.self, from: Array(#"{"command":"status","protocol":3,"since":7}"#.utf8)) == ControlRequest(command: .status))
    }

    @Test func anUnknownCommandIsATypedErrorNamingTheKnownOnes() {
        #expect(throws: UnknownControlCommand(name: "explode")) { try ControlLine.decode(ControlRequest.self, from: Array(#"{"command":"explode"}"#.utf8)) }
        let long = String(repeating: "x", count: 1000)
        #expect(throws: UnknownControlCommand(name: String(repeating: "x", count: 64))) { try ControlLine.decode(ControlRequest.self, from: Array("{\"command\":\"\(long)\"}".utf8)) }
        #expect(UnknownControlCommand(name: "subscribe").description == #"unknown command "subscribe": protocol 2 knows hello, status, history, reload, follow, discoveries, counters"#)
        // Not a string, or missing: the ordinary decoding error, not an unknown command.
        #expect(throws: DecodingError.self) { try ControlLine.decode(ControlRequest.self, from: Array(#"{"command":5}"#.utf8)) }
        #expect(throws: DecodingError.self) { try ControlLine.decode(ControlRequest.self, from: Array(#"{"node":"5"}"#.utf8)) }
    }

    @Test func aHistogramCountsIntoTheFirstBucketAtLeastTheValue() {
        var histogram = DurationHistogram(upperBoundsMicroseconds: [100, 10, 10])
        #expect(histogram.upperBoundsMicroseconds == [10, 100], "sorted, deduplicated")
        for value: Int64 in [-5, 10, 11, 100, 101, 1_000_000] { histogram.observe(microseconds: value) }
        #expect(histogram.counts == [2, 2, 2])
        #expect(histogram.count == 6 && histogram.sumMicroseconds == 0 + 10 + 11 + 100 + 101 + 1_000_000)
    }

    @Test func aHistogramOfTheWrongShapeDoesNotDecode() throws {
        let shapes = [
            #"{"upperBoundsMicroseconds":[10,5],"counts":[0,0,0],"sumMicroseconds":0}"#,
            #"{"upperBoundsMicroseconds":[10,10],"counts":[0,0,0],"sumMicroseconds":0}"#,
            #"{"upperBoundsMicroseconds":[10],"counts":[0],"sumMicroseconds":0}"#,
            #"{"upperBoundsMicroseconds":[10],"counts":[0,-1],"sumMicroseconds":0}"#,
            #"{"upperBoundsMicroseconds":[10],"counts":[0,1],"sumMicroseconds":-1}"#,
        ]
        for shape in shapes {
            #expect(throws: DecodingError.self, "\(shape)") { try ControlLine.decode(DurationHistogram.self, from: Array(shape.utf8)) }
        }
        let valid = #"{"counts":[1,0],"sumMicroseconds":3,"upperBoundsMicroseconds":[10]}"#
        #expect(text(try ControlLine.encode(try ControlLine.decode(DurationHistogram.self, from: Array(valid.utf8)))) == valid + "\n")
    }
}
