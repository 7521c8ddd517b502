import BrambleTestSupport
import Glibc

/// Full DHCPDISCOVER frames from Fixtures/frames/, as hexdumps.
///
/// These are reconstructions, not captures: each was rebuilt from published field-level
/// dumps or documented fields (Fixtures/README.md says which). The Pi 3B frame matches the public partial hexdump of
/// raspberrypi/firmware#862 byte for byte; the others match their published lengths.
enum ReconstructedFrames {
    static let pi3BROMDiscover = frame("pi3b-rom-discover")
    static let pi3BPlusROMDiscover = frame("pi3bplus-rom-discover")
    static let bootcodeDiscover = frame("bootcode-discover")
    static let pi4BootloaderDiscover = frame("pi4-bootloader-discover")
    static let linuxKernelDiscover = frame("linux-kernel-discover")
    /// Built from the bootloader's documented fields, not from a capture (none is public):
    /// see Fixtures/README.md. The simulator sends them byte for byte (FakePiFrameTests).
    static let pi5BootloaderDiscover = frame("pi5-bootloader-discover")
    static let cm4BootloaderDiscover = frame("cm4-bootloader-discover")

    /// A frame from `Fixtures/frames/NAME.hex` (offset, then 16 bytes a line, as hexdump prints).
    private static func frame(_ name: String) -> [UInt8] {
        let root = #filePath.split(separator: "/").dropLast(3).joined(separator: "/")
        guard let file = fopen("/\(root)/Fixtures/frames/\(name).hex", "r") else { return [] }
        defer { fclose(file) }
        var text = ""
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, Int32(line.count), file) != nil {
            text += String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        return hexdump(text)
    }
}
