import ArgumentParser

import Glibc

extension ParsableCommand {
    /// Runs the command line and exits with the contract in docs/design.md: 0 success, 1 a user error
    /// (a message naming file and line), 2 a usage error. ArgumentParser's own default for
    /// usage errors is 64 (EX_USAGE); scripts written for dnsmasq-era tooling expect 2.
    public static func runMain(arguments: [String]? = nil) -> Never {
        var command: any ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            exit(reportingParseError: error)
        }
        do {
            try command.run()
            Glibc.exit(0)
        } catch let error as any UserFacingError {
            printToStandardError(error.message)
            Glibc.exit(1)
        } catch let error as ValidationError {
            // Raised by a command after parsing (a bad MAC in its arguments): the message
            // alone says it; the root usage line would only distract.
            let path = commandPath(to: type(of: command), from: Self.self) ?? ["bramble"]
            printToStandardError("Error: \(error.message)\nSee '\(path.joined(separator: " ")) --help'.")
            Glibc.exit(2)
        } catch {
            exit(reportingParseError: error)
        }
    }

    /// The words that invoke `target` (`["bramble", "nodes", "set"]`), found by walking the
    /// subcommand tree, for hints that name the command the user actually ran.
    static func commandPath(to target: any ParsableCommand.Type, from root: any ParsableCommand.Type) -> [String]? {
        let name = root.configuration.commandName ?? "bramble"
        if root == target { return [name] }
        for sub in root.configuration.subcommands {
            if let path = commandPath(to: target, from: sub) { return [name] + path }
        }
        return nil
    }

    private static func exit(reportingParseError error: any Error) -> Never {
        let code = exitCode(for: error)
        if code == .success {
            print(fullMessage(for: error))  // --help and --version
            Glibc.exit(0)
        }
        printToStandardError(fullMessage(for: error))
        Glibc.exit(code == .validationFailure ? 2 : code.rawValue)
    }
}

/// An error the operator can act on: its message already says what is wrong and where.
/// Commands throw these; the entry point prints the message (no "Error:" prefix) and exits 1.
public protocol UserFacingError: Error {
    var message: String { get }
}

package func printToStandardError(_ text: String) {
    var text = text
    if !text.hasSuffix("\n") { text += "\n" }
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
        let written = bytes.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
        if written < 0 { if errno == EINTR { continue } else { return } }
        bytes = bytes.dropFirst(written)
    }
}
