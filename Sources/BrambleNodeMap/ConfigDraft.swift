import BrambleWire

/// A configuration being assembled: built-in defaults, then a config file's lines, then
/// command-line overrides, remembering where every value came from. Only `validated()` turns
/// it into a `BrambleConfig`, after the checks that involve more than one key, so that a flag
/// changing `address` is checked against the file's `pool` exactly like a file line would be.
///
/// Problems found while reading lines are collected, not thrown: the operator sees all of them
/// at once.
public struct ConfigDraft: Sendable {
    public private(set) var settings: BrambleConfig
    public private(set) var diagnostics: [ConfigDiagnostic] = []
    private var locations: [ConfigKey: ConfigLocation] = [:]
    private var upstreamLocations: [ConfigLocation] = []
    /// Keys whose last written value was refused: checks against other keys skip them rather
    /// than report a second, confusing error about the default that stayed in place.
    private var rejectedKeys: Set<ConfigKey> = []

    /// Defaults only: what `bramble serve` uses when there is no config file.
    public static var builtInDefaults: ConfigDraft { ConfigDraft(settings: .defaults) }

    private init(settings: BrambleConfig) { self.settings = settings }

    /// Where `key` was set, or nil when it still has its default.
    public func location(of key: ConfigKey) -> ConfigLocation? { locations[key] }

    mutating func report(_ reason: String, at location: ConfigLocation) {
        diagnostics.append(ConfigDiagnostic(location: location, reason: reason))
    }

    /// Sets `key` from a file line, reporting a bad value at that line. A relative path is
    /// resolved against `directory`, the config file's own.
    mutating func assign(_ key: ConfigKey, text: String, at location: ConfigLocation, relativeTo directory: String?) {
        if !key.isRepeatable { locations[key] = location }
        do throws(InvalidConfigValue) {
            try assign(key, text: text, relativeTo: directory)
            rejectedKeys.remove(key)
            if key.isRepeatable { upstreamLocations.append(location) }
        } catch {
            rejectedKeys.insert(key)
            report("\(key.rawValue): \(error.reason)", at: location)
        }
    }

    private mutating func assign(_ key: ConfigKey, text: String, relativeTo directory: String?) throws(InvalidConfigValue) {
        guard !text.isEmpty || key == .logFile else {
            throw InvalidConfigValue("no value after '=': write '\(key.rawValue) = VALUE' or remove the line to keep the default")
        }
        let path = ConfigPath.resolve(text, relativeTo: directory)
        switch key {
        case .interface: settings.interface = try InterfaceName(parsing: text)
        case .address: settings.address = try IPv4Interface(parsingHubAddress: text)
        case .domain: settings.domain = try DomainName(parsing: text)
        case .nodes: settings.nodesPath = path
        case .pxe: settings.pxeDirectory = path
        case .stateDirectory: settings.stateDirectory = path
        case .logFile: settings.logFile = text.isEmpty ? nil : path
        case .upstream: settings.upstreams.append(try UpstreamServer(parsing: text))
        case .leaseTime: settings.leaseTime = try LeaseDuration(parsing: text)
        case .pool: settings.pool = text == "off" ? nil : try AddressPool(parsing: text)
        case .logLevel: settings.logLevel = try LogLevel(parsing: text)
        case .pxeBootFile: settings.pxeBootFiles = try PXEBootFiles(parsing: text)
        case .iPXEBootFile: settings.iPXEBootFile = try IPXEBootFile(parsing: text)
        case .pi3BReplyDelay: settings.pi3BReplyDelay = try ReplyDelay(parsing: text)
        case .piBootMenu: settings.piBootMenu = try BootMenuText(parsing: text)
        case .tftpMaxTransfers: settings.tftpMaxTransfers = try TransferLimit(parsing: text)
        case .tftpMaxPerClient: settings.tftpMaxPerClient = try TransferLimit(parsing: text)
        case .netconsolePort: settings.netconsolePort = try NetconsolePort.parse(text)
        case .dhcpMode: settings.dhcpMode = try DHCPMode(parsing: text)
        case .dns: settings.dns = try DNSMode(parsing: text)
        case .rootsKeep: settings.rootsKeep = try RootsKeepList(parsing: text)
        case .exportsFile: settings.exportsFile = path
        case .bmcDevice:
            guard text.hasPrefix("/") else { throw InvalidConfigValue("'\(text)' is not an absolute device path, e.g. /dev/serial0 or /dev/ttyUSB0") }
            settings.bmcDevice = text
        case .bmcPoll: settings.bmcPoll = try BMCPollInterval(parsing: text)
        case .webListen: settings.webListen = try WebListen(parsing: text)
        case .webUser: settings.webUser = try WebUser(parsing: text)
        case .webPasswordFile: settings.webPasswordFile = path
        }
    }

