import BrambleWire
import BrambleControl
import CNetShims
import Glibc
import HeapModule

/// The one loop that owns every socket, timer and signal of the daemon, like dnsmasq's:
/// epoll for readiness, a heap of timers, all on one thread, so protocol state needs no
/// locks. Not Sendable on purpose: it and everything it calls stay on its thread.
///
/// Fairness, so a flood on one socket cannot starve the others or the timers: each turn
/// runs the timers that were due when it began, then calls each ready descriptor's
/// handler once. epoll is level-triggered, so a handler need not drain its socket: the
/// sockets read at most ``readBatch`` datagrams or connections per turn
/// (``UDPSocket/watch(in:_:)``, ``PacketSocket/watch(in:_:)``, the listeners), and a
/// socket with more queued is simply ready again next turn, after everyone else.
public final class EventLoop {
    public typealias ReadinessHandler = (_ events: UInt32) -> Void

    /// Identifies a scheduled timer so it can be cancelled (a TFTP retransmit after an ACK).
    public struct TimerID: Hashable, Sendable {
        fileprivate let value: UInt64
    }

    private struct ScheduledTimer: Comparable {
        let deadline: MonotonicInstant
        let id: UInt64
        static func < (lhs: ScheduledTimer, rhs: ScheduledTimer) -> Bool {
            (lhs.deadline, lhs.id) < (rhs.deadline, rhs.id)
        }
    }

    private let epollFD: Int32
    private var handlers: [Int32: ReadinessHandler] = [:]
    private var timerQueue = Heap<ScheduledTimer>()
    private var timerActions: [UInt64: () -> Void] = [:]
    private var nextTimerID: UInt64 = 0
    private var stopRequested = false
    private let clock: () -> MonotonicInstant
    /// How late each timer ran past its deadline: a handler that holds the loop (a slow
    /// disk write, a huge reload) delays every timer behind it, so this is the loop's lag
    /// as clients feel it (TFTP retransmits, DHCP reply delays). One comparison and two
    /// adds per timer.
    public private(set) var timerLag = DurationHistogram(upperBoundsMilliseconds: EventLoop.lagBoundsMilliseconds)
    /// The largest lateness seen, in microseconds.
    public private(set) var maximumTimerLagMicroseconds: Int64 = 0

    /// Lag buckets (ms): epoll rounds timeouts up to whole milliseconds, so 1 is on time.
    public static let lagBoundsMilliseconds: [Int64] = [1, 2, 5, 10, 25, 50, 100, 250, 1000]

    public init(clock: @escaping () -> MonotonicInstant = MonotonicInstant.now) throws(SystemCallError) {
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epollFD >= 0 else { throw SystemCallError("epoll_create1") }
        self.clock = clock
    }

    deinit { close(epollFD) }

    /// Datagrams, frames or connections one handler takes per turn. Small enough that a
    /// turn over every socket stays short; large enough that a busy socket is not woken
    /// once per datagram.
    public static let readBatch = 64

    /// How many more reads a watched socket may do this turn: unlimited until the socket is
    /// watched, then ``readBatch`` from each readiness report on. The loop is
    /// level-triggered, so what a socket leaves waiting is reported again next turn, after
    /// the other sockets and the timers have had theirs.
    struct TurnBudget {
        private var remaining: Int?

        /// Watched from now on: nothing may be read until the loop reports readiness.
        mutating func watch() { remaining = 0 }

        /// A readiness report: a new turn's batch.
        mutating func newTurn() { remaining = EventLoop.readBatch }

        /// Takes one read from the batch; false when this turn's batch is used up.
        mutating func take() -> Bool {
            guard let left = remaining else { return true }
            guard left > 0 else { return false }
            remaining = left - 1
            return true
        }

        /// Takes up to `wanted` reads at once, for one call that reads many (recvmmsg);
        /// returns how many this turn still allows. Hand back what the call did not use.
        mutating func take(upTo wanted: Int) -> Int {
            guard let left = remaining else { return wanted }
            let taken = min(wanted, left)
            remaining = left - taken
            return taken
        }

        /// Returns reads taken with ``take(upTo:)`` that found nothing to read.
        mutating func giveBack(_ unused: Int) {
            if let left = remaining { remaining = left + unused }
        }
    }

