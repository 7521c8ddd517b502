/// The daemon cannot be reached or did not answer: the one-line message names the socket.
struct ControlSocketError: UserFacingError, Equatable {
    let path: String
    let reason: String

    var message: String {
        "no bramble daemon answers on \(path): \(reason) (is `bramble serve` running with this --state-dir or --config?)"
    }
}
