import BrambleNodeMap
import Testing

@Suite struct WebConfigTests {
    @Test(arguments: [
        ("off", WebListen.off), ("loopback", .loopback(port: 9420)), ("hub", .hub(port: 9420)), ("loopback:8080", .loopback(port: 8080)),
        ("hub:1", .hub(port: 1)), ("hub:65535", .hub(port: 65535)),
    ])
    func listenSettingsParse(_ text: String, _ expected: WebListen) throws {
        #expect(try WebListen(parsing: text) == expected)
        #expect(expected.description == (text.contains(":") || text == "off" ? text : text + ":9420"))
    }

    @Test(arguments: ["", "all", "0.0.0.0", "hub:", "hub:0", "hub:65536", "hub:-1", "loopback:80a", "hub:00000080", "10.42.0.250:80", "hub:80:80"])
    func badListenSettingsSayWhatToWrite(_ text: String) {
        #expect(throws: InvalidConfigValue.self) { try WebListen(parsing: text) }
    }

    @Test func theWebIsOffByDefault() throws {
        let config = try ConfigParser.parse("", file: "/etc/bramble/bramble.conf").validated()
        #expect(config.webListen == .off && config.webUser == nil && config.webPasswordFile == nil)
    }

    @Test func aUserNeedsAPasswordFileAndTheReverse() throws {
        let both = try ConfigParser.parse("web-listen = hub\nweb-user = ops\nweb-password-file = web.password\n", file: "/etc/bramble/bramble.conf").validated()
        #expect(both.webListen == .hub(port: 9420))
        #expect(both.webUser?.name == "ops")
        #expect(both.webPasswordFile == "/etc/bramble/web.password")
        #expect {
            try ConfigParser.parse("web-user = ops\n", file: "/c").validated()
        } throws: { error in
            (error as? ConfigError)?.message == "/c:1: web-user is set but web-password-file is not: add the file holding the user's password hash (`bramble web hash-password`)"
        }
        #expect {
            try ConfigParser.parse("\nweb-password-file = /p\n", file: "/c").validated()
        } throws: { error in
            (error as? ConfigError)?.message.hasPrefix("/c:2: web-password-file is set but web-user is not") == true
        }
    }

    @Test(arguments: ["a:b", "", String(repeating: "u", count: 65), "tab\there"])
    func badUserNames(_ name: String) {
        #expect(throws: InvalidConfigValue.self) { try WebUser(parsing: name) }
    }
}
