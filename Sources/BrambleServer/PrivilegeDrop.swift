import CLibcap
import CNetShims
import Glibc

/// Leaving root after every socket is bound: the daemon parses packets from the network
/// all day, and a parser bug must not hand out root.
///
/// What is kept: CAP_NET_ADMIN only, because seeding the kernel's ARP table for Pi 3B
/// clients (SIOCSARP) is checked at call time (dnsmasq keeps it for the same reason).
/// Sockets opened before the drop, the raw AF_PACKET one included, keep working.
/// Capabilities are per thread: call this before any thread starts.
public enum PrivilegeDrop {
    public struct Account: Equatable, Sendable {
        public let name: String
        public let uid: uid_t
        public let gid: gid_t
    }

    /// The first of `names` that exists: a dedicated `bramble` user when the package made
    /// one, else `nobody`.
    public static func account(preferring names: [String] = ["bramble", "nobody"]) -> Account? {
        for name in names {
            if let entry = getpwnam(name) {
                return Account(name: name, uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid)
            }
        }
        return nil
    }

    /// Switches to `account` with no supplementary groups and only `keptCapabilities` in
    /// the bounding, permitted and effective sets (the inheritable and ambient sets empty);
    /// `no_new_privs` then stops any exec from regaining more.
    ///
    /// The bounding set is cut first, while the process still has CAP_SETPCAP: it is the
    /// ceiling on what any later exec (a file capability, a setuid root binary if
    /// `no_new_privs` were lifted) could give back, so a parser bug that reaches an exec
    /// finds nothing more than CAP_NET_ADMIN to gain.
    public static func drop(to account: Account, keeping keptCapabilities: [cap_value_t] = [CAP_NET_ADMIN]) throws(SystemCallError) {
        try limitBoundingSet(to: keptCapabilities)
        guard cap_reset_ambient() == 0 else { throw SystemCallError("prctl(PR_CAP_AMBIENT_CLEAR_ALL)") }
        guard cnet_set_keepcaps(1) == 0 else { throw SystemCallError("prctl(PR_SET_KEEPCAPS)") }
        guard setgroups(0, nil) == 0 else { throw SystemCallError("setgroups") }
        guard setgid(account.gid) == 0 else { throw SystemCallError("setgid(\(account.gid))") }
        guard setuid(account.uid) == 0 else { throw SystemCallError("setuid(\(account.uid))") }
        guard let capabilities = cap_init() else { throw SystemCallError("cap_init") }
        defer { cap_free(UnsafeMutableRawPointer(capabilities)) }
        var kept = keptCapabilities
        if !kept.isEmpty {
            guard cap_set_flag(capabilities, CAP_PERMITTED, Int32(kept.count), &kept, CAP_SET) == 0,
                  cap_set_flag(capabilities, CAP_EFFECTIVE, Int32(kept.count), &kept, CAP_SET) == 0
            else { throw SystemCallError("cap_set_flag") }
        }
        guard cap_set_proc(capabilities) == 0 else { throw SystemCallError("cap_set_proc") }
        guard cnet_set_keepcaps(0) == 0 else { throw SystemCallError("prctl(PR_SET_KEEPCAPS, 0)") }
        guard cnet_set_no_new_privs() == 0 else { throw SystemCallError("prctl(PR_SET_NO_NEW_PRIVS)") }
    }

    /// Whether the daemon runs as root and so switches to ``account(preferring:)`` itself.
    /// Otherwise it was started as its own user with the capabilities it needs (bramble.service:
    /// `User=bramble` and `AmbientCapabilities=`) and only sheds them (``shedCapabilities(keeping:)``).
    public static var startedAsRoot: Bool { getuid() == 0 }

    /// For a daemon started unprivileged with ambient capabilities: once every socket is
    /// bound, keeps only `keptCapabilities` in the permitted and effective sets (binding
    /// port 53, 67 and 69 and opening the raw socket need CAP_NET_BIND_SERVICE and CAP_NET_RAW
    /// at that call only), empties the inheritable and ambient sets, and sets `no_new_privs`.
    /// The bounding set stays as the service manager left it: cutting it needs CAP_SETPCAP,
    /// and bramble.service's `CapabilityBoundingSet=` already limits it to those three.
    public static func shedCapabilities(keeping keptCapabilities: [cap_value_t] = [CAP_NET_ADMIN]) throws(SystemCallError) {
        guard cap_reset_ambient() == 0 else { throw SystemCallError("prctl(PR_CAP_AMBIENT_CLEAR_ALL)") }
        guard let current = cap_get_proc() else { throw SystemCallError("cap_get_proc") }
        defer { cap_free(UnsafeMutableRawPointer(current)) }
        guard let capabilities = cap_init() else { throw SystemCallError("cap_init") }
        defer { cap_free(UnsafeMutableRawPointer(capabilities)) }
        // Only what the process holds can be kept: asking for more is EPERM.
        var held = keptCapabilities.filter { capability in
            var value = CAP_CLEAR
            return cap_get_flag(current, capability, CAP_PERMITTED, &value) == 0 && value == CAP_SET
        }
        if !held.isEmpty {
            guard cap_set_flag(capabilities, CAP_PERMITTED, Int32(held.count), &held, CAP_SET) == 0,
                  cap_set_flag(capabilities, CAP_EFFECTIVE, Int32(held.count), &held, CAP_SET) == 0
            else { throw SystemCallError("cap_set_flag") }
        }
        guard cap_set_proc(capabilities) == 0 else { throw SystemCallError("cap_set_proc") }
        guard cnet_set_no_new_privs() == 0 else { throw SystemCallError("prctl(PR_SET_NO_NEW_PRIVS)") }
    }

    /// Drops every capability but `kept` from the bounding set (PR_CAPBSET_DROP), up to the
    /// highest the running kernel knows, so capabilities newer than these headers go too.
    static func limitBoundingSet(to kept: [cap_value_t]) throws(SystemCallError) {
        let highest = cap_max_bits()
        var capability: cap_value_t = 0
        while capability < highest {
            if !kept.contains(capability), cap_get_bound(capability) == 1, cap_drop_bound(capability) != 0 {
                throw SystemCallError("prctl(PR_CAPBSET_DROP, \(capability))")
            }
            capability += 1
        }
    }

    /// The process's capabilities in libcap's text form (`cap_net_admin=ep`), for the
    /// start-up log line that tells the operator what the daemon kept.
    public static func currentCapabilities() -> String {
        guard let capabilities = cap_get_proc() else { return "unknown" }
        defer { cap_free(UnsafeMutableRawPointer(capabilities)) }
        guard let text = cap_to_text(capabilities, nil) else { return "unknown" }
        defer { cap_free(UnsafeMutableRawPointer(text)) }
        return String(cString: text)
    }
}
