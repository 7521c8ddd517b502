import BrambleNodeMap
import BrambleTFTP
import BrambleWire
import Testing

@Suite struct BootFileTemplateTests {
    static let values = BootFileTemplateValues(
        id: 5, name: "node05", ip: IPv4Address(10, 42, 0, 5), mac: MACAddress(0xdc, 0xa6, 0x32, 0x01, 0x36, 0xc2),
        serial: "9ffefdef", hub: hubAddress, root: "10.42.0.250:/pxe/root/node05")

    func render(_ text: String, _ values: BootFileTemplateValues = values) throws(BootFileTemplateError) -> (String, [BootFileTemplateKey]) {
        let rendering = try BootFileTemplate(parsing: Array(text.utf8)).render(values)
        return (String(decoding: rendering.bytes, as: UTF8.self), rendering.emptyKeys)
    }

    @Test func rendersACmdlineForItsNode() throws {
        let template = "console=serial0,115200 root=/dev/nfs nfsroot={{root}},vers=3 rw ip=dhcp rootwait hostname={{name}}\n"
        let (text, empty) = try render(template)
        #expect(text == "console=serial0,115200 root=/dev/nfs nfsroot=10.42.0.250:/pxe/root/node05,vers=3 rw ip=dhcp rootwait hostname=node05\n")
        #expect(empty.isEmpty)
    }

    @Test func everyKey() throws {
        let (text, _) = try render("{{id}} {{name}} {{ip}} {{mac}} {{serial}} {{hub}} {{root}}")
        #expect(text == "5 node05 10.42.0.5 dc:a6:32:01:36:c2 9ffefdef 10.42.0.250 10.42.0.250:/pxe/root/node05")
    }

    @Test func spacesInsideTheBracesAreAllowed() throws {
        #expect(try render("{{ ip }}|{{\tname\t}}").0 == "10.42.0.5|node05")
    }

    @Test func singleBracesAndNonUTF8BytesPassThrough() throws {
        let source: [UInt8] = Array("{a} } {".utf8) + [0xff, 0x00] + Array("{{id}}".utf8)
        let rendering = try BootFileTemplate(parsing: source).render(Self.values)
        #expect(rendering.bytes == Array("{a} } {".utf8) + [0xff, 0x00] + Array("5".utf8))
    }

    @Test func unknownKeyNamesItsLine() {
        #expect(throws: BootFileTemplateError.unknownKey("hostname", line: 3)) {
            try render("a\nb {{name}}\nc {{ hostname }}\n")
        }
        #expect(BootFileTemplateError.unknownKey("hostname", line: 3).description.hasPrefix("line 3: unknown placeholder {{hostname}}"))
    }

    @Test func emptyBracesAreAnUnknownKey() {
        #expect(throws: BootFileTemplateError.unknownKey("", line: 1)) { try render("{{}}") }
    }

    @Test func unterminatedPlaceholder() {
        #expect(throws: BootFileTemplateError.unterminatedPlaceholder(line: 2)) { try render("ok\nroot={{root\n}}") }
        #expect(throws: BootFileTemplateError.unterminatedPlaceholder(line: 1)) { try render("{{id}") }
    }

    @Test func missingSerialRendersEmptyAndIsReported() throws {
        var values = Self.values
        values.serial = nil
        values.mac = nil
        let (text, empty) = try render("s={{serial}} m={{mac}} again={{serial}}", values)
        #expect(text == "s= m= again=")
        #expect(empty == [.serial, .mac])
    }

    @Test func keysInOrderOfFirstUse() throws {
        #expect(try BootFileTemplate(parsing: Array("{{ip}}{{id}}{{ip}}".utf8)).keys == [.ip, .id])
    }

    @Test func valuesForANodeOfTheMap() throws {
        let map = try nodeMap("5 dc:a6:32:01:36:c2 serial=9ffefdef root=10.42.0.250:/pxe/root/node05\n6 dc:a6:32:01:36:c3 web06\n")
        let five = try #require(map.node(id: 5))
        let six = try #require(map.node(id: 6))
        #expect(BootFileTemplateValues(node: five, address: map.address(of: five), serial: nil, hub: hubAddress, defaultRoot: "10.42.0.250:/pxe/root") == Self.values)
        let sixValues = BootFileTemplateValues(node: six, address: map.address(of: six), serial: nil, hub: hubAddress, defaultRoot: "10.42.0.250:/pxe/root")
        #expect(sixValues.name == "web06")
        #expect(sixValues.root == "10.42.0.250:/pxe/root")
        #expect(sixValues.serial == nil)
    }
}
