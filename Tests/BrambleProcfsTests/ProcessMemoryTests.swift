import BrambleProcfs
import Testing

@Suite struct ProcessMemoryTests {
    @Test func memoryFieldsComeFromTheStatusFileInBytes() {
        let status = "Name:\tbramble\nVmRSS:\t   10236 kB\nRssAnon:\t    2048 kB\nRssFile:\t8188 kB\n"
        #expect(ProcessMemory(statusFile: status) == ProcessMemory(residentBytes: 10_236 * 1024, anonymousResidentBytes: 2048 * 1024))
        for hostile in ["VmRSS: lots kB", "VmRSS: 12 MB", "VmRSS: -4 kB", "VmRSS: 99999999999999999999 kB", "", "VmRSS:", "VmRSS: 1 2 kB"] {
            #expect(ProcessMemory(statusFile: hostile).residentBytes == nil, "\(hostile)")
        }
    }
}
