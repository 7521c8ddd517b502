import BrambleDNS

/// DNS answers header field by header field and record by record. Ignored: the SOA serial,
/// which the daemon takes from the clock when it builds the zone.
public enum DNSComparison {
    public static func differences(capture: DNSMessage, replay: DNSMessage) -> [String] {
        var lines: [String] = []
        let (c, r) = (capture.header, replay.header)
        FieldFormatting.compare("id", c.id, r.id, into: &lines)
        FieldFormatting.compare("QR", c.isResponse, r.isResponse, into: &lines)
        FieldFormatting.compare("opcode", c.opcode, r.opcode, into: &lines)
        FieldFormatting.compare("AA", c.isAuthoritative, r.isAuthoritative, into: &lines)
        FieldFormatting.compare("TC", c.isTruncated, r.isTruncated, into: &lines)
        FieldFormatting.compare("RD", c.recursionDesired, r.recursionDesired, into: &lines)
        FieldFormatting.compare("RA", c.recursionAvailable, r.recursionAvailable, into: &lines)
        FieldFormatting.compare("AD", c.authenticData, r.authenticData, into: &lines)
        FieldFormatting.compare("CD", c.checkingDisabled, r.checkingDisabled, into: &lines)
        FieldFormatting.compare("rcode", capture.responseCode, replay.responseCode, into: &lines)
        FieldFormatting.compare("questions", capture.questions.map(\.description), replay.questions.map(\.description), into: &lines)
        section("answer", capture.answers, replay.answers, into: &lines)
        section("authority", capture.authorities, replay.authorities, into: &lines)
        section("additional", capture.additionals, replay.additionals, into: &lines)
        FieldFormatting.compare("EDNS", capture.edns.map { "\($0)" } ?? "none", replay.edns.map { "\($0)" } ?? "none", into: &lines)
        return lines
    }

    private static func section(_ name: String, _ capture: [DNSResourceRecord], _ replay: [DNSResourceRecord], into lines: inout [String]) {
        let capture = capture.map(withoutSerial)
        let replay = replay.map(withoutSerial)
        for index in 0..<max(capture.count, replay.count) {
            let c = index < capture.count ? text(capture[index]) : "absent"
            let r = index < replay.count ? text(replay[index]) : "absent"
            FieldFormatting.compare("\(name) record \(index + 1)", c, r, into: &lines)
        }
    }

    /// A record as a zone file writes it: `web05.cluster. 0 IN A 10.42.0.5`.
    static func text(_ record: DNSResourceRecord) -> String {
        let data: String = switch record.data {
        case .a(let address): "\(address)"
        case .ns(let name), .cname(let name), .ptr(let name): "\(name)"
        case .soa(let soa):
            "\(soa.primaryServer) \(soa.responsibleMailbox) \(soa.serial) \(soa.refresh) \(soa.retry) \(soa.expire) \(soa.minimum)"
        case .mx(let preference, let exchange): "\(preference) \(exchange)"
        case .other(_, let bytes): FieldFormatting.hex(bytes)
        }
        return "\(record.name) \(record.ttl) \(record.recordClass) \(record.type) \(data)"
    }

    private static func withoutSerial(_ record: DNSResourceRecord) -> DNSResourceRecord {
        guard case .soa(var soa) = record.data else { return record }
        soa.serial = 0
        var record = record
        record.data = .soa(soa)
        return record
    }
}
