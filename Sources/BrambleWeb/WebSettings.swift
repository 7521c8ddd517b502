import BrambleFiles
import BrambleNodeMap
import BrambleWire
import BrambleWebCore
import Glibc

/// Everything `bramble web` runs with: where it listens, which control socket it asks and
/// whom it admits, from the config file `bramble serve` uses and the command's flags.
public struct WebSettings: Sendable {
    public var host: String
    public var port: Int
    public var socketPath: String
    public var authentication: WebAuthentication?
    /// The Edge Rack BMC to poll for each bay's current and fan; nil: not polled (`bmc-poll = off`).
    public var bmc: BMCWatchSettings?

    public init(host: String, port: Int, socketPath: String, authentication: WebAuthentication? = nil, bmc: BMCWatchSettings? = nil) {
        self.host = host
        self.port = port
        self.socketPath = socketPath
        self.authentication = authentication
        self.bmc = bmc
    }

    /// The settings for a configuration: `listen` (a `--listen` value) replaces `web-listen`,
    /// `socket` replaces `<state-dir>/control.sock`, `bmcPoll` replaces `bmc-poll`.
    public init(configuration: BrambleConfig, configPath: String?, listen: WebListen?, socket: String?, bmcPoll: BMCPollInterval? = nil) throws(WebError) {
        let where_ = listen ?? configuration.webListen
        switch where_ {
        case .off: throw .listenOff(config: configPath)
        case .loopback(let port):
            host = "127.0.0.1"
            self.port = Int(port)
        case .hub(let port):
            host = configuration.address.address.description
            self.port = Int(port)
        }
        socketPath = socket ?? configuration.stateDirectory + "/control.sock"
        if let user = configuration.webUser, let path = configuration.webPasswordFile {
            authentication = WebAuthentication(user: user.name, passwordHash: try Self.readPasswordHash(path))
        } else {
            authentication = nil
        }
        switch bmcPoll ?? configuration.bmcPoll {
        case .off: bmc = nil
        case .every(let seconds):
            bmc = BMCWatchSettings(device: configuration.bmcDevice, intervalSeconds: seconds, nodesPath: configuration.nodesPath, subnet: configuration.subnet)
        }
    }

    static func readPasswordHash(_ path: String) throws(WebError) -> String {
        let bytes: [UInt8]
        do throws(FileAccessError) {
            bytes = try FileContents.read(path, limit: PasswordHashFile.maximumSize + 1)
        } catch {
            throw .passwordFile(.unreadable(path: path, reason: error.reason))
        }
        do {
            return try PasswordHashFile(parsing: bytes, path: path).hash
        } catch {
            throw .passwordFile(.malformed(error.description))
        }
    }
}

/// The one user basic authentication admits and the bcrypt hash of their password.
public struct WebAuthentication: Sendable {
    public var user: String
    public var passwordHash: String

    public init(user: String, passwordHash: String) {
        self.user = user
        self.passwordHash = passwordHash
    }
}
