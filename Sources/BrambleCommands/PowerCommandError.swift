/// The power command could not be started.
struct PowerCommandError: UserFacingError, Equatable {
    let command: String
    let reason: String

    var message: String { "cannot run the power command `\(command)`: \(reason)" }
}
