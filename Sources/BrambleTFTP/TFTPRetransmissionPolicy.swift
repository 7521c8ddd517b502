/// When the server resends and when it gives up.
///
/// The default timeout is deliberately long for a LAN: a Pi 4 can hang when a block is
/// retransmitted too early (docs/raspberry-pi-netboot.md, quirks), so the first resend waits the
/// client's own `timeout` option or a full second.
public struct TFTPRetransmissionPolicy: Hashable, Sendable {
    /// Used unless the client negotiated `timeout`.
    public var defaultTimeout: Duration
    /// Resends of the same packet (or window) without progress before the transfer ends.
    /// With the defaults a silent probe is dropped 6 s after the last packet it answered,
    /// quick enough for the abandoned probes.
    public var maximumRetransmissions: Int
    /// How long to wait after the last retransmission before giving up on a transfer past
    /// its first block (probes keep the plain timeout).
    ///
    /// It must outlast the client's own retransmission timer. Clients such as atftp answer
    /// only the first duplicate DATA with an extra ACK, ignore the rest, and restart their
    /// timer (5 s) on each one they ignore, so while the server resends every second they
    /// never re-ACK. If both the ACK and that extra ACK are lost, the client's re-ACK only
    /// comes once the server has gone quiet: 5 s after the last resend. 12 s leaves room
    /// for two such re-ACKs, and the whole silence (5 s + 12 s) stays well inside the
    /// Pi 4's 30 s per-file budget.
    public var finalWait: Duration
    /// How long the first OACK waits for its ACK before it is resent, unless the client
    /// negotiated `timeout`. A repeated OACK is not harmless: atftp aborts the transfer on
    /// the second one ("unexpected OACK"), and in a 48-client boot storm on a loaded hub a
    /// client's ACK of the OACK can take over a second. The later resends keep the plain
    /// timeout, so a silent probe is still dropped within seconds.
    public var firstOptionAcknowledgementWait: Duration
    /// The longest a transfer lives without an ACK that moves it on (the OACK's, or one of
    /// a new block), whatever the schedule above says: it holds one of the limited
    /// transfer slots and a socket. 30 s is the Pi 4's own budget per file; a client
    /// silent that long has given up. With the defaults the schedule ends a silent
    /// transfer after at most 17 s; with the largest `timeout` granted (5 s,
    /// ``TFTPServerLimits/maximumTimeoutSeconds``) it would take 32 s, and this cuts it.
    public var maximumTimeWithoutProgress: Duration

    public init(
        defaultTimeout: Duration = .seconds(1), maximumRetransmissions: Int = 5, finalWait: Duration = .seconds(12),
        firstOptionAcknowledgementWait: Duration = .seconds(2), maximumTimeWithoutProgress: Duration = .seconds(30)
    ) {
        self.defaultTimeout = defaultTimeout
        self.maximumRetransmissions = maximumRetransmissions
        self.finalWait = finalWait
        self.firstOptionAcknowledgementWait = firstOptionAcknowledgementWait
        self.maximumTimeWithoutProgress = maximumTimeWithoutProgress
    }
}
