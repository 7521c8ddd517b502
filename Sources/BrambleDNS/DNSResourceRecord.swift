/// One resource record of the answer, authority or additional section. The OPT
/// pseudo-record is not one of these: it is ``DNSMessage/edns``.
public struct DNSResourceRecord: Hashable, Sendable {
    public var name: DNSName
    public var recordClass: DNSClass
    /// Seconds. RFC 2181 section 8: values with the top bit set are read as 0.
    public var ttl: UInt32
    public var data: DNSRecordData

    public init(name: DNSName, recordClass: DNSClass = .internet, ttl: UInt32, data: DNSRecordData) {
        self.name = name
        self.recordClass = recordClass
        self.ttl = ttl
        self.data = data
    }

    public var type: DNSRecordType { data.type }
}
