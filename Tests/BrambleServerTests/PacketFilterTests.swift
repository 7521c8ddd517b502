@testable import BrambleServer
import BrambleWire
import Glibc
import Testing

/// Runs the filter through a small classic-BPF interpreter (the opcodes it uses), so the
/// program is checked on real frame layouts without root or a kernel.
@Suite struct PacketFilterTests {
    func accepts(_ frame: [UInt8], _ filter: PacketFilter = .udpDestinationPort(67)) -> Bool {
        var a: UInt32 = 0, x: UInt32 = 0, pc = 0
        func load(_ offset: Int, _ size: Int) -> UInt32? {
            guard offset >= 0, offset + size <= frame.count else { return nil }
            return frame[offset..<offset + size].reduce(0) { $0 << 8 | UInt32($1) }
        }
        while pc < filter.instructions.count {
            let op = filter.instructions[pc]
            let k = op.constant
            switch op.code {
            case 0x28: guard let v = load(Int(k), 2) else { return false }; a = v
            case 0x30: guard let v = load(Int(k), 1) else { return false }; a = v
            case 0x48: guard let v = load(Int(x + k), 2) else { return false }; a = v
            case 0xb1: guard let v = load(Int(k), 1) else { return false }; x = 4 * (v & 0x0f)
            case 0x15: pc += Int(a == k ? op.jumpIfTrue : op.jumpIfFalse)
            case 0x45: pc += Int(a & k != 0 ? op.jumpIfTrue : op.jumpIfFalse)
            case 0x06: return k != 0
            default: Issue.record("opcode \(op.code) not interpreted"); return false
            }
            pc += 1
        }
        return false
    }

    /// Ethernet + IPv4 (with `options` 4-byte words of IP options) + UDP header + payload.
    func frame(ethertype: UInt16 = 0x0800, protocol proto: UInt8 = 17, destinationPort: UInt16 = 67,
               fragmentOffset: UInt16 = 0, moreFragments: Bool = false, optionWords: Int = 0) -> [UInt8] {
        var bytes = [UInt8](repeating: 0xff, count: 6) + [0xb8, 0x27, 0xeb, 0, 0, 1] + [UInt8(ethertype >> 8), UInt8(ethertype & 0xff)]
        let flags: UInt16 = (moreFragments ? 0x2000 : 0) | fragmentOffset
        bytes += [0x45 + UInt8(optionWords), 0, 0, 0, 0, 0, UInt8(flags >> 8), UInt8(flags & 0xff), 128, proto, 0, 0] + [UInt8](repeating: 0, count: 8)
        bytes += [UInt8](repeating: 1, count: optionWords * 4)
        bytes += [0, 68, UInt8(destinationPort >> 8), UInt8(destinationPort & 0xff), 0, 8, 0, 0]
        return bytes + [UInt8](repeating: 0, count: 300)
    }

    @Test func acceptsDHCPToThePort() {
        #expect(accepts(frame()))
        #expect(accepts(frame(optionWords: 2)), "IP options move the UDP header")
        #expect(accepts(frame(destinationPort: 69), .udpDestinationPort(69)))
    }

    @Test func dropsEverythingElse() {
        #expect(!accepts(frame(destinationPort: 68)), "our own replies to clients")
        #expect(!accepts(frame(destinationPort: 53)))
        #expect(!accepts(frame(protocol: 6)), "TCP")
        #expect(!accepts(frame(ethertype: 0x0806)), "ARP")
        #expect(!accepts(frame(ethertype: 0x86dd)), "IPv6")
        #expect(!accepts(frame(fragmentOffset: 185)), "a later fragment: its bytes are not a UDP header")
        #expect(accepts(frame(moreFragments: true)) == true, "a first fragment has a real UDP header; the decoder rejects it later")
        #expect(!accepts(Array(frame().prefix(20))), "truncated")
    }

    @Test func dropEverythingDropsEvenWhatTheRawSocketTakes() {
        #expect(accepts(frame()) && !accepts(frame(), .dropEverything))
    }

    /// DHCP's UDP socket: bound and reachable (a sender gets no error), yet nothing queued.
    @Test func aSocketWithDropEverythingReceivesNothingWhileTheSameDatagramReachesAnother() throws {
        let loopback = IPv4Address(127, 0, 0, 1)
        let filtered = try UDPSocket(address: loopback, port: 0)
        let open = try UDPSocket(address: loopback, port: 0)
        let sender = try UDPSocket(address: loopback, port: 0)
        try PacketFilter.dropEverything.attach(to: filtered.fd)
        #expect(sender.send(Array("request".utf8), to: loopback, port: filtered.localPort))
        #expect(sender.send(Array("request".utf8), to: loopback, port: open.localPort))
        usleep(20_000)
        var buffer = [UInt8](repeating: 0, count: 64)
        #expect(open.receive(into: &buffer).map { Array($0.payload) } == Array("request".utf8))
        #expect(filtered.receive(into: &buffer) == nil)
    }
}
