import BrambleBoot
import BrambleControl
@testable import BrambleWebCore
import Foundation
import Testing

@Suite struct ControlLineFramerTests {
    @Test func linesComeOutWhateverPiecesTheBytesArriveIn() throws {
        let text = Array("{\"a\":1}\n{\"b\":2}\n\n{\"c\"".utf8)
        for cut in 0...text.count {
            var framer = ControlLineFramer()
            let lines = try framer.append(text[..<cut]) + framer.append(text[cut...])
            #expect(lines.map { String(decoding: $0, as: UTF8.self) } == ["{\"a\":1}", "{\"b\":2}", ""], "cut at \(cut)")
        }
    }

    @Test func aLineLongerThanTheLimitIsAnErrorWithOrWithoutItsNewline() throws {
        var framer = ControlLineFramer(maximumLineLength: 8)
        #expect(try framer.append(Array("12345678\n".utf8)).count == 1)
        #expect(throws: ControlLineTooLong(limit: 8)) { try framer.append(Array("123456789\n".utf8)) }
        var unended = ControlLineFramer(maximumLineLength: 8)
        #expect(throws: ControlLineTooLong(limit: 8)) { try unended.append(Array("123456789".utf8)) }
    }
}

@Suite struct BasicCredentialsTests {
    @Test func rfc7617sExampleDecodes() throws {
        // RFC 7617, section 2: "Aladdin" with password "open sesame".
        let credentials = try BasicCredentials(header: Array("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==".utf8))
        #expect(credentials == BasicCredentials(user: "Aladdin", password: "open sesame"))
        #expect(credentials.header == "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==")
    }

    @Test func passwordsMayHoldColonsAndEveryLengthRoundTrips() throws {
        for length in 0..<10 {
            let password = String(repeating: "p:", count: length)
            let credentials = BasicCredentials(user: "ops", password: password)
            #expect(try BasicCredentials(header: Array(credentials.header.utf8)) == credentials)
        }
    }

    @Test(arguments: [
        ("", BasicCredentialsError.notBasic), ("Basic", .notBasic), ("Basic ", .notBase64), ("Bearer QQ==", .notBasic), ("BasicQWxh", .notBasic),
        ("Basic QWxhZGRpbg==", .noColon), ("Basic QWxh=ZGRp", .notBase64), ("Basic QQ", .notBase64), ("Basic Q===", .notBase64),
        ("Basic /w==", .noColon), ("Basic gDo=", .notUTF8), ("Basic ****", .notBase64),
    ])
    func malformedHeadersAreTypedRefusals(_ header: String, _ error: BasicCredentialsError) {
        #expect(throws: error) { try BasicCredentials(header: Array(header.utf8)) }
    }

    @Test func anOversizedHeaderIsRefusedUnread() {
        #expect(throws: BasicCredentialsError.tooLong) { try BasicCredentials(header: [UInt8](repeating: 0x41, count: 5000)) }
    }
}

@Suite struct PasswordHashFileTests {
    static let hash = "$2b$12$" + String(repeating: "a", count: 53)

    @Test func oneHashWithCommentsAndBlankLines() throws {
        let file = try PasswordHashFile(parsing: Array("# for ops\n\n  \(Self.hash)  \r\n\n".utf8), path: "/etc/bramble/web.password")
        #expect(file.hash == Self.hash)
    }

    @Test(arguments: [
        ("", "no hash in the file"),
        ("# only a comment\n", "no hash in the file"),
        ("correct horse\n", ":1: not a bcrypt hash"),
        ("\(hash)\n\(hash)\n", ":2: a second hash"),
        ("$2b$99$" + String(repeating: "a", count: 53), ":1: the bcrypt cost must be 04 to 31"),
        ("$2x$12$" + String(repeating: "a", count: 53), ":1: not a bcrypt hash"),
        ("$2b$12$" + String(repeating: "!", count: 53), ":1: not a bcrypt hash"),
        ("ops:\(hash)", ":1: not a bcrypt hash"),
    ])
    func malformedFilesNameTheLine(_ text: String, _ expected: String) {
        #expect {
            try PasswordHashFile(parsing: Array(text.utf8), path: "/p")
        } throws: { error in
            (error as? PasswordHashFileError)?.description.contains(expected) == true
        }
    }

    @Test func aLargeFileIsTheWrongFile() {
        #expect(throws: PasswordHashFileError.self) { try PasswordHashFile(parsing: [UInt8](repeating: 0x23, count: 5000), path: "/p") }
    }
}

