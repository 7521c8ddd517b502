import BrambleDHCP

/// What DHCP does with a request when requests arrive faster than it answers them: shed
/// work early and cheaply, so that the exchanges it takes on complete, instead of letting
/// the queue overflow and the kernel drop requests at random.
///
/// An exchange is two requests (DISCOVER then REQUEST), and the client completes it only if
/// both are answered: with random drops at twice the rate the server sustains, about a
/// quarter of exchanges complete, each having cost a DISCOVER's work that a lost REQUEST
/// then wasted. So under load a REQUEST, which completes an exchange already offered, goes
/// before a DISCOVER, which starts a new one; and a request that waited so long its client
/// has given up on it (and sent another) is not answered at all.
///
/// Pure: the daemon tells it how long the request waited in the ring (from the kernel's
/// receive timestamp) and whether many more wait behind it (``PacketSocket/isBacklogged(beyond:)``).
struct DHCPLoadShedding: Equatable {
    enum Decision: Equatable {
        case answer
        case shed(Reason)
    }

    enum Reason: Equatable, CaseIterable {
        /// Waited past ``staleAfterMilliseconds``: its client has retransmitted by now.
        case stale
        /// A new exchange (DISCOVER, INFORM, BOOTP) while more than ``backlogDepth``
        /// requests wait: the REQUESTs behind it complete exchanges already offered.
        case backlog
        /// A reply to send later (the Pi 3B ROM's delay) with ``maximumDelayedReplies``
        /// already waiting.
        case delayedRepliesFull
    }

    /// RFC 2131 4.1: a client waits 4 s before its first retransmission (the Pi 4/5
    /// bootloader's `DHCP_REQ_TIMEOUT` is 4 s too, https://www.raspberrypi.com/documentation/computers/raspberry-pi.html#DHCP_REQ_TIMEOUT);
    /// past half of that, an answer most likely crosses the client's next try.
    var staleAfterMilliseconds: Int64 = 2000
    /// Requests waiting in the ring past which new exchanges are shed: three quarters of
    /// the default ring (``PacketSocket``'s 256 slots). Only then, because a loop that
    /// keeps up on average also falls behind for a moment (another process held the core
    /// for 20 ms: 80 requests at 4,000 a second) and catches up in a few turns; shedding
    /// starts where the ring would otherwise soon overflow and drop requests at random.
    var backlogDepth = 192
    /// Replies waiting for their delay at most; each holds a timer and its encoded reply.
    var maximumDelayedReplies = 512

    /// Before the responder sees the request: whether to answer it at all.
    func admit(_ type: DHCPMessageType?, waitedMilliseconds: Int64, backlogged: Bool) -> Decision {
        // RELEASE and DECLINE change the pool and expect no reply: always taken.
        switch type {
        case .release, .decline: return .answer
        default: break
        }
        if waitedMilliseconds > staleAfterMilliseconds { return .shed(.stale) }
        if backlogged && type != .request { return .shed(.backlog) }
        return .answer
    }

    /// After the responder decided on a delayed reply: whether there is room to hold it.
    func admitDelayedReply(pending: Int) -> Decision {
        pending < maximumDelayedReplies ? .answer : .shed(.delayedRepliesFull)
    }
}
