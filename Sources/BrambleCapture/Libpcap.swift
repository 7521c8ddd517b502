import CPcap
import Glibc

/// libpcap's functions that ``CaptureFileReader`` calls, found with dlopen(3) the first time
/// a capture file is read rather than linked: linked, libpcap and what it loads (libdbus,
/// libsystemd, libgcrypt, libzstd, liblzma, liblz4 ...) were about 1 MiB of every `bramble
/// serve`'s resident memory, though the daemon writes its captures with its own
/// ``PcapEncoder`` and never calls libpcap (docs/benchmarks.md, "Memory: what is resident").
/// Only `bramble replay` and the tests read captures.
struct Libpcap: @unchecked Sendable {
    // @unchecked: C function pointers, fixed once resolved, are safe to share.
    let openOffline: @convention(c) (UnsafePointer<CChar>?, UInt32, UnsafeMutablePointer<CChar>?) -> OpaquePointer?
    let close: @convention(c) (OpaquePointer?) -> Void
    let datalink: @convention(c) (OpaquePointer?) -> Int32
    let datalinkName: @convention(c) (Int32) -> UnsafePointer<CChar>?
    let nextRecord: @convention(c) (OpaquePointer?, UnsafeMutablePointer<UnsafeMutablePointer<pcap_pkthdr>?>?, UnsafeMutablePointer<UnsafePointer<UInt8>?>?) -> Int32
    let lastError: @convention(c) (OpaquePointer?) -> UnsafeMutablePointer<CChar>?

    /// The names the runtime library goes by: Debian's package libpcap0.8 (what the .deb
    /// depends on) ships `libpcap.so.0.8`; other distributions use upstream's `libpcap.so.1`.
    static let sonames = ["libpcap.so.0.8", "libpcap.so.1"]

    /// Loaded once, on first use; the failure (no libpcap installed) is kept as the reason.
    static let shared: Result<Libpcap, LibpcapUnavailable> = load()

    private static func load() -> Result<Libpcap, LibpcapUnavailable> {
        var reasons: [String] = []
        for name in sonames {
            guard let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL) else {
                reasons.append(dlerror().map { String(cString: $0) } ?? name)
                continue
            }
            func symbol<Function>(_ symbolName: String) throws(LibpcapUnavailable) -> Function {
                guard let address = dlsym(handle, symbolName) else { throw LibpcapUnavailable(reason: "\(name) has no \(symbolName)") }
                return unsafeBitCast(address, to: Function.self)
            }
            do {
                return .success(Libpcap(
                    openOffline: try symbol("pcap_open_offline_with_tstamp_precision"),
                    close: try symbol("pcap_close"),
                    datalink: try symbol("pcap_datalink"),
                    datalinkName: try symbol("pcap_datalink_val_to_name"),
                    nextRecord: try symbol("pcap_next_ex"),
                    lastError: try symbol("pcap_geterr")))
            } catch {
                dlclose(handle)
                reasons.append(error.reason)
            }
        }
        return .failure(LibpcapUnavailable(reason: reasons.joined(separator: "; ")))
    }
}

/// libpcap could not be loaded: what dlopen said, for ``CaptureReadError/libpcapUnavailable(path:reason:)``.
struct LibpcapUnavailable: Error {
    var reason: String
}
