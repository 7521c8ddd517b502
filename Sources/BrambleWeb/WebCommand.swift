import ArgumentParser
import BrambleFiles
import BrambleNodeMap
import BrambleWebCore
import Glibc
import HummingbirdBcrypt
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import UnixSignals

/// `bramble web` (this program is `bramble-web`, which `bramble web` runs): the dashboard and
/// the JSON endpoints over HTTP, from what the daemon says on its control socket.
public struct WebCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "bramble web",
        abstract: "Serve the module's live dashboard over HTTP, read-only, from the running bramble serve.",
        discussion: """
            Listens where web-listen in bramble.conf says (loopback or the hub's address; off by default) \
            and asks the daemon over <state-dir>/control.sock. With web-user and web-password-file set, \
            every request needs that user's password (basic authentication). Options: \
            `bramble web serve --help` (serve is the default: `bramble web --listen loopback:9420` runs it). \
            See docs/web.md.
            """,
        subcommands: [Serve.self, HashPassword.self],
        defaultSubcommand: Serve.self
    )

    public init() {}

    /// The program's entry: a ``WebExit`` is printed as it is (no "Error:") with status 1.
    public static func runMain() async {
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch let failure as WebExit {
            StandardError.write(failure.message + "\n")
            Glibc.exit(1)
        } catch {
            exit(withError: error)
        }
    }

    /// Runs the dashboard.
    public struct Serve: AsyncParsableCommand {
        public static let configuration = CommandConfiguration(commandName: "serve", abstract: "Serve the dashboard.")

        @Option(name: .customLong("config"), help: ArgumentHelp("The config file `bramble serve` runs with. (default: /etc/bramble/bramble.conf if it exists)", valueName: "FILE"))
        var configFile: String?

        @Option(help: ArgumentHelp("Where to listen, instead of web-listen: loopback[:PORT] or hub[:PORT].", valueName: "WHERE"))
        var listen: String?

        @Option(help: ArgumentHelp("The daemon's control socket, instead of <state-dir>/control.sock.", valueName: "PATH"))
        var socket: String?

        @Option(help: ArgumentHelp("Read each bay's current and fan from the Edge Rack's BMC this often (off, or seconds), instead of bmc-poll.", valueName: "SECONDS"))
        var bmcPoll: String?

        public init() {}

        public func run() async throws {
            let settings: WebSettings
            do {
                settings = try WebSettings.load(configFile: configFile, listen: listen, socket: socket, bmcPoll: bmcPoll)
            } catch {
                throw WebExit(message: "bramble web: \(error.description)")
            }
            do {
                try await WebServer.run(settings)
            } catch {
                throw WebExit(message: "bramble web: \(error.description)")
            }
        }
    }

    /// Prints the bcrypt hash of a password read from standard input, for web-password-file.
    public struct HashPassword: ParsableCommand {
        public static let configuration = CommandConfiguration(
            commandName: "hash-password",
            abstract: "Print the bcrypt hash of the password on standard input (one line), for web-password-file.")

        @Option(help: "bcrypt's cost: each step doubles the work of a check (and of a guess).")
        var cost: UInt8 = 12

        public init() {}

        public func validate() throws {
            guard (4...31).contains(cost) else { throw ValidationError("--cost must be 4 to 31") }
        }

        public func run() throws {
            guard let line = readLine(strippingNewline: true), !line.isEmpty else {
                throw WebExit(message: "bramble web hash-password: no password on standard input (e.g. `read -rs p; echo \"$p\" | bramble web hash-password`)")
            }
            print(Bcrypt.hash(line, cost: cost))
        }
    }
}

/// Standard error without Foundation's FileHandle.
enum StandardError {
    static func write(_ text: String) {
        var bytes = Array(text.utf8)
        _ = Glibc.write(2, &bytes, bytes.count)
    }
}

/// A message for the user and exit status 1, printed without ArgumentParser's "Error:".
struct WebExit: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

extension WebSettings {
    /// The config file (the one given, else /etc/bramble/bramble.conf if it exists, else the
    /// built-in defaults) with the flags in place of its web settings.
    static func load(
        configFile: String?, listen: String?, socket: String?, bmcPoll: String? = nil, defaultConfigPath: String = "/etc/bramble/bramble.conf"
    ) throws(WebError) -> WebSettings {
        let override: WebListen?
        do throws(InvalidConfigValue) {
            override = try listen.map { text throws(InvalidConfigValue) in try WebListen(parsing: text) }
        } catch {
            throw .badListen("--listen: \(error.reason)")
        }
        let pollOverride: BMCPollInterval?
        do throws(InvalidConfigValue) {
            pollOverride = try bmcPoll.map { text throws(InvalidConfigValue) in try BMCPollInterval(parsing: text) }
        } catch {
            throw .configuration("--bmc-poll: \(error.reason)")
        }
        let path = configFile ?? (access(defaultConfigPath, F_OK) == 0 ? defaultConfigPath : nil)
        var draft = ConfigDraft.builtInDefaults
        if let path {
            let bytes: [UInt8]
            do throws(FileAccessError) {
                bytes = try FileContents.read(path, limit: (1 << 20) + 1)
            } catch {
                throw .configuration("cannot read the config file \(path): \(error.reason)")
            }
            guard bytes.count <= 1 << 20 else { throw .configuration("the config file \(path) is larger than 1 MiB: is it the right file?") }
            draft = ConfigParser.parse(String(decoding: bytes, as: UTF8.self), file: path)
        }
        let configuration: BrambleConfig
        do {
            configuration = try draft.validated()
        } catch {
            throw .configuration(error.message)
        }
        return try WebSettings(configuration: configuration, configPath: path, listen: override, socket: socket, bmcPoll: pollOverride)
    }
}

/// The HTTP server and the daemon watch, run together until SIGTERM or SIGINT.
public enum WebServer {
    public static func run(_ settings: WebSettings) async throws(WebError) {
        var logger = Logger(label: "bramble-web")
        logger.logLevel = .notice
        let client = DaemonClient(socketPath: settings.socketPath)
        let state = DashboardState()
        let router = WebRoutes.router(client: client, state: state, authentication: settings.authentication)
        var services: [any Service] = [DaemonWatch(client: client, state: state)]
        if let bmc = settings.bmc { services.append(BMCWatch(settings: bmc, state: state)) }
        let application = Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(settings.host, port: settings.port), serverName: nil, reuseAddress: true),
            services: services,
            onServerRunning: { channel in
                let shown = channel.localAddress.map { "\($0.ipAddress ?? settings.host):\($0.port ?? settings.port)" } ?? "\(settings.host):\(settings.port)"
                print("bramble web: serving http://\(shown)/ from the daemon on \(settings.socketPath)\(settings.authentication == nil ? "" : " (basic authentication)")"
                    + (settings.bmc.map { ", the BMC on \($0.device) every \($0.intervalSeconds) s" } ?? ""))
                fflush(nil)
            },
            logger: logger
        )
        do {
            try await application.runService(gracefulShutdownSignals: [.sigterm, .sigint])
        } catch {
            throw listenError(error, settings: settings)
        }
    }

    static func listenError(_ error: any Error, settings: WebSettings) -> WebError {
        if let io = error as? IOError {
            switch io.errnoCode {
            case EADDRINUSE: return .portInUse(host: settings.host, port: settings.port)
            case EADDRNOTAVAIL: return .addressNotAvailable(host: settings.host, port: settings.port)
            default: return .cannotListen(host: settings.host, port: settings.port, reason: String(cString: strerror(io.errnoCode)))
            }
        }
        return .cannotListen(host: settings.host, port: settings.port, reason: String(describing: error))
    }
}
