/// Why `bramble web` cannot start. Each message says what to change.
public enum WebError: Error, Hashable, Sendable, CustomStringConvertible {
    /// `web-listen` is `off` (the default) and no `--listen` was given.
    case listenOff(config: String?)
    /// The config file cannot be read or is wrong: its diagnostics, one per line.
    case configuration(String)
    case passwordFile(PasswordFileProblem)
    /// Something else holds the port.
    case portInUse(host: String, port: Int)
    /// The address is not this machine's (the hub's address not configured yet, ...).
    case addressNotAvailable(host: String, port: Int)
    case cannotListen(host: String, port: Int, reason: String)
    /// `--listen` names something other than loopback or the hub.
    case badListen(String)

    public var description: String {
        switch self {
        case .listenOff(let config):
            "off: set `web-listen = loopback` (or `hub`, for the cluster side and the uplink) in \(config ?? "the config file"), "
                + "or pass --listen loopback[:PORT]; see docs/web.md"
        case .configuration(let message): message
        case .passwordFile(let problem): problem.description
        case .portInUse(let host, let port):
            "cannot listen on \(host):\(port): another program holds the port (`ss -ltnp 'sport = :\(port)'` names it); pick another with web-listen = ...:PORT"
        case .addressNotAvailable(let host, let port):
            "cannot listen on \(host):\(port): this machine has no such address (is the cluster interface up with the hub's address?)"
        case .cannotListen(let host, let port, let reason): "cannot listen on \(host):\(port): \(reason)"
        case .badListen(let message): message
        }
    }
}

/// The basic-auth password file cannot be used.
public enum PasswordFileProblem: Hashable, Sendable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case malformed(String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "cannot read the web password file \(path): \(reason)"
        case .malformed(let message): message
        }
    }
}
