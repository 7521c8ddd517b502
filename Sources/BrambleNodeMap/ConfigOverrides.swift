import BrambleWire

/// Settings given on the command line, which beat the config file. Values arrive already
/// parsed (a malformed flag is a usage error, reported by the argument parser with the same
/// reasons as a file line); paths arrive already resolved against the current directory.
/// Checks that involve other keys run after the merge, in `ConfigDraft.validated()`.
public struct ConfigOverrides: Hashable, Sendable {
    public var interface: InterfaceName?
    public var address: IPv4Interface?
    public var nodesPath: String?
    public var pxeDirectory: String?
    public var stateDirectory: String?
    public var domain: DomainName?
    /// When not empty, replaces the file's whole upstream list: flags say "use these".
    public var upstreams: [UpstreamServer]

    public init(
        interface: InterfaceName? = nil,
        address: IPv4Interface? = nil,
        nodesPath: String? = nil,
        pxeDirectory: String? = nil,
        stateDirectory: String? = nil,
        domain: DomainName? = nil,
        upstreams: [UpstreamServer] = []
    ) {
        self.interface = interface
        self.address = address
        self.nodesPath = nodesPath
        self.pxeDirectory = pxeDirectory
        self.stateDirectory = stateDirectory
        self.domain = domain
        self.upstreams = upstreams
    }
}
