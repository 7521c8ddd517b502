import BrambleLab
import Foundation
import Testing

/// The dashboard in a real browser: Debian's headless Chromium loads `bramble demo --web`'s
/// page while the demo's module boots, and the rendered page (the DOM after the page's
/// script ran) must show every bay `up` in the end. Chromium, the demo and bramble-web all
/// run inside a namespace this test creates, so the page is served on that namespace's
/// 127.0.0.1 and nothing reaches the machine's own interfaces.
@Suite(.serialized, .enabled(if: NetworkLab.shouldRun, NetworkLab.skipReason))
struct WebDashboardBrowserTests {
    static let chromium = "/usr/bin/chromium"

    /// Where the screenshot is kept: $BRAMBLE_ARTIFACTS, else .build/artifacts.
    static var artifacts: URL {
        let directory = ProcessInfo.processInfo.environment["BRAMBLE_ARTIFACTS"]
            ?? ServerUnderTest.executable.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("artifacts").path
        return URL(fileURLWithPath: directory)
    }

    /// The stage of every bay the rendered page shows, by node ID.
    static func bayStages(in dom: String) -> [Int: String] {
        var stages: [Int: String] = [:]
        for button in dom.components(separatedBy: "<button").dropFirst() {
            guard let tagEnd = button.firstIndex(of: ">") else { continue }
            let tag = String(button[..<tagEnd])
            guard let id = attribute("data-id", in: tag).flatMap(Int.init), let stage = attribute("data-stage", in: tag) else { continue }
            stages[id] = stage
        }
        return stages
    }

    static func attribute(_ name: String, in tag: String) -> String? {
        guard let start = tag.range(of: " \(name)=\"") else { return nil }
        return String(tag[start.upperBound...].prefix { $0 != "\"" })
    }

    @Test("headless Chromium shows every bay of the demo's module up on the dashboard, and a screenshot is kept")
    func everyBayEndsUpInTheBrowser() throws {
        #expect(FileManager.default.isExecutableFile(atPath: Self.chromium), "install Debian's chromium (scripts/test does)")
        let lab = try NetworkLab()
        defer { lab.tearDown() }
        let viewer = try lab.addHost("view")
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("bramble-web-browser-\(getpid())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let demoLog = work.appendingPathComponent("demo.log").path
        let nodes = 8
        let demo = try lab.start(
            in: viewer,
            [ServerUnderTest.executable.path, "demo", "--nodes", String(nodes), "--interval", "0.3s", "--time-limit", "120s",
             "--web", "--web-port", "9420", "--web-hold", "90s"],
            output: demoLog)
        defer { if demo.isRunning { kill(demo.processIdentifier, SIGINT) } }
        let browser = ["ip", "netns", "exec", viewer, Self.chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                       "--user-data-dir=\(work.appendingPathComponent("profile").path)"]

        var dashboardUp = false
        for _ in 0..<300 where !dashboardUp {
            dashboardUp = ((try? String(contentsOfFile: demoLog, encoding: .utf8)) ?? "").contains("the dashboard: http://127.0.0.1:9420/")
            if !dashboardUp { usleep(100_000) }
        }
        #expect(dashboardUp, "the demo prints the dashboard's URL: \((try? String(contentsOfFile: demoLog, encoding: .utf8)) ?? "")")

        var seen: [[Int: String]] = []
        var stages: [Int: String] = [:]
        for _ in 0..<60 {
            let dump = try NetworkLab.execute(browser + ["--dump-dom", "http://127.0.0.1:9420/"], timeout: 30)
            stages = Self.bayStages(in: dump.output)
            seen.append(stages)
            if stages.count == nodes && stages.values.allSatisfy({ $0 == "up" }) { break }
            usleep(1_000_000)
        }
        #expect(stages.count == nodes, "the page shows \(nodes) bays: \(stages)")
        #expect(stages.values.allSatisfy { $0 == "up" }, "every bay ends up: \(stages)")
        #expect(seen.first?.isEmpty == false, "the first load already draws the bays")

        try FileManager.default.createDirectory(at: Self.artifacts, withIntermediateDirectories: true)
        let screenshot = Self.artifacts.appendingPathComponent("dashboard.png")
        try? FileManager.default.removeItem(at: screenshot)
        let shot = try NetworkLab.execute(
            browser + ["--hide-scrollbars", "--window-size=1280,760", "--screenshot=\(screenshot.path)", "http://127.0.0.1:9420/"], timeout: 60)
        let png = try Data(contentsOf: screenshot)
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "a PNG: \(shot.output)")
        #expect(png.count > 10_000, "the screenshot shows something")
        print("dashboard screenshot: \(screenshot.path)")

        kill(demo.processIdentifier, SIGINT)
        for _ in 0..<200 where demo.isRunning { usleep(100_000) }
        let output = (try? String(contentsOfFile: demoLog, encoding: .utf8)) ?? ""
        #expect(!demo.isRunning && demo.terminationStatus == 0, "\(output)")
        #expect(output.contains("\(nodes) of \(nodes) nodes up, 0 failed"), "\(output)")
    }
}
