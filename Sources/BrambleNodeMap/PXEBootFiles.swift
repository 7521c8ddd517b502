import BrambleWire

/// Boot files for PXE clients that are not Raspberry Pis, by the client architecture they
/// send in DHCP option 93 (RFC 4578: 0 x86 BIOS, 6 EFI IA32, 7 and 9 EFI x64, 11 EFI ARM64).
/// Every Pi firmware ignores the boot file, so this only matters for PCs, VMs and iPXE.
///
/// Written as a comma-separated list: `pxe-boot-file = 0:undionly.kpxe, 7:ipxe.efi`.
public struct PXEBootFiles: Hashable, Sendable, CustomStringConvertible {
    public let fileByArchitecture: [UInt16: String]

    public static let none = PXEBootFiles(fileByArchitecture: [:])

    private init(fileByArchitecture: [UInt16: String]) { self.fileByArchitecture = fileByArchitecture }

    public init(parsing text: String) throws(InvalidConfigValue) {
        var files: [UInt16: String] = [:]
        for entry in text.split(separator: ",") {
            let trimmed = entry.trimmingSpaces
            guard let colon = trimmed.firstIndex(of: ":"),
                  let architecture = UInt16(trimmed[..<colon].trimmingSpaces)
            else {
                throw InvalidConfigValue("'\(trimmed)' is not ARCH:FILE; write e.g. 0:undionly.kpxe (architectures: 0 BIOS, 7 or 9 EFI x64, 11 EFI ARM64)")
            }
            let file = String(trimmed[trimmed.index(after: colon)...].trimmingSpaces)
            try Self.checkBootFileName(file)
            guard files[architecture] == nil else {
                throw InvalidConfigValue("architecture \(architecture) is given twice")
            }
            files[architecture] = file
        }
        fileByArchitecture = files
    }

    /// A boot file is a path inside the TFTP tree, as a client will request it.
    static func checkBootFileName(_ file: String) throws(InvalidConfigValue) {
        guard !file.isEmpty else { throw InvalidConfigValue("a boot file name is needed after the ':'") }
        guard file.utf8.count <= 127 else { throw InvalidConfigValue("'\(file)' does not fit the 128-byte DHCP file field") }
        guard !file.hasPrefix("/"), !file.split(separator: "/").contains("..") else {
            throw InvalidConfigValue("'\(file)' must be a path inside the boot directory, without a leading '/' or '..'")
        }
        guard file.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
            throw InvalidConfigValue("'\(file)' must be ASCII without spaces")
        }
    }

    public var description: String {
        fileByArchitecture.keys.sorted().map { "\($0):\(fileByArchitecture[$0]!)" }.joined(separator: ", ")
    }
}

/// The boot file for clients already running iPXE (they send option 175), usually an iPXE
/// script: iPXE gets an address but fetches nothing unless the reply names a file for it.
public struct IPXEBootFile: Hashable, Sendable, CustomStringConvertible {
    public let file: String

    public init(parsing text: String) throws(InvalidConfigValue) {
        try PXEBootFiles.checkBootFileName(text)
        file = text
    }

    public var description: String { file }
}
