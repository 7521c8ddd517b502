import ArgumentParser
import BrambleNodeMap
import BrambleWire
import Glibc

/// The flags that choose and override the configuration, shared by `serve` and by the commands
/// that find a running daemon (`status`, `logs`): add them with `@OptionGroup var config: ConfigOptions`
/// and call `loadConfiguration()`.
///
/// A malformed flag value is a usage error (exit 2), reported with the same reason a config
/// file line would get; a configuration that is wrong as a whole (pool outside an overridden
/// subnet, a broken config file) is a user error (exit 1) listing every problem.
public struct ConfigOptions: ParsableArguments {
    /// Read when `--config` is not given and the file exists; otherwise the built-in defaults apply.
    public static let defaultConfigPath = "/etc/bramble/bramble.conf"

    @Option(
        name: .customLong("config"),
        help: ArgumentHelp(
            "The config file: `key = value` lines; relative paths in it are relative to its directory. (default: \(Self.defaultConfigPath) if it exists, else built-in defaults)",
            valueName: "FILE"))
    public var configFile: String?

    @Option(
        help: ArgumentHelp("The cluster interface to serve DHCP, TFTP and DNS on. (default: eth0)", valueName: "IF"),
        transform: FlagValue.interface)
    public var interface: InterfaceName?

    @Option(
        help: ArgumentHelp(
            "The hub's address on that interface, with the prefix that defines the cluster subnet; node N gets host address N. (default: 10.42.0.250/24)",
            valueName: "A.B.C.D/N"),
        transform: FlagValue.hubAddress)
    public var address: IPv4Interface?

    @Option(
        help: ArgumentHelp("The node map: one `ID MAC [name]` line per node. (default: /etc/bramble/nodes)", valueName: "FILE"),
        transform: FlagValue.path)
    public var nodes: String?

    @Option(
        help: ArgumentHelp(
            "The directory holding boot/ (served over TFTP) and root/ (NFS roots). (default: /pxe)", valueName: "DIR"),
        transform: FlagValue.path)
    public var pxe: String?

    @Option(
        help: ArgumentHelp(
            "Where leases, boot logs and the control socket live; `status` and `logs` find the daemon here. (default: /var/lib/bramble)",
            valueName: "DIR"),
        transform: FlagValue.path)
    public var stateDir: String?

    @Option(
        help: ArgumentHelp("The DNS domain for node names: node 1 is node01.DOMAIN. (default: cluster)", valueName: "NAME"),
        transform: FlagValue.domain)
    public var domain: DomainName?

    @Option(
        name: .customLong("upstream"),
        help: ArgumentHelp(
            "A resolver for names outside the cluster, IP or IP:PORT; repeat for more, asked in order. Replaces the config file's list. (default: the hub's /etc/resolv.conf minus itself)",
            valueName: "IP[:PORT]"),
        transform: FlagValue.upstream)
    public var upstreams: [UpstreamServer] = []

    public init() {}

    /// The config file that `loadConfiguration` reads, as an absolute path, or nil when the
    /// built-in defaults apply (no `--config`, and no file at `defaultConfigPath`).
    public func configFilePath(defaultConfigPath: String = Self.defaultConfigPath) -> String? {
        Self.configFilePath(configFile, defaultConfigPath: defaultConfigPath)
    }

    /// The effective configuration: the config file (or the built-in defaults), then these
    /// flags, then the checks between keys. A `--config` file that does not exist is an error;
    /// a missing default file is not.
    ///
    /// - Parameter defaultConfigPath: where to look without `--config`; tests point it elsewhere.
    public func loadConfiguration(defaultConfigPath: String = Self.defaultConfigPath) throws(ConfigLoadError) -> BrambleConfig {
        try Self.loadConfiguration(configFile: configFile, overrides: overrides, defaultConfigPath: defaultConfigPath)
    }

    /// The loading rule itself, for option groups that offer only some of these flags.
    static func loadConfiguration(configFile: String?, overrides: ConfigOverrides, defaultConfigPath: String = defaultConfigPath) throws(ConfigLoadError) -> BrambleConfig {
        var draft = ConfigDraft.builtInDefaults
        if let path = configFilePath(configFile, defaultConfigPath: defaultConfigPath) {
            do {
                draft = ConfigParser.parse(try TextFile.read(path), file: path)
            } catch {
                throw .unreadable(error)
            }
        }
        do {
            return try draft.applying(overrides).validated()
        } catch {
            throw .invalid(error)
        }
    }

    private static func configFilePath(_ configFile: String?, defaultConfigPath: String) -> String? {
        if let configFile { return absolute(configFile) }
        return TextFile.exists(defaultConfigPath) ? defaultConfigPath : nil
    }

    /// The flags as overrides, with relative paths made absolute against the current
    /// directory (as any command-line path would be), so the daemon may change directory later.
    public var overrides: ConfigOverrides {
        ConfigOverrides(
            interface: interface,
            address: address,
            nodesPath: nodes.map(Self.absolute),
            pxeDirectory: pxe.map(Self.absolute),
            stateDirectory: stateDir.map(Self.absolute),
            domain: domain,
            upstreams: upstreams
        )
    }

    static func absolute(_ path: String) -> String {
        guard !path.hasPrefix("/"), let directory = currentDirectory() else { return path }
        return ConfigPath.resolve(path, relativeTo: directory)
    }

    private static func currentDirectory() -> String? {
        guard let buffer = getcwd(nil, 0) else { return nil }
        defer { free(buffer) }
        return String(cString: buffer)
    }
}

/// Flag transforms: the config module's parsers, with their reasons turned into usage errors
/// so ArgumentParser prints them after the flag's name and exits 2.
enum FlagValue {
    @Sendable static func interface(_ text: String) throws -> InterfaceName {
        try usage { () throws(InvalidConfigValue) in try InterfaceName(parsing: text) }
    }

    @Sendable static func hubAddress(_ text: String) throws -> IPv4Interface {
        try usage { () throws(InvalidConfigValue) in try IPv4Interface(parsingHubAddress: text) }
    }

    @Sendable static func domain(_ text: String) throws -> DomainName {
        try usage { () throws(InvalidConfigValue) in try DomainName(parsing: text) }
    }

    @Sendable static func upstream(_ text: String) throws -> UpstreamServer {
        try usage { () throws(InvalidConfigValue) in try UpstreamServer(parsing: text) }
    }

    @Sendable static func path(_ text: String) throws -> String {
        guard !text.isEmpty else { throw ValidationError("an empty path names nothing") }
        return text
    }

    private static func usage<Value>(_ parse: () throws(InvalidConfigValue) -> Value) throws(ValidationError) -> Value {
        do {
            return try parse()
        } catch {
            throw ValidationError(error.reason)
        }
    }
}
