import Glibc
import BrambleNodeMap
import BrambleWire

let clusterSubnet = IPv4Interface("10.42.0.250/24")!.subnet

/// Reads a file under the repository's `Fixtures/` directory.
func fixture(_ relativePath: String) throws -> String {
    let testsDirectory = #filePath.split(separator: "/").dropLast(3).joined(separator: "/")
    let path = "/" + testsDirectory + "/Fixtures/" + relativePath
    return try readWholeFile(path)
}

/// Reads a repository file (the samples in `etc/`, `pxe/`) by its path from the repository root.
func repositoryFile(_ relativePath: String) throws -> String {
    let root = #filePath.split(separator: "/").dropLast(3).joined(separator: "/")
    return try readWholeFile("/" + root + "/" + relativePath)
}

struct FixtureMissing: Error { let path: String }

private func readWholeFile(_ path: String) throws -> String {
    var bytes: [UInt8] = []
    guard let file = fopen(path, "r") else { throw FixtureMissing(path: path) }
    defer { fclose(file) }
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&buffer, 1, buffer.count, file)
        if n == 0 { break }
        bytes += buffer[0..<n]
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// Parses and validates, failing the test with every diagnostic if the map is invalid.
func validMap(_ text: String, file: String = "nodes") throws -> NodeMap {
    try NodeMap(parsing: text, fileName: file, subnet: clusterSubnet)
}

/// The diagnostics of an invalid map as `(line, message)` pairs.
func diagnostics(of text: String) -> [NodeMapDiagnostic] {
    do {
        _ = try NodeMap(parsing: text, fileName: "nodes", subnet: clusterSubnet)
        return []
    } catch {
        return error.diagnostics
    }
}
