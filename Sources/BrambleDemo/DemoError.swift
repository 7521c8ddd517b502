import BrambleCommands
/// Why `bramble demo` could not run or did not succeed, in one line the user can act on.
struct DemoError: UserFacingError {
    let message: String

    init(_ reason: String) { message = "bramble demo: \(reason)" }
}
