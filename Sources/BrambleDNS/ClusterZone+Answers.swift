import BrambleWire

extension ClusterZone {
    /// Decides who answers `name` asked with `type`. Short names count as the cluster's
    /// only when a host has that name; any other single label is answered NXDOMAIN here
    /// (dnsmasq's `domain-needed`) unless `type` is one a resolver asks about a top-level
    /// domain. Reverse names in private and special-use ranges that are not the cluster's
    /// are answered NXDOMAIN too (`bogus-priv`). See ``DNSAuthority/neverForwarded``.
    public func authority(for name: DNSName, type: DNSRecordType) -> DNSAuthority {
        if name.isSubdomain(of: domain) { return .clusterDomain }
        let labelCount = name.labelCount
        if labelCount == 1, address(of: name) != nil { return .clusterDomain }
        if let position = reverseZone.position(of: name), reverseZone.isAuthoritative(for: position) { return .reverseZone }
        if labelCount == 1, !Self.topLevelDomainTypes.contains(type) { return .neverForwarded }
        if LocallyServedReverseZones.contains(name) { return .neverForwarded }
        return .elsewhere
    }

    /// What a validating resolver asks about a top-level domain (`com SOA`, `org DS`):
    /// single-label names that exist upstream, so they are still forwarded.
    static let topLevelDomainTypes: Set<DNSRecordType> = [.soa, .ns, .ds, .dnskey]

    /// Answers a query from `client`, or says to forward or drop it.
    ///
    /// Clients outside the cluster subnet (other than the hub's own loopback) are refused
    /// everything, so the hub is never an open resolver to whatever its uplink reaches.
    public func respond(to query: DNSMessage, from client: IPv4Address) -> ZoneDisposition {
        guard !query.header.isResponse else { return .drop }
        guard serves(client) else { return .answer(reply(to: query, .refused)) }
        guard query.header.opcode == DNSHeader.standardQueryOpcode else { return .answer(reply(to: query, .notImplemented)) }
        guard let question = query.question else { return .answer(reply(to: query, .formatError)) }
        if let edns = query.edns, edns.version > 0 { return .answer(reply(to: query, .badVersion)) }
        let authority = authority(for: question.name, type: question.type)
        switch authority {
        case .elsewhere: return .forward
        case .neverForwarded: return .answer(reply(to: query, .nameError))
        case .clusterDomain, .reverseZone: break
        }
        guard question.recordClass == .internet || question.recordClass == .any,
              question.type != .axfr, question.type != Self.incrementalTransferType
        else { return .answer(reply(to: query, .refused)) }
        return .answer(authority == .clusterDomain ? forwardZoneAnswer(query, question) : reverseZoneAnswer(query, question))
    }

    /// IXFR: zone transfers are refused like AXFR.
    private static let incrementalTransferType = DNSRecordType(rawValue: 251)

    static func isLoopback(_ address: IPv4Address) -> Bool { address.value >> 24 == 127 }

    private func forwardZoneAnswer(_ query: DNSMessage, _ question: DNSQuestion) -> DNSMessage {
        if question.name == domain {
            return apexAnswer(query, question, apex: domain)
        }
        guard let address = address(of: question.name) else { return negative(query, apex: domain, code: .nameError) }
        guard question.type == .a || question.type == .any else { return negative(query, apex: domain, code: .noError) }
        return positive(query, DNSResourceRecord(name: question.name, ttl: recordTTL, data: .a(address)))
    }

    private func reverseZoneAnswer(_ query: DNSMessage, _ question: DNSQuestion) -> DNSMessage {
        let apex = reverseZone.apex
        switch reverseZone.position(of: question.name) {
        case .apex?:
            return apexAnswer(query, question, apex: apex)
        case .address(let address)?:
            guard let name = hostName(of: address) else { return negative(query, apex: apex, code: .nameError) }
            guard question.type == .ptr || question.type == .any else { return negative(query, apex: apex, code: .noError) }
            return positive(query, DNSResourceRecord(name: question.name, ttl: recordTTL, data: .ptr(name)))
        case let position?:
            return negative(query, apex: apex, code: isReverseEmptyNonTerminal(position) ? .noError : .nameError)
        case nil:
            return negative(query, apex: apex, code: .nameError)
        }
    }

    /// SOA and NS at a zone's apex; ANY gets the SOA alone (RFC 8482 section 4.1).
    private func apexAnswer(_ query: DNSMessage, _ question: DNSQuestion, apex: DNSName) -> DNSMessage {
        switch question.type {
        case .soa, .any:
            return positive(query, startOfAuthority(apex: apex, ttl: recordTTL))
        case .ns:
            var response = positive(query, DNSResourceRecord(name: question.name, ttl: recordTTL, data: .ns(hubName)))
            response.additionals = [DNSResourceRecord(name: hubName, ttl: recordTTL, data: .a(hubAddress))]
            return response
        default:
            return negative(query, apex: apex, code: .noError)
        }
    }

    /// The zone's SOA. Its TTL in negative answers is the negative TTL, so resolvers cache
    /// the denial for min(TTL, MINIMUM) = that (RFC 2308 section 3).
    public func startOfAuthority(apex: DNSName, ttl: UInt32) -> DNSResourceRecord {
        DNSResourceRecord(name: apex, ttl: ttl, data: .soa(startOfAuthorityData))
    }

    private func reply(to query: DNSMessage, _ code: DNSResponseCode) -> DNSMessage {
        var response = DNSMessage(responseTo: query, code: code)
        response.header.recursionAvailable = true
        return response
    }

    private func positive(_ query: DNSMessage, _ record: DNSResourceRecord) -> DNSMessage {
        var response = reply(to: query, .noError)
        response.header.isAuthoritative = true
        response.answers = [record]
        return response
    }

    /// NXDOMAIN (`.nameError`) or NODATA (`.noError` with no answer), the SOA in the
    /// authority section so resolvers can cache the denial (RFC 2308 section 2).
    private func negative(_ query: DNSMessage, apex: DNSName, code: DNSResponseCode) -> DNSMessage {
        var response = reply(to: query, code)
        response.header.isAuthoritative = true
        response.authorities = [startOfAuthority(apex: apex, ttl: negativeTTL)]
        return response
    }
}
