import BrambleBoot
import BrambleControl
@testable import BrambleDHCP
import BrambleDNS
import BrambleNodeMap
@testable import BrambleServer
import BrambleTFTP
import BrambleWire
import Logging
import Testing

/// The counting cores behind `counters`: what each service adds for what it saw.
@Suite struct DaemonCountingTests {
    func event(_ received: DHCPMessageType, _ outcome: DHCPEvent.Outcome) -> DHCPEvent {
        DHCPEvent(
            mac: MACAddress("b8:27:eb:00:00:05")!, nodeID: 5, nodeName: "node05", received: received, client: .pi3BBootROM,
            serial: nil, relay: nil, outcome: outcome)
    }

    @Test func dhcpCountsMessagesByTypeRepliesAndIgnoredRequestsByReason() {
        var tally = DHCPTally()
        for type in [DHCPMessageType.discover, .discover, .request, nil] { tally.countReceived(type) }
        tally.countMalformed()
        tally.count(event(.discover, .replied(.offer, address: IPv4Address(10, 42, 0, 5))))
        tally.countReply(.offer)
        tally.countReply(.ack)
        tally.count(event(.discover, .ignored(.unknownMAC)))
        tally.count(event(.discover, .ignored(.disabledNode)))
        tally.count(event(.request, .ignored(.addressingLeftToNetwork)))
        tally.count(event(.request, .ignored(.foreignRelay(IPv4Address(192, 168, 1, 1)))))
        tally.count(event(.request, .ignored(.foreignRelay(IPv4Address(192, 168, 1, 2)))))
        tally.countIgnored(.leaseNotSaved)
        let snapshot = tally.snapshot(pool: PoolCounters(total: 10, assigned: 1, declined: 0))
        #expect(snapshot.received == ["none": 1, "discover": 2, "offer": 0, "request": 1, "decline": 0, "ack": 0, "nak": 0, "release": 0, "inform": 0])
        #expect(snapshot.malformed == 1)
        #expect(snapshot.replies["offer"] == 1 && snapshot.replies["ack"] == 1 && snapshot.replies.values.reduce(0, +) == 2)
        #expect(snapshot.ignored["unknown_mac"] == 1 && snapshot.ignored["disabled"] == 1 && snapshot.ignored["not_boot_client"] == 1)
        #expect(snapshot.ignored["foreign_relay"] == 2, "one series per reason, whatever address it names")
        #expect(snapshot.ignored["lease_not_saved"] == 1 && snapshot.ignored.count == DHCPTally.IgnoredLabel.allCases.count)
        #expect(snapshot.pool == PoolCounters(total: 10, assigned: 1, declined: 0))
    }

    @Test func aDeclinedAddressIsCountedWhileItIsHeldOut() {
        var pool = LeasePool(first: IPv4Address(10, 42, 0, 100), last: IPv4Address(10, 42, 0, 109), reserved: [])
        let mac = MACAddress("02:00:00:00:00:01")!
        let offered = pool.offer(to: mac, requested: nil, now: 1000)!
        #expect(pool.declinedAddressCount(now: 1000) == 0)
        _ = pool.decline(offered, from: mac, now: 1000)
        #expect(pool.declinedAddressCount(now: 1000) == 1)
        #expect(pool.declinedAddressCount(now: 1000 + pool.declineHoldSeconds) == 0)
    }

    @Test func tftpCountsEveryEndAndTheBytesAndDurationOfDeliveredFiles() {
        var tally = TFTPTally()
        let summary = TFTPTransferSummary(bytes: 52_480, blocks: 103, duration: .milliseconds(41), retransmits: 0, blockSize: 512, windowSize: 1)
        tally.count(ended: .finished(summary))
        tally.count(ended: .finished(TFTPTransferSummary(bytes: 100, blocks: 1, duration: .microseconds(2500), retransmits: 0, blockSize: 512, windowSize: 1)))
        tally.count(ended: .probeEnded(.endedEarly(message: "tsize")))
        tally.count(ended: .probeEnded(.wentSilent(acknowledgedBlocks: 1)))
        tally.count(ended: .failed(.timedOut(lastAcknowledgedBlock: 3)))
        tally.count(ended: .failed(.noProgress(lastAcknowledgedBlock: 3, for: .seconds(30))))
        tally.count(ended: .failed(.clientError(.diskFull, message: "x")))
        tally.count(TFTPTally.Result(TFTPPathRefusal.notFound(isRoutine: true)))
        tally.count(TFTPTally.Result(TFTPPathRefusal.templateNeedsKnownNode(templatePath: "cmdline.txt")))
        tally.count(TFTPTally.Result(TFTPPathRefusal.isDirectory))
        tally.count(.refusedBusy)
        let snapshot = tally.snapshot(inFlight: 3)
        #expect(snapshot.transfers["sent"] == 2 && snapshot.transfers["early_terminate"] == 1 && snapshot.transfers["abandoned"] == 1)
        #expect(snapshot.transfers["timed_out"] == 2 && snapshot.transfers["client_error"] == 1 && snapshot.transfers["refused_busy"] == 1)
        #expect(snapshot.transfers["not_found"] == 2 && snapshot.transfers["access_violation"] == 1)
        #expect(snapshot.transfers.values.reduce(0, +) == 11 && snapshot.transfers.count == TFTPTally.Result.allCases.count)
        #expect(snapshot.bytesSent == 52_580 && snapshot.inFlight == 3)
        #expect(snapshot.duration.count == 2 && snapshot.duration.sumMicroseconds == 43_500)
        #expect(snapshot.duration.counts[0] == 1 && snapshot.duration.counts[3] == 1, "2.5 ms in the 5 ms bucket, 41 ms in the 50 ms one")
    }

