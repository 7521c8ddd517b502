import ArgumentParser

import Glibc

extension BrambleCommand {
    /// Runs the command line and exits with DESIGN.md's contract: 0 success, 1 a user error
    /// (a message naming file and line), 2 a usage error. ArgumentParser's own default for
    /// usage errors is 64 (EX_USAGE); scripts written for dnsmasq-era tooling expect 2.
    public static func runMain(arguments: [String]? = nil) -> Never {
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            Glibc.exit(0)
        } catch let error as any UserFacingError {
            printToStandardError(error.message)
            Glibc.exit(1)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))  // --help and --version
                Glibc.exit(0)
            }
            printToStandardError(fullMessage(for: error))
            Glibc.exit(code == .validationFailure ? 2 : code.rawValue)
        }
    }
}

/// An error the operator can act on: its message already says what is wrong and where.
/// Commands throw these; the entry point prints the message (no "Error:" prefix) and exits 1.
public protocol UserFacingError: Error {
    var message: String { get }
}

func printToStandardError(_ text: String) {
    var text = text
    if !text.hasSuffix("\n") { text += "\n" }
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
        let written = bytes.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
        if written < 0 { if errno == EINTR { continue } else { return } }
        bytes = bytes.dropFirst(written)
    }
}
