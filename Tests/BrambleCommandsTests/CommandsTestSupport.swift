import BrambleWire

let clusterSubnet = IPv4Interface("10.42.0.250/24")!.subnet

/// The path of a file under the repository's `Fixtures/`.
func fixturePath(_ relativePath: String) -> String {
    "/" + #filePath.split(separator: "/").dropLast(3).joined(separator: "/") + "/Fixtures/" + relativePath
}
