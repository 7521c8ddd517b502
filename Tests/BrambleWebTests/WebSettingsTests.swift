import BrambleTestSupport
import Foundation
import HummingbirdBcrypt
import Testing

@testable import BrambleWeb

/// `bramble web`'s settings from a config file and its flags, and the errors that stop it.
@Suite struct WebSettingsTests {
    func configFile(_ text: String) throws -> (directory: String, path: String) {
        let directory = try TemporaryDirectory.make(prefix: "bramble-web")
        let path = directory + "/bramble.conf"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return (directory, path)
    }

    @Test func offByDefaultWithAMessageSayingWhatToSet() throws {
        let (directory, path) = try configFile("state-dir = state\n")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(throws: WebError.listenOff(config: path)) { try WebSettings.load(configFile: path, listen: nil, socket: nil) }
        #expect(WebError.listenOff(config: path).description.contains("set `web-listen = loopback`"))
    }

    @Test func hubMeansTheHubsAddressAndTheSocketIsInTheStateDirectory() throws {
        let (directory, path) = try configFile("address = 10.9.0.1/24\nstate-dir = state\nweb-listen = hub:8080\n")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let settings = try WebSettings.load(configFile: path, listen: nil, socket: nil)
        #expect(settings.host == "10.9.0.1" && settings.port == 8080)
        #expect(settings.socketPath == directory + "/state/control.sock")
        #expect(settings.authentication == nil)
        let flagged = try WebSettings.load(configFile: path, listen: "loopback", socket: "/run/x.sock")
        #expect(flagged.host == "127.0.0.1" && flagged.port == 9420 && flagged.socketPath == "/run/x.sock")
        #expect(throws: WebError.self) { try WebSettings.load(configFile: path, listen: "0.0.0.0:80", socket: nil) }
    }

    @Test func thePasswordFileIsReadAndCheckedAtStart() throws {
        let (directory, path) = try configFile("web-listen = loopback\nweb-user = ops\nweb-password-file = web.password\n")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect {
            try WebSettings.load(configFile: path, listen: nil, socket: nil)
        } throws: { error in
            "\(error)".contains("cannot read the web password file \(directory)/web.password: No such file or directory")
        }
        try "not a hash\n".write(toFile: directory + "/web.password", atomically: true, encoding: .utf8)
        #expect {
            try WebSettings.load(configFile: path, listen: nil, socket: nil)
        } throws: { error in
            "\(error)".contains("\(directory)/web.password:1: not a bcrypt hash")
        }
        let hash = Bcrypt.hash("secret", cost: 4)
        try "# ops\n\(hash)\n".write(toFile: directory + "/web.password", atomically: true, encoding: .utf8)
        let settings = try WebSettings.load(configFile: path, listen: nil, socket: nil)
        #expect(settings.authentication?.user == "ops" && settings.authentication?.passwordHash == hash)
    }

    @Test func aBrokenConfigFileIsReportedByLine() throws {
        let (directory, path) = try configFile("web-listen = everywhere\n")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect {
            try WebSettings.load(configFile: path, listen: nil, socket: nil)
        } throws: { error in
            "\(error)".hasPrefix("\(path):1: web-listen: 'everywhere' is not a listen setting")
        }
    }
}