    /// The draft with command-line values in place of the file's. Nothing is checked here:
    /// `validated()` checks the merged result.
    public func applying(_ overrides: ConfigOverrides) -> ConfigDraft {
        var draft = self
        if let interface = overrides.interface {
            draft.settings.interface = interface
            draft.markOverridden(.interface)
        }
        if let address = overrides.address {
            draft.settings.address = address
            draft.markOverridden(.address)
        }
        if let nodesPath = overrides.nodesPath {
            draft.settings.nodesPath = nodesPath
            draft.markOverridden(.nodes)
        }
        if let pxeDirectory = overrides.pxeDirectory {
            draft.settings.pxeDirectory = pxeDirectory
            draft.markOverridden(.pxe)
        }
        if let stateDirectory = overrides.stateDirectory {
            draft.settings.stateDirectory = stateDirectory
            draft.markOverridden(.stateDirectory)
        }
        if let domain = overrides.domain {
            draft.settings.domain = domain
            draft.markOverridden(.domain)
        }
        if !overrides.upstreams.isEmpty {
            draft.settings.upstreams = overrides.upstreams
            draft.upstreamLocations = overrides.upstreams.map { _ in ConfigLocation.flag(ConfigKey.upstream.flag) }
            draft.rejectedKeys.remove(.upstream)
        }
        return draft
    }

    private mutating func markOverridden(_ key: ConfigKey) {
        locations[key] = .flag(key.flag)
        rejectedKeys.remove(key)
    }

    /// The finished configuration, or every problem found: those of the file's lines and those
    /// between keys (pool against the subnet and the hub, upstreams against the hub).
    public func validated() throws(ConfigError) -> BrambleConfig {
        var draft = self
        if !rejectedKeys.contains(.address) {
            draft.checkPool()
            draft.checkUpstreams()
        }
        draft.checkWebAuthentication()
        guard draft.diagnostics.isEmpty else { throw ConfigError(diagnostics: draft.sortedDiagnostics) }
        return settings
    }

    private mutating func checkPool() {
        guard let pool = settings.pool, let poolLocation = locations[.pool] else { return }
        if settings.dhcpMode == .proxy {
            report(
                "pool \(pool) is for dhcp-mode = server: in proxy mode the network's own DHCP server assigns every address; "
                    + "remove the pool line or set dhcp-mode = server",
                at: poolLocation)
            return
        }
        let subnet = settings.subnet
        let hub = settings.address.address
        if subnet.hostNumber(of: pool.first) == nil || subnet.hostNumber(of: pool.last) == nil {
            let firstHost = subnet.host(1).map(String.init(describing:)) ?? "?"
            let lastHost = subnet.host(Int(subnet.maxHostNumber)).map(String.init(describing:)) ?? "?"
            report(
                "pool \(pool) is not inside the cluster subnet \(subnet) (\(addressOrigin)): "
                    + "use addresses from \(firstHost) to \(lastHost)",
                at: poolLocation)
        } else if pool.contains(hub) {
            report(
                "pool \(pool) contains the hub's own address \(hub) (\(addressOrigin)): "
                    + "end the pool before it or start it after it",
                at: poolLocation)
        }
    }

    private mutating func checkUpstreams() {
        let hub = settings.address.address
        for (upstream, location) in zip(settings.upstreams, upstreamLocations)
        where upstream.address == hub && upstream.port == UpstreamServer.defaultPort {
            report(
                "upstream \(upstream) is the hub itself (\(addressOrigin)): bramble would forward "
                    + "queries to itself; name the resolvers the hub uses, or remove the line to use its resolv.conf",
                at: location)
        }
    }

    /// `web-user` and `web-password-file` go together: a user without a password would admit
    /// anyone who guesses the name, a password file without a user is a forgotten line.
    private mutating func checkWebAuthentication() {
        guard !rejectedKeys.contains(.webUser), !rejectedKeys.contains(.webPasswordFile) else { return }
        if let location = locations[.webUser], settings.webPasswordFile == nil {
            report("web-user is set but web-password-file is not: add the file holding the user's password hash (`bramble web hash-password`)", at: location)
        } else if let location = locations[.webPasswordFile], settings.webUser == nil {
            report("web-password-file is set but web-user is not: add the user name the password belongs to", at: location)
        }
    }

    /// "address 10.42.0.250/24, line 3" / "..., from --address" / "..., the default": says which
    /// setting to look at when the blamed line is right and the address is what changed.
    private var addressOrigin: String {
        let origin: String = switch locations[.address] {
        case .line(_, let number)?: "set at line \(number)"
        case .flag(let flag)?: "from \(flag)"
        case nil: "the default"
        }
        return "address \(settings.address), \(origin)"
    }

    /// File lines in line order, then flags: the order an operator fixes them in.
    private var sortedDiagnostics: [ConfigDiagnostic] {
        diagnostics.enumerated().sorted { lhs, rhs in
            let left = Self.sortKey(lhs.element.location), right = Self.sortKey(rhs.element.location)
            return left != right ? left < right : lhs.offset < rhs.offset
        }.map(\.element)
    }

    private static func sortKey(_ location: ConfigLocation) -> Int {
        switch location {
        case .line(_, let number): number
        case .flag: Int.max
        }
    }
}

extension ConfigKey {
    /// The `bramble serve` flag that overrides this key: `--` and the key's spelling.
    public var flag: String { "--" + rawValue }
}
