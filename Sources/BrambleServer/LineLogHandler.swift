import BrambleBoot
import Glibc
import Logging
import Synchronization

/// One readable line per log event, `2026-11-21T23:50:01.123Z info dhcp: message key=value`,
/// to standard error or an append-only log file. UTC, so lines from the hub and the nodes
/// line up without knowing the hub's time zone.
///
/// Hostile input is handled here, at the sink, for every caller at once:
/// - the message and metadata values are escaped (``LogText``): what a client sent cannot
///   add a line, move the cursor or hide text; a message's own newlines are kept, each
///   continuation line indented, so only the daemon starts a line;
/// - a line longer than ``maximumLineBytes`` is cut;
/// - with a ``LogRateLimiter``, lines are rate-limited per call site and `peer` metadata;
/// - the ``LogSink`` never blocks on a stalled pipe.
public struct LineLogHandler: LogHandler {
    /// A bound on one line, so one event cannot carry a client's megabytes into the log.
    static let maximumLineBytes = 16 * 1024
    static let continuationIndent = "  "

    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    private let label: String
    private let sink: LogSink
    private let rateLimiter: LogRateLimiter?

    public init(label: String, level: Logger.Level, sink: LogSink, rateLimiter: LogRateLimiter? = nil) {
        self.label = label
        logLevel = level
        self.sink = sink
        self.rateLimiter = rateLimiter
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        if let rateLimiter {
            let verdict = rateLimiter.admit(file: event.file, line: event.line, peer: merged["peer"].map { "\($0)" })
            for summary in verdict.summaries { sink.write(format(level: .notice, message: summary, metadata: [:])) }
            guard verdict.allowed else { return }
        }
        sink.write(format(level: event.level, message: "\(event.message)", metadata: merged))
    }

    /// The whole line, escaped and cut to ``maximumLineBytes``, with its newline.
    func format(level: Logger.Level, message: String, metadata: Logger.Metadata, time: String = Self.timestamp()) -> String {
        var line = "\(time) \(level) \(label): \(LogText.escaped(message, continuationIndent: Self.continuationIndent))"
        for key in metadata.keys.sorted() {
            guard let value = metadata[key] else { continue }
            line += " \(LogText.escaped(key))=\(LogText.escaped("\(value)"))"
        }
        if line.utf8.count > Self.maximumLineBytes {
            let cut = line.utf8.count - Self.maximumLineBytes
            var kept = line.utf8.prefix(Self.maximumLineBytes)
            // Never split a UTF-8 sequence: back up over continuation bytes.
            while let last = kept.last, last & 0xc0 == 0x80 { kept = kept.dropLast() }
            if let last = kept.last, last >= 0xc0 { kept = kept.dropLast() }
            line = String(decoding: kept, as: UTF8.self) + " [\(cut) bytes cut]"
        }
        return line + "\n"
    }

    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let millis = Int(now.tv_nsec / 1_000_000)
        let fraction = millis < 10 ? "00\(millis)" : millis < 100 ? "0\(millis)" : "\(millis)"
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).\(fraction)Z"
    }
}

/// Where log lines go: one write(2) per line on an O_APPEND descriptor, so lines from
/// several loggers never interleave mid-line.
///
/// A log that nobody reads must not stop the daemon: when the descriptor is a pipe or a
/// socket (systemd's journal, `bramble serve 2>&1 | less` left paused), it is made
/// non-blocking, and a line the pipe has no room for is dropped and counted; the next line
/// that gets through is preceded by "N log lines dropped: log output stalled". (A
/// terminal or a regular file is left as it is: writes to those do not stall on a reader.)
/// The part of a line a full pipe took only half of is kept and finished first, so lines
/// are never torn.
public final class LogSink: Sendable {
    private struct State {
        var dropped = 0
        var pending: [UInt8] = []
    }

    private let fd: Int32
    private let nonBlocking: Bool
    private let state = Mutex(State())

    public static let standardError = LogSink(fd: 2)

    init(fd: Int32) {
        self.fd = fd
        var status = stat()
        let type = fstat(fd, &status) == 0 ? status.st_mode & S_IFMT : 0
        if type == S_IFIFO || type == S_IFSOCK {
            let flags = fcntl(fd, F_GETFL)
            nonBlocking = flags >= 0 && (flags & O_NONBLOCK != 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0)
        } else {
            nonBlocking = false
        }
    }

    /// Opens (creating) a log file for appending, without following a link at its last
    /// component and refusing a hard link or anything but a regular file (see
    /// ``DirectoryHandle``): the daemon opens it as root. It stays root's: the descriptor
    /// is kept across the privilege drop, and the account the daemon drops to has no
    /// reason to rewrite the log's past.
    public static func file(_ path: String) throws(UnsafeFileError) -> LogSink {
        let (directory, name) = try DirectoryHandle.openParent(of: path)
        return LogSink(fd: try directory.openFile(name, flags: O_WRONLY | O_APPEND, create: true))
    }

    func write(_ line: String) {
        state.withLock { state in
            if !state.pending.isEmpty {
                state.pending = Array(send(state.pending[...]))
                if !state.pending.isEmpty {
                    state.dropped += 1
                    return
                }
            }
            var bytes: [UInt8] = []
            if state.dropped > 0 {
                bytes += Array("\(LineLogHandler.timestamp()) warning log: \(state.dropped) log lines dropped: log output stalled\n".utf8)
            }
            bytes += Array(line.utf8)
            let rest = send(bytes[...])
            if rest.count == bytes.count {
                state.dropped += 1
            } else {
                state.dropped = 0
                state.pending = Array(rest)
            }
        }
    }

    /// Writes what it can; returns what a stalled non-blocking descriptor did not take (and
    /// nothing on any other error: a log that cannot be written is not retried).
    private func send(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var bytes = bytes
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                if nonBlocking && (errno == EAGAIN || errno == EWOULDBLOCK) { return bytes }
                return []
            }
            bytes = bytes.dropFirst(written)
        }
        return bytes
    }
}
