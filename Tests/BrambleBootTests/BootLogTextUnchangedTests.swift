@testable import BrambleBoot
import Testing

/// The boot log's text is built byte by byte for speed (issue 18); these keep it equal,
/// character for character, to what the string-interpolating originals wrote, which live
/// on here as the reference.
@Suite struct BootLogTextUnchangedTests {
    enum Reference {
        static func timestamp(_ milliseconds: Int64) -> String {
            func floorDivided(_ value: Int64, _ divisor: Int64) -> Int64 {
                let quotient = value / divisor
                return (value % divisor != 0 && (value < 0) != (divisor < 0)) ? quotient - 1 : quotient
            }
            func pad(_ value: Int, _ width: Int) -> String {
                let digits = String(value)
                return String(repeating: "0", count: max(0, width - digits.count)) + digits
            }
            let seconds = floorDivided(milliseconds, 1000)
            let millis = Int(milliseconds - seconds * 1000)
            let days = floorDivided(seconds, 86_400)
            let secondOfDay = Int(seconds - days * 86_400)
            let (year, month, day) = UTCTimestamp.civilDate(daysSinceEpoch: days)
            return "\(pad(Int(year), 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2)).\(pad(millis, 3))Z"
        }

        static func seconds(_ milliseconds: Int64) -> String {
            let fraction = String(milliseconds % 1000)
            return "\(milliseconds / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)s"
        }

        static func line(time: Int64, bootStarted: Int64?, node: String, stage: BootStage, failure: Bool, text: String) -> String {
            let since = bootStarted.map { "+" + seconds($0 <= time ? time - $0 : 0) } ?? "-"
            let stageName = stage.description
            let padding = String(repeating: " ", count: max(0, BootLogLine.stageWidth - stageName.count))
            return "\(timestamp(time)) \(since) \(LogText.escaped(node)) \(stageName)\(padding) \(failure ? "FAILED " : "")\(LogText.escaped(text))"
        }

        static func exchange(_ exchange: BootEvent.DHCPExchange) -> String {
            var text = "DHCP\(exchange.message.rawValue.uppercased())"
            if !exchange.client.isEmpty { text += " (\(exchange.client))" }
            switch exchange.answer {
            case .none: text += " not answered" + (exchange.ignoredBecause.map { ": \($0)" } ?? "")
            case .offer, .ack, .nak: text += " -> \(exchange.answer.rawValue.uppercased())" + (exchange.address.map { " \($0)" } ?? "")
            }
            return text
        }
    }

    @Test func timestampsAndDurationsOverManyValues() {
        var state: UInt64 = 17
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 11
        }
        let fixed: [Int64] = [0, -1, -999, -1000, -86_400_000, 999, 1000, 86_399_999, 951_782_400_123, 4_107_542_399_999, 253_402_300_799_999]
        for milliseconds in fixed + (0..<2000).map({ _ in Int64(next() % 4_000_000_000_000) }) {
            #expect(UTCTimestamp.format(milliseconds: milliseconds) == Reference.timestamp(milliseconds), "\(milliseconds)")
            if milliseconds >= 0 { #expect(BootLogLine.seconds(milliseconds) == Reference.seconds(milliseconds), "\(milliseconds)") }
        }
    }

    @Test func linesOverStagesNodesAndTexts() {
        let texts = ["TFTP bootcode.bin sent: 52480 bytes in 40 ms", "x\n\u{1b}[31m\\ é \u{202e}", ""]
        for stage in BootStage.allCases {
            for (node, text) in zip(["node05", "rack\u{7}7", "n"], texts) {
                for bootStarted in [nil, Int64(1_796_185_800_000), Int64(1_796_185_900_000)] {
                    for failure in [false, true] {
                        let time: Int64 = 1_796_185_803_250
                        #expect(
                            BootLogLine.format(time: time, bootStarted: bootStarted, node: node, stage: stage, failure: failure, text: text)
                                == Reference.line(time: time, bootStarted: bootStarted, node: node, stage: stage, failure: failure, text: text))
                    }
                }
            }
        }
    }

    @Test func dhcpExchangeTexts() {
        let messages: [BootEvent.DHCPExchange.Message] = [.discover, .request, .inform, .decline, .release]
        let answers: [BootEvent.DHCPExchange.Answer] = [.offer, .ack, .nak, .none]
        for message in messages {
            for answer in answers {
                for (client, address, reason) in [("Pi 3B ROM", "10.42.0.5", "node is disabled"), ("", nil, nil) as (String, String?, String?)] {
                    let exchange = BootEvent.DHCPExchange(
                        message: message, answer: answer, firmware: true, transactionID: 1, ignoredBecause: reason, client: client, address: address)
                    #expect(exchange.description == Reference.exchange(exchange))
                }
            }
        }
    }
}
