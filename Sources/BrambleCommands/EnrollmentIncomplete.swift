/// Some nodes got no MAC: the run is reported as failed so a script notices.
struct EnrollmentIncomplete: UserFacingError, Equatable {
    let missed: [String]
    var message: String { "not enrolled: node \(missed.joined(separator: ", node ")); run bramble enroll again for them" }
}
