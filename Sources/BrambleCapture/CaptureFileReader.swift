import CPcap

/// Reads pcap and pcapng files through libpcap (`pcap_open_offline`, which tells the two
/// formats apart, and `pcap_next_ex`), with nanosecond timestamps where the file has them.
/// libpcap is loaded when the first file is read (``Libpcap``), not linked.
public enum CaptureFileReader {
    /// Every frame of the file at `path`, numbered from 1.
    public static func read(path: String) throws(CaptureReadError) -> [CapturedFrame] {
        let pcap: Libpcap
        switch Libpcap.shared {
        case .success(let loaded): pcap = loaded
        case .failure(let unavailable): throw .libpcapUnavailable(path: path, reason: unavailable.reason)
        }
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        guard let handle = pcap.openOffline(path, UInt32(PCAP_TSTAMP_PRECISION_NANO), &errorBuffer) else {
            throw .cannotOpen(path: path, reason: text(errorBuffer))
        }
        defer { pcap.close(handle) }
        let linkType = pcap.datalink(handle)
        guard linkType == DLT_EN10MB else {
            let name = pcap.datalinkName(linkType).map { String(cString: $0) } ?? "unknown"
            throw .unsupportedLinkType(path: path, linkType: linkType, name: name)
        }
        var frames: [CapturedFrame] = []
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        while true {
            let result = pcap.nextRecord(handle, &header, &data)
            if result == PCAP_ERROR_BREAK { break }
            guard result == 1, let header, let data else {
                throw .damagedRecord(path: path, afterPacket: frames.count, reason: pcap.lastError(handle).map { String(cString: $0) } ?? "unknown")
            }
            let record = header.pointee
            frames.append(CapturedFrame(
                number: frames.count + 1,
                timestamp: CaptureTimestamp(seconds: Int64(record.ts.tv_sec), nanoseconds: Int64(record.ts.tv_usec)),
                bytes: Array(UnsafeBufferPointer(start: data, count: Int(record.caplen))),
                originalLength: Int(record.len)))
        }
        return frames
    }

    private static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
