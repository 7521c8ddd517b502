import ArgumentParser
@testable import BrambleCommands
import BrambleControl
import BrambleNodeMap
import BrambleTestSupport
import BrambleWire
import Testing

@Suite struct EnrollCommandTests {
    @Test func idListsKeepTheWrittenOrder() throws {
        #expect(try NodeIDList(parsing: "1-3,23,10-11").ids == [1, 2, 3, 23, 10, 11])
        #expect(try NodeIDList(parsing: "7").ids == [7])
    }

    @Test(arguments: ["", "1,,2", "3-1", "a-4", "1-2-3", "0", "1,2,1", "5-70000", "-4", "²"])
    func badIDListsAreRefusedWithTheItem(_ text: String) {
        #expect(throws: NodeIDListError.self) { try NodeIDList(parsing: text) }
    }

    @Test func aRepeatNamesTheID() {
        #expect(throws: NodeIDListError(text: "1-4,3", item: "3", reason: "node 3 is listed twice")) { try NodeIDList(parsing: "1-4,3") }
    }

    @Test func candidatesAreNewMACsThatFitThePlaceholder() throws {
        let map = try NodeMap(parsing: "1 b8:27:eb:00:00:01\n2 b8:27:eb:xx:xx:xx\n", fileName: "nodes", subnet: IPv4Interface("10.42.0.250/24")!.subnet)
        var watch = EnrollmentWatch(map: map)
        func seen(_ mac: String) -> Discovery { Discovery(mac: mac, client: "Pi 3B ROM", firmware: true, time: 0) }
        let placeholder = map.node(id: 2)!.hardwareAddress
        #expect(watch.candidate(seen("b8:27:eb:00:00:01"), for: placeholder) == nil, "already in the map")
        #expect(watch.candidate(seen("dc:a6:32:00:00:02"), for: placeholder) == nil, "a Pi 4 MAC does not fit b8:27:eb")
        #expect(watch.candidate(seen("dc:a6:32:00:00:02"), for: nil) == MACAddress("dc:a6:32:00:00:02"), "a node not in the map takes any MAC")
        #expect(watch.candidate(seen("B8:27:EB:00:00:02"), for: placeholder) == MACAddress("b8:27:eb:00:00:02"))
        watch.bind(MACAddress("b8:27:eb:00:00:02")!)
        #expect(watch.candidate(seen("b8:27:eb:00:00:02"), for: nil) == nil, "bound earlier in this run")
        watch.setAside([MACAddress("b8:27:eb:00:00:03")!])
        #expect(watch.candidate(seen("b8:27:eb:00:00:03"), for: nil) == nil, "set aside as ambiguous")
        #expect(watch.candidate(seen("not a mac"), for: nil) == nil)
    }

    @Test func thePowerCommandGetsTheIDAndItsStatusIsReported() throws {
        let command = PowerCommand(template: "test {id} = 23 && exit 0; exit {id}")
        #expect(command.command(for: 5) == "test 5 = 23 && exit 0; exit 5")
        #expect(try command.run(for: 23) == 0)
        #expect(try command.run(for: 5) == 5)
        #expect(try PowerCommand(template: "kill -9 $$").run(for: 1) == 137)
    }

    @Test func enrollWritesANewLineOrFillsThePlaceholderKeepingTheRest() throws {
        let directory = try TemporaryDirectory()
        try directory.file("nodes", text: "# sheet\n2 b8:27:eb:XX:XX:XX web02 disabled # bay 2\n")
        let file = NodeMapFile(path: directory.file("nodes"), subnet: IPv4Interface("10.42.0.250/24")!.subnet)
        try EnrollCommand.write(MACAddress("b8:27:eb:00:00:02")!, id: 2, to: file)
        try EnrollCommand.write(MACAddress("b8:27:eb:00:00:01")!, id: 1, to: file)
        let map = try file.load()
        #expect(map.node(id: 2)?.mac == MACAddress("b8:27:eb:00:00:02") && map.node(id: 2)?.name == "web02" && map.node(id: 2)?.settings.disabled == true)
        #expect(map.node(id: 1)?.mac == MACAddress("b8:27:eb:00:00:01"))
        #expect(try TextFile.read(directory.file("nodes")).contains("# bay 2"))
    }

    @Test func timeoutsAreBounded() {
        #expect(throws: (any Error).self) { try EnrollCommand.parse(["--ids", "1", "--timeout", "0"]) }
        #expect(throws: (any Error).self) { try EnrollCommand.parse(["--ids", "1-x"]) }
        #expect(throws: Never.self) { try EnrollCommand.parse(["--ids", "1-16,23", "--power", "p {id}"]) }
    }
}
