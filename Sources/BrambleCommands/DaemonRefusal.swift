/// The daemon answered with an error (an unknown node, a refused reload): its message as is.
struct DaemonRefusal: UserFacingError, Equatable {
    let message: String
}
