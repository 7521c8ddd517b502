import BrambleBMC
import Glibc

/// The serial line to the BMC: raw 8N1 at 115200 baud, every wait bounded by poll(2), and an
/// exclusive advisory lock (flock on the device) held while open, so two bramble processes
/// never interleave their commands: a `bramble bmc status` while `bramble enroll --power bmc`
/// selects a node would otherwise read the other's replies or power the wrong bay.
public final class BMCSerialLine {
    public let device: String
    private let fd: Int32
    private var reader = BMCLineReader()
    /// Whole lines read but not yet handed out.
    private var queued: [[UInt8]] = []

    /// The baud rate the Edge Rack's BMC console runs at (geekdojo: `screen /dev/serial0 115200`).
    static let baudRate = speed_t(B115200)

    /// Opens and locks `device`, waiting up to `lockMilliseconds` for another holder.
    public init(device: String, lockMilliseconds: Int = 5000) throws(BMCLinkError) {
        self.device = device
        let fd = Glibc.open(device, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw .cannotOpen(device: device, errno: errno) }
        self.fd = fd
        // Every property is set: if these throw, deinit runs and closes the descriptor.
        try lock(waitingUpTo: lockMilliseconds)
        try configure()
    }

    deinit { Glibc.close(fd) }

    private func lock(waitingUpTo milliseconds: Int) throws(BMCLinkError) {
        let deadline = MonotonicClock.milliseconds() + Int64(milliseconds)
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else { throw .io(device: device, operation: "locking", errno: errno) }
            guard MonotonicClock.milliseconds() < deadline else { throw .busy(device: device, waitedMilliseconds: milliseconds) }
            poll(nil, 0, 20)
        }
    }

    private func configure() throws(BMCLinkError) {
        var settings = termios()
        guard tcgetattr(fd, &settings) == 0 else {
            if errno == ENOTTY || errno == EINVAL { throw .notASerialLine(device: device) }
            throw .io(device: device, operation: "reading the terminal settings", errno: errno)
        }
        cfmakeraw(&settings)
        settings.c_cflag |= tcflag_t(CLOCAL | CREAD)
        settings.c_cflag &= ~(tcflag_t(CSTOPB) | tcflag_t(CRTSCTS))
        withUnsafeMutableBytes(of: &settings.c_cc) { cc in
            cc[Int(VMIN)] = 0
            cc[Int(VTIME)] = 0
        }
        cfsetispeed(&settings, Self.baudRate)
        cfsetospeed(&settings, Self.baudRate)
        guard tcsetattr(fd, TCSANOW, &settings) == 0 else {
            throw .io(device: device, operation: "setting 115200 baud raw mode", errno: errno)
        }
        // Input only: what arrived before this session is stale. Output is left alone, so the
        // last session's Ctrl-G, possibly still on its way, is not thrown away.
        tcflush(fd, TCIFLUSH)
    }

    /// Writes all of `bytes`, waiting at most `timeoutMilliseconds` for room.
    public func write(_ bytes: [UInt8], timeoutMilliseconds: Int = 1000) throws(BMCLinkError) {
        let deadline = MonotonicClock.milliseconds() + Int64(timeoutMilliseconds)
        var remaining = bytes[...]
        while !remaining.isEmpty {
            let written = remaining.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written > 0 {
                remaining = remaining.dropFirst(written)
                continue
            }
            guard written < 0, errno == EAGAIN || errno == EINTR else { throw .io(device: device, operation: "writing", errno: errno) }
            let left = deadline - MonotonicClock.milliseconds()
            guard left > 0 else { throw .io(device: device, operation: "writing", errno: ETIMEDOUT) }
            var entry = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            _ = poll(&entry, 1, Int32(left))
        }
    }

    /// The next line, or nil when none is complete by `deadline` (a monotonic millisecond
    /// instant). A partial line is handed out at the deadline rather than kept from the log.
    public func readLine(until deadline: Int64) throws(BMCLinkError) -> [UInt8]? {
        while true {
            if let line = queued.first {
                queued.removeFirst()
                return line
            }
            let left = deadline - MonotonicClock.milliseconds()
            guard left > 0 else { return reader.remainder() }
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&entry, 1, Int32(clamping: left))
            if ready < 0 {
                guard errno == EINTR else { throw .io(device: device, operation: "waiting for the BMC", errno: errno) }
                continue
            }
            if ready == 0 { continue }
            try readAvailable(hungUp: entry.revents & Int16(POLLHUP | POLLERR) != 0)
        }
    }

    /// Every line already waiting, without waiting: what came before the next command (a late
    /// reply, an echo) so it cannot be taken for that command's answer.
    public func drain() throws(BMCLinkError) -> [[UInt8]] {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        // Bounded: a line that never stops sending cannot keep the caller here.
        for _ in 0..<64 {
            entry.revents = 0
            guard poll(&entry, 1, 0) > 0 else { break }
            try readAvailable(hungUp: entry.revents & Int16(POLLIN) == 0)
        }
        var lines = queued
        queued.removeAll()
        if let partial = reader.remainder() { lines.append(partial) }
        return lines
    }

    private func readAvailable(hungUp: Bool) throws(BMCLinkError) {
        var buffer = [UInt8](repeating: 0, count: 512)
        let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        if count > 0 {
            queued += reader.append(buffer[..<count])
            return
        }
        if count < 0 && (errno == EAGAIN || errno == EINTR) && !hungUp { return }
        throw .io(device: device, operation: "reading", errno: count < 0 ? errno : EPIPE)
    }
}

/// Milliseconds on CLOCK_MONOTONIC: deadlines that a clock step cannot stretch.
enum MonotonicClock {
    static func milliseconds() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
    }
}
