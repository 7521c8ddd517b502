import ArgumentParser
import BrambleCommands
import BrambleNodeMap
import BrambleTestSupport
import BrambleWire
import Glibc
import Testing

@Suite struct ConfigOptionsTests {
    private func options(_ arguments: [String]) throws -> ConfigOptions { try ConfigOptions.parse(arguments) }

    @Test func withoutAConfigFileTheDefaultsApply() throws {
        let loaded = try options([]).loadConfiguration(defaultConfigPath: "/nonexistent/bramble.conf")
        #expect(loaded == BrambleConfig.defaults)
        #expect(try options([]).configFilePath(defaultConfigPath: "/nonexistent/bramble.conf") == nil)
    }

    @Test func theDefaultConfigFileIsReadWhenItExists() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        try scratch.file("bramble.conf", text: "domain = lab\nnodes = nodes\n")
        let loaded = try options([]).loadConfiguration(defaultConfigPath: scratch.path + "/bramble.conf")
        #expect(loaded.domain.name == "lab")
        #expect(loaded.nodesPath == scratch.path + "/nodes")
    }

    @Test func flagsOverrideTheConfigFile() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        try scratch.file("b.conf", text: "interface = eth0\nupstream = 192.0.2.1\npool = 10.42.0.10-10.42.0.20\n")
        let parsed = try options([
            "--config", scratch.path + "/b.conf", "--interface", "eth1", "--address", "10.42.0.1/24",
            "--nodes", "/srv/nodes", "--pxe", "/srv/pxe", "--state-dir", "/srv/state", "--domain", "rack",
            "--upstream", "198.51.100.1", "--upstream", "198.51.100.2:5353",
        ])
        let loaded = try parsed.loadConfiguration(defaultConfigPath: "/nonexistent")
        #expect(loaded.interface.name == "eth1")
        #expect(loaded.address.description == "10.42.0.1/24")
        #expect(loaded.nodesPath == "/srv/nodes")
        #expect(loaded.pxeDirectory == "/srv/pxe")
        #expect(loaded.stateDirectory == "/srv/state")
        #expect(loaded.domain.name == "rack")
        #expect(loaded.upstreams.map(\.description) == ["198.51.100.1", "198.51.100.2:5353"])
        #expect(loaded.pool?.description == "10.42.0.10-10.42.0.20")
    }

    @Test func relativeFlagPathsAreRelativeToTheCurrentDirectory() throws {
        let parsed = try options(["--nodes", "my/nodes", "--pxe", "/abs/pxe"])
        let directory = try #require(getcwd(nil, 0))
        defer { free(directory) }
        #expect(parsed.overrides.nodesPath == String(cString: directory) + "/my/nodes")
        #expect(parsed.overrides.pxeDirectory == "/abs/pxe")
    }

    @Test func aMissingConfigFlagFileIsAnError() throws {
        let parsed = try options(["--config", "/nonexistent/b.conf"])
        do throws(ConfigLoadError) {
            _ = try parsed.loadConfiguration()
            Issue.record("a missing --config file should be refused")
        } catch {
            #expect(error.message == "/nonexistent/b.conf: cannot open: No such file or directory")
        }
    }

    @Test func everyProblemOfTheMergedConfigurationIsInTheMessage() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let path = scratch.path + "/b.conf"
        try scratch.file("b.conf", text: "interfce = eth0\npool = 10.42.0.10-10.42.0.20\n")
        let parsed = try options(["--config", path, "--address", "10.43.0.1/24"])
        do throws(ConfigLoadError) {
            _ = try parsed.loadConfiguration()
            Issue.record("the configuration should have been refused")
        } catch {
            #expect(error.message == """
                \(path):1: unknown key 'interfce' (did you mean 'interface'?)
                \(path):2: pool 10.42.0.10-10.42.0.20 is not inside the cluster subnet 10.43.0.0/24 (address 10.43.0.1/24, from --address): use addresses from 10.43.0.1 to 10.43.0.254
                """)
        }
    }

    @Test(arguments: [
        (["--address", "10.42.0.250"], "'10.42.0.250' has no prefix length: write it as 10.42.0.250/24 (or the cluster's prefix)"),
        (["--domain", "my_lab"], "'my_lab' contains '_': a domain name holds letters, digits, hyphens and dots only"),
        (["--upstream", "192.0.2.1:99999"], "'192.0.2.1:99999' has a bad port: write a number from 1 to 65535 after the ':'"),
        (["--interface", "eth 0"], "'eth 0' is not an interface name: names hold no '/' or spaces (see `ip link`)"),
        (["--nodes", ""], "an empty path names nothing"),
    ])
    func malformedFlagsAreUsageErrorsWithTheParsersReason(arguments: [String], reason: String) {
        do {
            _ = try ConfigOptions.parse(arguments)
            Issue.record("\(arguments) should not parse")
        } catch {
            let message = ConfigOptions.message(for: error)
            #expect(message.contains(reason), "\(message)")
            #expect(ConfigOptions.exitCode(for: error) == .validationFailure)
        }
    }

    @Test func helpShowsTheDefaults() {
        let help = ConfigOptions.helpMessage(columns: 400)
        for fragment in ["--config <FILE>", "/etc/bramble/bramble.conf", "(default: eth0)", "(default: 10.42.0.250/24)",
                         "--upstream <IP[:PORT]>", "(default: cluster)", "(default: /pxe)", "(default: /var/lib/bramble)"] {
            #expect(help.contains(fragment), "help lacks \(fragment)")
        }
    }
}
