/// When the server resends and when it gives up.
///
/// The default timeout is deliberately long for a LAN: a Pi 4 can hang when a block is
/// retransmitted too early (PI-NETBOOT.md, field reports), so the first resend waits the
/// client's own `timeout` option or a full second.
public struct TFTPRetransmissionPolicy: Hashable, Sendable {
    /// Used unless the client negotiated `timeout`.
    public var defaultTimeout: Duration
    /// Resends of the same packet (or window) without progress before the transfer ends.
    /// With the defaults a silent client is dropped 6 s after the last packet it answered,
    /// well inside the Pi 4's 30 s per-file budget yet quick for the abandoned probes.
    public var maximumRetransmissions: Int

    public init(defaultTimeout: Duration = .seconds(1), maximumRetransmissions: Int = 5) {
        self.defaultTimeout = defaultTimeout
        self.maximumRetransmissions = maximumRetransmissions
    }
}