@Suite struct StageTimingTests {
    func event(_ node: Int, _ stage: BootStage, at time: Int64) -> BootLogRecord {
        BootLogRecord(nodeID: node, node: "n\(node)", time: time, stage: stage, failure: false, line: "")
    }

    @Test func theFloorAppliesUntilTheModuleShowsItsStagesTakeLonger() {
        var timing = StageTiming()
        #expect(timing.limit(for: .kernel) == 60_000)
        #expect(timing.limit(for: .up) == nil && timing.limit(for: .waiting) == nil)
        for node in 1...5 {
            timing.record(event(node, .kernel, at: 0))
            timing.record(event(node, .kernelDHCP, at: 40_000))
        }
        #expect(timing.limit(for: .kernel) == 120_000, "three times the 40 s median")
        #expect(!timing.isStalled(stage: .kernel, since: 0, now: 119_000))
        #expect(timing.isStalled(stage: .kernel, since: 0, now: 121_000))
        #expect(!timing.isStalled(stage: .up, since: 0, now: Int64.max))
    }

    @Test func onlyForwardStepsCountAndHostileTimesDoNotTrap() {
        var timing = StageTiming()
        timing.record(event(1, .kernel, at: 100_000))
        timing.record(event(1, .romDHCP, at: 50_000))
        timing.record(event(2, .loader, at: Int64.min))
        timing.record(event(2, .kernel, at: Int64.max))
        timing.record(BootLogRecord(nodeID: 3, node: "", time: 0, stage: .up, failure: false, line: ""))
        #expect(timing.limit(for: .kernel) == 60_000)
        #expect(!timing.isStalled(stage: .kernel, since: Int64.max, now: Int64.min))
        #expect(timing.limit(for: .loader) == 30_000)
    }
}

@Suite struct RackLayoutTests {
    @Test func idsRunDownEachBitBarThenToTheNext() {
        #expect(RackLayout.position(of: 1) == BayPosition(bar: 1, slot: 1))
        #expect(RackLayout.position(of: 6) == BayPosition(bar: 1, slot: 6))
        #expect(RackLayout.position(of: 7) == BayPosition(bar: 2, slot: 1))
        #expect(RackLayout.position(of: 48) == BayPosition(bar: 8, slot: 6))
        #expect(RackLayout(highestID: 48).bars == 8)
        #expect(RackLayout(highestID: 60).bars == 10)
        #expect(RackLayout(highestID: 61).bars == 11)
        #expect(RackLayout(highestID: 0).bars == 1)
    }
}

@Suite struct DashboardModelTests {
    /// The keys docs/web.md documents, each always present (null when empty).
    @Test func everyDocumentedKeyIsPresent() throws {
        let model = DashboardModel(report: fakeReport(count: 2, up: 1, error: "kernel: file not found"), problem: nil, timing: StageTiming(),
                                   readings: [1: [BayReading(name: "current", value: 0.62, unit: "A")]])
        let object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(model)) as? [String: Any])
        #expect(Set(object.keys) == ["daemonReachable", "daemonProblem", "now", "summary", "stages", "layout", "bays"])
        let bays = try #require(object["bays"] as? [[String: Any]])
        #expect(Set(bays[0].keys) == [
            "id", "name", "ip", "mac", "model", "stage", "stageSince", "bootMilliseconds", "reboots", "lastError", "stalled",
            "stallAfterMilliseconds", "position", "readings",
        ])
        #expect((bays[0]["readings"] as? [[String: Any]])?.first?["unit"] as? String == "A")
        #expect(bays[1]["lastError"] as? String == "kernel: file not found")
        #expect(model.summary == "2 nodes: 1 up, 1 kernel; 1 with an error")
    }

    @Test func withoutAReportThePageSaysSo() {
        let model = DashboardModel(report: nil, problem: "no bramble daemon answers", timing: StageTiming())
        #expect(!model.daemonReachable && model.bays.isEmpty && model.summary == "no status from the daemon yet")
    }
}
