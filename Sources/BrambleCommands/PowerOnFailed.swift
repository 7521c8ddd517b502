/// A bay could not be powered on (the command failed, or the BMC refused or stayed silent).
struct PowerOnFailed: UserFacingError, Equatable {
    let id: Int
    let reason: String

    var message: String { "node \(id): not powered on: \(reason)" }
}
