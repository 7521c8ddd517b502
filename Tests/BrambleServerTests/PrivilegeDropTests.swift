@testable import BrambleServer
import Glibc
import Testing

@Suite struct PrivilegeDropTests {
    /// The fields of /proc/self/status of a child that dropped to nobody.
    func statusAfterDropping(to account: PrivilegeDrop.Account) -> (exit: Int32, fields: [String: String]) {
        var ends: [Int32] = [0, 0]
        pipe(&ends)
        var buffer = [UInt8](repeating: 0, count: 16_384)
        let child = fork()
        if child == 0 {
            // Only system calls from here: the child of a threaded process.
            close(ends[0])
            var code: Int32 = 0
            do { try PrivilegeDrop.drop(to: account) } catch { code = 1 }
            let fd = open("/proc/self/status", O_RDONLY)
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 { _ = buffer.withUnsafeBytes { write(ends[1], $0.baseAddress, count) } }
            _exit(code)
        }
        close(ends[1])
        var bytes: [UInt8] = []
        while true {
            let count = buffer.withUnsafeMutableBytes { read(ends[0], $0.baseAddress, $0.count) }
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        close(ends[0])
        var status: Int32 = 0
        waitpid(child, &status, 0)
        var fields: [String: String] = [:]
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = String(line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" })
        }
        return ((status >> 8) & 0xff, fields)
    }

    @Test func onlyCapNetAdminIsLeftInTheBoundingSetAsInTheEffectiveAndPermittedSets() throws {
        guard geteuid() == 0, let account = PrivilegeDrop.account(preferring: ["nobody"]) else {
            print("skipped: dropping privileges needs root and a nobody account")
            return
        }
        let (exit, fields) = statusAfterDropping(to: account)
        #expect(exit == 0, "PrivilegeDrop.drop failed in the child")
        #expect(fields["Uid"]?.hasPrefix("\(account.uid)") == true, "\(fields["Uid"] ?? "")")
        #expect(fields["CapBnd"] == "0000000000001000", "CAP_NET_ADMIN (bit 12) only: \(fields["CapBnd"] ?? "")")
        #expect(fields["CapEff"] == "0000000000001000" && fields["CapPrm"] == "0000000000001000")
        #expect(fields["CapInh"] == "0000000000000000" && fields["CapAmb"] == "0000000000000000")
        #expect(fields["NoNewPrivs"] == "1")
    }
}
