import BrambleTFTP
import Testing

@Suite struct TFTPOptionNegotiationTests {
    static let ethernet = TFTPServerLimits(interfaceMTU: 1500, maximumWindowSize: 8)

    struct Case: Sendable, CustomTestStringConvertible {
        let requested: TFTPOptions
        let size: Int?
        let oack: TFTPOptions
        let blockSize: Int
        let windowSize: Int
        let timeout: Duration?
        var testDescription: String { "\(requested) -> \(oack)" }
    }

    static let table: [Case] = [
        // Pi 3 ROM: no options, plain RFC 1350.
        Case(requested: [], size: 50_000, oack: [], blockSize: 512, windowSize: 1, timeout: nil),
        // bootcode.bin and later firmware: tsize only, still an OACK.
        Case(requested: [TFTPOption("tsize", "0")], size: 50_000, oack: [TFTPOption("tsize", "50000")],
             blockSize: 512, windowSize: 1, timeout: nil),
        // Pi 4: must get blksize back or it ignores config.txt.
        Case(requested: [TFTPOption("tsize", "0"), TFTPOption("blksize", "1024")], size: 2_981_000,
             oack: [TFTPOption("tsize", "2981000"), TFTPOption("blksize", "1024")], blockSize: 1024, windowSize: 1, timeout: nil),
        // Pi 5: 1468 exactly fills a 1500-byte MTU.
        Case(requested: [TFTPOption("blksize", "1468")], size: 1, oack: [TFTPOption("blksize", "1468")],
             blockSize: 1468, windowSize: 1, timeout: nil),
        // Larger than the MTU carries: lowered, not refused.
        Case(requested: [TFTPOption("blksize", "65464")], size: 1, oack: [TFTPOption("blksize", "1468")],
             blockSize: 1468, windowSize: 1, timeout: nil),
        Case(requested: [TFTPOption("blksize", "8")], size: 1, oack: [TFTPOption("blksize", "8")],
             blockSize: 8, windowSize: 1, timeout: nil),
        // Below RFC 2348's minimum, or not a number: declined.
        Case(requested: [TFTPOption("blksize", "7")], size: 1, oack: [], blockSize: 512, windowSize: 1, timeout: nil),
        Case(requested: [TFTPOption("blksize", "-1024")], size: 1, oack: [], blockSize: 512, windowSize: 1, timeout: nil),
        Case(requested: [TFTPOption("blksize", "1e3")], size: 1, oack: [], blockSize: 512, windowSize: 1, timeout: nil),
        // timeout: echoed exactly within 1-5 (the server's cap), else declined: RFC 2349
        // allows up to 255 but forbids answering another value than asked.
        Case(requested: [TFTPOption("timeout", "3")], size: 1, oack: [TFTPOption("timeout", "3")],
             blockSize: 512, windowSize: 1, timeout: .seconds(3)),
        Case(requested: [TFTPOption("timeout", "5")], size: 1, oack: [TFTPOption("timeout", "5")],
             blockSize: 512, windowSize: 1, timeout: .seconds(5)),
        Case(requested: [TFTPOption("timeout", "6")], size: 1, oack: [], blockSize: 512, windowSize: 1, timeout: nil),
        Case(requested: [TFTPOption("timeout", "255"), TFTPOption("tsize", "0")], size: 9, oack: [TFTPOption("tsize", "9")],
             blockSize: 512, windowSize: 1, timeout: nil),
        Case(requested: [TFTPOption("timeout", "0")], size: 1, oack: [], blockSize: 512, windowSize: 1, timeout: nil),
        Case(requested: [TFTPOption("timeout", "256")], size: 1, oack: [], blockSize: 512, windowSize: 1, timeout: nil),
        // windowsize: lowered to the server's maximum.
        Case(requested: [TFTPOption("windowsize", "4")], size: 1, oack: [TFTPOption("windowsize", "4")],
             blockSize: 512, windowSize: 4, timeout: nil),
        Case(requested: [TFTPOption("windowsize", "64")], size: 1, oack: [TFTPOption("windowsize", "8")],
             blockSize: 512, windowSize: 8, timeout: nil),
        Case(requested: [TFTPOption("windowsize", "0")], size: 1, oack: [], blockSize: 512, windowSize: 1, timeout: nil),
        // Unknown options are ignored; known ones still answered, in the client's order,
        // with lowercase names.
        Case(requested: [TFTPOption("multicast", ""), TFTPOption("BLKSIZE", "1024"), TFTPOption("TSize", "0")], size: 7,
             oack: [TFTPOption("blksize", "1024"), TFTPOption("tsize", "7")], blockSize: 1024, windowSize: 1, timeout: nil),
        // A repeated option counts once, first value.
        Case(requested: [TFTPOption("blksize", "600"), TFTPOption("blksize", "1000")], size: 1,
             oack: [TFTPOption("blksize", "600")], blockSize: 600, windowSize: 1, timeout: nil),
        // Size unknown: tsize declined, and with nothing else no OACK at all.
        Case(requested: [TFTPOption("tsize", "0")], size: nil, oack: [], blockSize: 512, windowSize: 1, timeout: nil),
    ]

    @Test(arguments: table)
    func negotiates(_ example: Case) {
        let parameters = TFTPOptionNegotiation.negotiate(example.requested, transferSize: example.size, limits: Self.ethernet)
        #expect(parameters.acknowledgedOptions == example.oack)
        #expect(parameters.sendsOptionAcknowledgement == !example.oack.isEmpty)
        #expect(parameters.blockSize == example.blockSize)
        #expect(parameters.windowSize == example.windowSize)
        #expect(parameters.timeout == example.timeout)
    }

    @Test func maximumBlockSizeComesFromTheMTU() {
        #expect(TFTPServerLimits(interfaceMTU: 1500).maximumBlockSize == 1468)
        #expect(TFTPServerLimits(interfaceMTU: 9000).maximumBlockSize == 8968)
        #expect(TFTPServerLimits(interfaceMTU: 576).maximumBlockSize == 544)
        #expect(TFTPServerLimits(interfaceMTU: 20).maximumBlockSize == 8)
        #expect(TFTPServerLimits(interfaceMTU: 100_000).maximumBlockSize == 65464)
    }
}
