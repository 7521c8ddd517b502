import BrambleNodeMap
import BrambleWire
import PropertyBased
import Testing

/// Random valid maps: written with the editor, parsed back, equal to what was written.
@Suite struct NodeMapPropertyTests {
    /// A random valid map: distinct IDs and MACs, some names, some settings.
    static let maps = Gen.int(in: 1...254).set(ofAtMost: 1...40).map { ids in
        ids.sorted().enumerated().map { index, id -> NodeEntry in
            let mac = MACAddress(0xb8, 0x27, 0xeb, UInt8(index), UInt8(id & 0xff), UInt8(id % 7))
            let name: String? = id % 3 == 0 ? "n\(id)x" : nil
            let settings = NodeSettings(
                root: id % 4 == 0 ? "10.42.0.250:/pxe/root/n\(id)" : nil,
                serial: id % 5 == 0 ? String(UInt32(id) &* 2_654_435_761, radix: 16).leftPadded(to: 8) : nil,
                disabled: id % 6 == 0)
            return NodeEntry(id: id, hardwareAddress: .mac(mac), explicitName: name, settings: settings, line: 0)
        }
    }

    @Test func writeParseEqual() async {
        await propertyCheck(input: Self.maps, Gen.bool()) { entries, insertInReverse in
            var text = "# generated\n"
            for entry in insertInReverse ? entries.reversed() : entries {
                text = NodeMapDocument(parsing: text, fileName: "n").adding(entry)
            }
            guard let map = try? NodeMap(parsing: text, fileName: "n", subnet: clusterSubnet) else {
                Issue.record("generated map is invalid:\n\(text)")
                return
            }
            #expect(map.nodes.map(\.id) == entries.map(\.id), "nodes are kept in ID order")
            for (parsed, written) in zip(map.nodes, entries) {
                #expect(parsed.hardwareAddress == written.hardwareAddress)
                #expect(parsed.explicitName == written.explicitName)
                #expect(parsed.settings == written.settings)
            }
        }
    }

    @Test func anyTextParsesWithoutTrapping() async {
        let alphabet: [UInt8] = Array("0123456789abcdefxX: \t#=-/.\r\nrootserialdisabled".utf8)
        await propertyCheck(input: Gen.element(of: alphabet).array(of: 0...300)) { bytes in
            let text = String(decoding: bytes.compactMap { $0 }, as: UTF8.self)
            let document = NodeMapDocument(parsing: text, fileName: "n")
            #expect(document.text == text)
            _ = try? NodeMap(document: document, subnet: clusterSubnet)
        }
    }
}

extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
