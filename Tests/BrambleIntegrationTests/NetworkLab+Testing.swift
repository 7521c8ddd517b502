import BrambleLab
import Foundation
import Testing

/// How the integration tests use the shared lab: their labs are the `brt` family, and they
/// run as root, or fail when CI demands namespaces and cannot have them.
extension NetworkLab {
    static let required = ProcessInfo.processInfo.environment["BRAMBLE_REQUIRE_NETNS"] == "1"
    /// The trait condition: run when we can, or when CI demands it (and then fail loudly).
    static let shouldRun = isRoot || required
    static let skipReason: Comment = "needs root to create network namespaces (run scripts/test as root; CI sets BRAMBLE_REQUIRE_NETNS=1)"

    /// A test's own lab, named `brtPIDxN`.
    convenience init() throws {
        try self.init(prefix: NetworkLab.uniquePrefix("brt"))
    }
}
