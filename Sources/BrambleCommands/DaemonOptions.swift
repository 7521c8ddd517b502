import ArgumentParser
import BrambleNodeMap

/// How a command finds the running daemon: its state directory, given directly or read
/// from the config file `serve` uses, as the interface contract in docs/design.md says.
struct DaemonOptions: ParsableArguments {
    @Option(
        name: .customLong("config"),
        help: ArgumentHelp("The config file `bramble serve` runs with; its state-dir holds the control socket.", valueName: "FILE"))
    var configFile: String?

    @Option(
        help: ArgumentHelp("The daemon's state directory (its --state-dir). (default: from the config, else /var/lib/bramble)", valueName: "DIR"),
        transform: FlagValue.path)
    var stateDir: String?

    static let socketName = "control.sock"

    /// The daemon's configuration as these flags select it (the node map's path for `enroll`).
    func configuration(defaultConfigPath: String = ConfigOptions.defaultConfigPath) throws(ConfigLoadError) -> BrambleConfig {
        let overrides = ConfigOverrides(stateDirectory: stateDir.map(ConfigOptions.absolute))
        return try ConfigOptions.loadConfiguration(configFile: configFile, overrides: overrides, defaultConfigPath: defaultConfigPath)
    }

    /// `<state-dir>/control.sock`, from `--state-dir`, else the config file's `state-dir`.
    func socketPath(defaultConfigPath: String = ConfigOptions.defaultConfigPath) throws(ConfigLoadError) -> String {
        Self.socketPath(in: try configuration(defaultConfigPath: defaultConfigPath))
    }

    static func socketPath(in configuration: BrambleConfig) -> String { configuration.stateDirectory + "/" + socketName }
}