    public var now: MonotonicInstant { clock() }
    var registeredDescriptorCount: Int { handlers.count }
    var pendingTimerCount: Int { timerActions.count }

    /// Calls `handler` whenever `fd` is readable (or has the given `events`).
    public func register(_ fd: Int32, events: UInt32 = EPOLLIN.rawValue, handler: @escaping ReadinessHandler) throws(SystemCallError) {
        var event = epoll_event()
        event.events = events
        event.data.fd = fd
        guard epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &event) == 0 else { throw SystemCallError("epoll_ctl(ADD, \(fd))") }
        handlers[fd] = handler
    }

    /// Changes what `fd` is watched for; 0 pauses it (a listener out of descriptors) while
    /// its handler stays registered. Does nothing for a descriptor not registered.
    public func watch(_ fd: Int32, events: UInt32) {
        guard handlers[fd] != nil else { return }
        var event = epoll_event()
        event.events = events
        event.data.fd = fd
        epoll_ctl(epollFD, EPOLL_CTL_MOD, fd, &event)
    }

    /// Stops watching `fd`. Call before closing it (a closed fd leaves epoll by itself, but
    /// its handler would linger).
    public func deregister(_ fd: Int32) {
        guard handlers.removeValue(forKey: fd) != nil else { return }
        epoll_ctl(epollFD, EPOLL_CTL_DEL, fd, nil)
    }

    @discardableResult
    public func schedule(at deadline: MonotonicInstant, _ action: @escaping () -> Void) -> TimerID {
        nextTimerID += 1
        timerQueue.insert(ScheduledTimer(deadline: deadline, id: nextTimerID))
        timerActions[nextTimerID] = action
        return TimerID(value: nextTimerID)
    }

    @discardableResult
    public func schedule(afterMilliseconds delay: Int, _ action: @escaping () -> Void) -> TimerID {
        schedule(at: now.adding(milliseconds: delay), action)
    }

    /// Cancelling a timer that already fired or was cancelled does nothing.
    public func cancel(_ timer: TimerID) {
        timerActions.removeValue(forKey: timer.value)
    }

    /// Ends ``run()`` after the current iteration; callable from handlers and timers.
    public func stop() { stopRequested = true }

    /// Runs until ``stop()``: fires due timers, then waits for readiness no longer than the
    /// next timer allows.
    public func run() throws(SystemCallError) {
        stopRequested = false
        var events = [epoll_event](repeating: epoll_event(), count: 64)
        while !stopRequested {
            let timeout = fireDueTimers()
            if stopRequested { break }
            let ready = events.withUnsafeMutableBufferPointer { epoll_wait(epollFD, $0.baseAddress, Int32($0.count), timeout) }
            if ready < 0 {
                if errno == EINTR { continue }
                throw SystemCallError("epoll_wait")
            }
            for index in 0..<Int(ready) {
                let event = events[index]
                handlers[event.data.fd]?(event.events)
            }
        }
    }

    /// Runs every timer whose deadline has passed; returns the epoll timeout (ms) until the
    /// next one, -1 when none is pending.
    ///
    /// Only timers that existed when the pass began run in it: a timer that schedules
    /// another already due (a retry at "now") runs next turn, after the sockets, instead
    /// of keeping this pass going forever.
    private func fireDueTimers() -> Int32 {
        let lastExisting = nextTimerID
        while let next = timerQueue.min {
            guard timerActions[next.id] != nil else {
                timerQueue.removeMin()
                continue
            }
            let current = now
            if next.deadline > current {
                let remaining = (next.deadline.nanoseconds - current.nanoseconds + 999_999) / 1_000_000
                return Int32(min(remaining, UInt64(Int32.max)))
            }
            if next.id > lastExisting { return 0 }
            let lateness = Int64(clamping: (current.nanoseconds - next.deadline.nanoseconds) / 1000)
            timerLag.observe(microseconds: lateness)
            if lateness > maximumTimerLagMicroseconds { maximumTimerLagMicroseconds = lateness }
            timerQueue.removeMin()
            let action = timerActions.removeValue(forKey: next.id)
            action?()
            if stopRequested { return 0 }
        }
        return -1
    }
}
