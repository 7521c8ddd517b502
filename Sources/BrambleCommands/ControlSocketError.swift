/// The daemon cannot be reached or did not answer: the one-line message names the socket.
package struct ControlSocketError: UserFacingError, Equatable {
    package let path: String
    package let reason: String

    package var message: String {
        "no bramble daemon answers on \(path): \(reason) (is `bramble serve` running with this --state-dir or --config?)"
    }
}