    @Test func dnsCountsAnswersBySourceAndCodeAndUpstreamLatency() {
        var tally = DNSTally()
        tally.count(.zone, code: .noError)
        tally.count(.zone, code: .nameError)
        tally.count(.local, code: .badVersion)
        tally.count(.cache, code: .serverFailure)
        tally.count(.cache, code: DNSResponseCode(rawValue: 0xfff))
        tally.observeUpstream(.milliseconds(3))
        let snapshot = tally.snapshot(queries: 9, cacheEntries: 4)
        #expect(snapshot.answers["zone"]?["noerror"] == 1 && snapshot.answers["zone"]?["nxdomain"] == 1)
        #expect(snapshot.answers["local"]?["other"] == 1)
        #expect(snapshot.answers["cache"]?["servfail"] == 1 && snapshot.answers["cache"]?["other"] == 1)
        #expect(snapshot.answers["upstream"]?.values.reduce(0, +) == 0 && snapshot.answers.count == 4)
        #expect(snapshot.queries == 9 && snapshot.cacheEntries == 4)
        #expect(snapshot.upstreamLatency.count == 1 && snapshot.upstreamLatency.sumMicroseconds == 3000)
    }

    @Test func theLoopCountsHowLateItsTimersRan() throws {
        let clock = EventLoopTests.ManualClock()
        let loop = try EventLoop(clock: { clock.now })
        loop.schedule(afterMilliseconds: 10) {}
        loop.schedule(afterMilliseconds: 20) {}
        clock.advance(milliseconds: 60)
        loop.schedule(afterMilliseconds: 0) { loop.stop() }
        try loop.run()
        #expect(loop.timerLag.count == 3)
        #expect(loop.timerLag.sumMicroseconds == 50_000 + 40_000 + 0)
        #expect(loop.maximumTimerLagMicroseconds == 50_000)
    }

    @Test func aBootThatReachesUpIsCountedOnce() throws {
        let map = try NodeMap(parsing: "5 b8:27:eb:00:00:05\n", fileName: "nodes", subnet: IPv4Interface("10.42.0.250/24")!.subnet)
        let recorder = BootRecorder(nodeMap: map, logs: nil, logger: Logger(label: "test"))
        let discover = BootEvent.Kind.dhcp(
            BootEvent.DHCPExchange(message: .discover, answer: .offer, firmware: true, transactionID: 1, client: "Pi 3B ROM", address: "10.42.0.5"))
        recorder.record(discover, nodeID: 5, time: 1_000_000)
        recorder.record(BootEvent.Kind.transferFinished(file: "start.elf", bytes: 10, milliseconds: 5, retransmits: 0), nodeID: 5, time: 1_005_000)
        #expect(recorder.bootDurations.count == 0)
        recorder.record(BootEvent.Kind.firstDNSQuery, nodeID: 5, time: 1_021_000)
        recorder.record(BootEvent.Kind.firstDNSQuery, nodeID: 5, time: 1_030_000)
        #expect(recorder.bootDurations.count == 1 && recorder.bootDurations.sumMicroseconds == 21_000_000)
        #expect(recorder.status(now: 1_040_000).nodes.first?.lastSeen == 1_030_000)
    }

    @Test func processUsageReadsThisProcess() {
        let usage = ProcessUsage.read()
        #expect(usage.cpuUserSeconds + usage.cpuSystemSeconds > 0)
        #expect((usage.residentBytes ?? 0) > 1_000_000 && (usage.anonymousResidentBytes ?? 0) > 0)
        #expect((usage.openDescriptors ?? 0) >= 3)
    }
}
