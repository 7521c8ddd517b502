@testable import BrambleServer
import BrambleTestSupport
import BrambleWire
import Glibc
import Logging
import Synchronization
import Testing

@Suite struct LineLogHandlerTests {
    /// A pipe whose read end the test holds.
    final class Pipe {
        let read: Int32
        let write: Int32

        init() {
            var ends: [Int32] = [0, 0]
            pipe(&ends)
            read = ends[0]
            write = ends[1]
        }

        deinit {
            close(read)
            close(write)
        }

        /// Everything in the pipe now.
        func drain() -> String {
            let flags = fcntl(read, F_GETFL)
            _ = fcntl(read, F_SETFL, flags | O_NONBLOCK)
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = Glibc.read(read, &buffer, buffer.count)
                if count <= 0 { break }
                bytes += buffer[0..<count]
            }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    final class TestClock: Sendable {
        let nanoseconds = Mutex<UInt64>(1_000_000_000)
        func advance(seconds: Double) { nanoseconds.withLock { $0 += UInt64(seconds * 1e9) } }
        func now() -> UInt64 { nanoseconds.withLock { $0 } }
    }

    let handler = LineLogHandler(label: "bramble", level: .info, sink: .standardError)

    func format(_ message: String, _ metadata: Logger.Metadata = [:]) -> String {
        handler.format(level: .info, message: message, metadata: metadata, time: "T")
    }

    @Test func clientTextCannotForgeALineOrDriveATerminal() {
        #expect(format("TFTP read of \"a\nT error bramble: forged\" refused") == "T info bramble: TFTP read of \"a\n  T error bramble: forged\" refused\n")
        #expect(format("host \u{1b}[2J\r\u{7f}\u{9b}31m\t\\x41") == "T info bramble: host \\x1b[2J\\x0d\\x7f\\x9b31m\\x09\\x5cx41\n")
        #expect(format("name \u{202e}gpj.exe\u{2028}x") == "T info bramble: name \\u{202e}gpj.exe\\u{2028}x\n")
        #expect(format("plain ascii, unicode é and 🙂 stay") == "T info bramble: plain ascii, unicode é and 🙂 stay\n")
        #expect(format("m", ["peer": "10.0.0.1\nT error forged", "host": "\u{1b}]0;title\u{7}"])
            == "T info bramble: m host=\\x1b]0;title\\x07 peer=10.0.0.1\\x0aT error forged\n")
    }

    @Test func anOverlongLineIsCutOnACharacterBoundary() {
        let line = format(String(repeating: "é", count: LineLogHandler.maximumLineBytes))
        #expect(line.utf8.count < LineLogHandler.maximumLineBytes + 40)
        #expect(line.hasSuffix(" bytes cut]\n"))
        #expect(!line.contains("\u{FFFD}"))
    }

    @Test func linesAreRateLimitedPerCallSiteAndPeerWithASummary() {
        let clock = TestClock()
        let limiter = LogRateLimiter(clock: { clock.now() })
        var allowed = 0
        for _ in 0..<200 where limiter.admit(file: "DHCPService.swift", line: 10, peer: "02:00:00:00:00:01").allowed { allowed += 1 }
        #expect(allowed == LogRateLimiter.burst)
        #expect(limiter.admit(file: "DHCPService.swift", line: 10, peer: "02:00:00:00:00:02").allowed, "another client is not affected")
        #expect(limiter.admit(file: "DHCPService.swift", line: 11, peer: "02:00:00:00:00:01").allowed, "another kind is not affected")
        clock.advance(seconds: 1)
        let next = limiter.admit(file: "DHCPService.swift", line: 10, peer: "02:00:00:00:00:01")
        #expect(next.allowed)
        #expect(next.summaries == ["150 log lines suppressed from DHCPService.swift:10 (peer 02:00:00:00:00:01): more than 50 at once, 5 a second after that"])
        for _ in 0..<20 { _ = limiter.admit(file: "DHCPService.swift", line: 10, peer: "02:00:00:00:00:01") }
        clock.advance(seconds: 11)
        let swept = limiter.admit(file: "TFTPService.swift", line: 3, peer: nil)
        #expect(swept.summaries.count == 1 && swept.summaries[0].hasPrefix("16 log lines suppressed from DHCPService.swift:10"), "reported by the sweep though that client went quiet: \(swept.summaries)")
    }

    @Test func manyPeersShareABucketPastTheKeyLimit() {
        let clock = TestClock()
        let limiter = LogRateLimiter(clock: { clock.now() })
        for index in 0..<LogRateLimiter.maximumKeys { _ = limiter.admit(file: "f", line: 1, peer: "peer\(index)") }
        var allowed = 0
        for index in 0..<1000 where limiter.admit(file: "f", line: 1, peer: "new\(index)").allowed { allowed += 1 }
        #expect(allowed == LogRateLimiter.burst, "spoofed sources beyond the table share one bucket")
    }

    @Test func theHandlerWritesTheSummaryAndDropsTheRest() {
        let pipe = Pipe()
        let clock = TestClock()
        var logger = Logger(label: "bramble") { LineLogHandler(label: $0, level: .info, sink: LogSink(fd: pipe.write), rateLimiter: LogRateLimiter(clock: { clock.now() })) }
        logger.logLevel = .info
        func discover() { logger.info("DISCOVER", metadata: ["peer": "02:00:00:00:00:01"]) }
        for _ in 0..<60 { discover() }
        clock.advance(seconds: 1)
        discover()
        let lines = pipe.drain().split(separator: "\n")
        #expect(lines.count == LogRateLimiter.burst + 2)
        #expect(lines[LogRateLimiter.burst].contains("notice bramble: 10 log lines suppressed from BrambleServerTests/LineLogHandlerTests.swift:"))
    }

    @Test func aStalledPipeNeverBlocksAndTheDropsAreCounted() {
        let pipe = Pipe()
        let sink = LogSink(fd: pipe.write)
        let filler = [UInt8](repeating: 0x2e, count: 4096)
        while filler.withUnsafeBytes({ write(pipe.write, $0.baseAddress, $0.count) }) > 0 {}
        #expect(errno == EAGAIN, "the sink made the pipe non-blocking and it is full")
        let handler = LineLogHandler(label: "bramble", level: .info, sink: sink)
        var logger = Logger(label: "bramble") { _ in handler }
        logger.logLevel = .info
        let start = MonotonicInstant.now()
        for index in 0..<10_000 { logger.info("line \(index) nobody reads") }
        let elapsed = Double(MonotonicInstant.now().nanoseconds - start.nanoseconds) / 1e9
        #expect(elapsed < 5, "10,000 lines to a stalled pipe took \(elapsed) s")
        _ = pipe.drain()
        logger.info("the reader is back")
        let text = pipe.drain()
        #expect(text.contains("warning log: 10000 log lines dropped: log output stalled\n"))
        #expect(text.hasSuffix("info bramble: the reader is back\n"))
    }

    @Test func aTerminalOrRegularFileIsLeftBlocking() throws {
        let path = try TemporaryDirectory.make(prefix: "bramble-server") + "/bramble.log"
        let sink = try LogSink.file(path)
        sink.write("one\n")
        #expect(BootRecorderTests.contents(path) == "one\n")
        let fd = open(path, O_WRONLY)
        defer { close(fd) }
        _ = LogSink(fd: fd)
        #expect(fcntl(fd, F_GETFL) & O_NONBLOCK == 0)
    }
}
