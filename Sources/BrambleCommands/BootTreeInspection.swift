import BrambleFiles
import BrambleNodeMap
import BrambleWire

/// Looks at a real boot tree: scans it, reads cmdline.txt and config.txt, and builds the
/// report. The only part of the boot-tree check that touches the disk.
public enum BootTreeInspection {
    /// Text files larger than this are not read: no valid cmdline.txt or config.txt comes close,
    /// and a misnamed image should not be loaded into a 1 GB hub's memory.
    public static let largestTextFile: UInt64 = 1 << 20

    /// The report for the configuration's `<pxe>/boot`, checked against its hub address.
    public static func inspect(_ config: BrambleConfig) -> BootTreeReport {
        inspect(bootDirectory: config.bootDirectory, hubAddress: config.address.address, nfsRootDirectory: config.rootDirectory)
    }

    public static func inspect(bootDirectory: String, hubAddress: IPv4Address, nfsRootDirectory: String) -> BootTreeReport {
        var listing = BootTreeScanner.scan(bootDirectory: bootDirectory)
        let cmdline = readText("cmdline.txt", in: bootDirectory, listing: &listing)
        let config = readText("config.txt", in: bootDirectory, listing: &listing)
        return BootTreeReport(
            bootDirectory: bootDirectory,
            listing: listing,
            cmdlineText: cmdline,
            configText: config,
            hubAddress: hubAddress,
            nfsRootDirectory: nfsRootDirectory)
    }

    /// The file's text when the scan listed it; a read failure becomes a scan problem.
    private static func readText(_ name: String, in directory: String, listing: inout BootTreeListing) -> String? {
        guard let size = listing.files[name] else { return nil }
        guard size <= largestTextFile else {
            listing.problems.append(.unreadable(path: name, reason: "larger than \(largestTextFile) bytes, not a text file"))
            return nil
        }
        do {
            return try TextFile.read(ConfigPath.resolve(name, relativeTo: directory))
        } catch {
            listing.problems.append(.unreadable(path: name, reason: error.message))
            return nil
        }
    }
}
