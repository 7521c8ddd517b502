import BrambleCapture
import BrambleWire
import Glibc

/// `capture`: the capture reader (`bramble replay`, `bramble capture show`), pcap and pcapng
/// through libpcap, with nanosecond and 64-bit timestamps. libpcap reads files by path, so
/// the input is written to a file of this process's own first.
///
/// Invariants: reading is total (frames or a typed error); every frame's timestamp is
/// usable as replay uses it (total nanoseconds, its text) with the fraction in 0..<10^9;
/// frames are numbered 1, 2, ...; each frame decodes as a datagram or fails with a typed
/// error; and what was read, written again with our pcap encoder, reads back to the same
/// frames (whenever the timestamps fit the 32-bit seconds libpcap reads back, up to 2038).
private let path: String = {
    let directory = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
    return "\(directory)/bramble-fuzz-capture-\(getpid()).pcap"
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCapture(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    write(fuzzBytes(data, size))
    guard let frames = try? CaptureFileReader.read(path: path) else { return 0 }
    for (index, frame) in frames.enumerated() {
        invariant(frame.number == index + 1, "frame \(index + 1) numbered \(frame.number)")
        let timestamp = frame.timestamp
        invariant(timestamp.nanoseconds >= 0 && timestamp.nanoseconds < 1_000_000_000, "timestamp fraction \(timestamp.nanoseconds) ns")
        _ = timestamp.totalNanoseconds
        _ = timestamp.description
        _ = try? CapturedDatagram(decoding: frame)
    }
    // The pcap record header holds 32-bit seconds, and libpcap reads them as signed
    // (`bpf_int32 tv_sec` in sf-pcap.c): past 2038 a file reads back with negative seconds.
    let representable = frames.allSatisfy { $0.timestamp.seconds >= 0 && $0.timestamp.seconds <= Int64(Int32.max) }
    guard representable else { return 0 }
    write(PcapEncoder.file(frames))
    let again = try? CaptureFileReader.read(path: path)
    invariant(again?.map(\.bytes) == frames.map(\.bytes), "frames do not survive our pcap encoder")
    invariant(again?.map(\.timestamp) == frames.map(\.timestamp), "timestamps do not survive our pcap encoder")
    return 0
}

private func write(_ bytes: [UInt8]) {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    invariant(descriptor >= 0, "cannot write \(path): errno \(errno)")
    defer { close(descriptor) }
    var written = 0
    while written < bytes.count {
        let count = bytes[written...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        invariant(count > 0, "cannot write \(path): errno \(errno)")
        written += count
    }
}
