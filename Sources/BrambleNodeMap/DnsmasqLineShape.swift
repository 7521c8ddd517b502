/// What one line of a dnsmasq file is, judged by its shape alone, so that one importer reads
/// dnsmasq.conf, dhcp-hostsfile and /etc/ethers files (and files mixing them) alike.
enum DnsmasqLineShape {
    case commentOrBlank
    /// `name=value` or a bare flag `name`, with or without the command line's `--`.
    case option(name: Substring, value: Substring?)
    /// A `dhcp-host=` value, a dhcp-hostsfile line (the same fields without `dhcp-host=`), or an
    /// /etc/ethers line (`MAC address-or-name`, whitespace-separated).
    case hostEntry(fields: [Substring], form: DnsmasqHostConverter.Form)

    init(line: Substring) {
        let content = DnsmasqText.trimmed(DnsmasqText.strippingComment(line))
        guard !content.isEmpty else {
            self = .commentOrBlank
            return
        }
        let body = DnsmasqText.hasPrefix(content, "--") ? DnsmasqText.droppingPrefix(content, "--") : content
        let comma = UInt8(ascii: ",")
        if let equals = body.utf8.firstIndex(of: UInt8(ascii: "=")) {
            let name = DnsmasqText.trimmed(body[..<equals])
            if DnsmasqText.isOptionName(name) {
                let value = DnsmasqText.trimmed(body[body.utf8.index(after: equals)...])
                self = name == "dhcp-host"
                    ? .hostEntry(fields: DnsmasqText.fields(of: value, separatedBy: comma), form: .commaSeparated)
                    : .option(name: name, value: value)
                return
            }
        }
        if body.utf8.contains(comma) {
            self = .hostEntry(fields: DnsmasqText.fields(of: body, separatedBy: comma), form: .commaSeparated)
            return
        }
        let words = DnsmasqText.words(of: body)
        guard words.count == 1 else {
            self = .hostEntry(fields: words, form: .whitespaceSeparated)
            return
        }
        // One word is a flag (`enable-tftp`) unless it is a hardware address: a hosts-file line
        // holding a MAC alone, which `b8-27-eb-12-34-56` would otherwise pass for.
        if DnsmasqText.isOptionName(body), !Self.isHardwareAddress(body) {
            self = .option(name: body, value: nil)
        } else {
            self = .hostEntry(fields: words, form: .commaSeparated)
        }
    }

    private static func isHardwareAddress(_ word: Substring) -> Bool {
        switch DnsmasqHostField(classifying: word) {
        case .hardwareAddress, .otherHardwareType, .wildcardHardwareAddress, .malformedHardwareAddress: true
        default: false
        }
    }
}
