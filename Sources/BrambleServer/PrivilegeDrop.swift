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
    /// the permitted and effective sets; `no_new_privs` then stops any exec from regaining
    /// more.
    public static func drop(to account: Account, keeping keptCapabilities: [cap_value_t] = [CAP_NET_ADMIN]) throws(SystemCallError) {
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
