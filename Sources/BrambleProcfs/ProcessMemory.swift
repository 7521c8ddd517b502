/// A process's resident memory from /proc/PID/status (proc(5)): `VmRSS`, all of it, and
/// `RssAnon`, its anonymous part (heap, stacks), which is what the process itself grew,
/// as opposed to the shared libraries and files it maps. Pure: the caller reads the file.
public struct ProcessMemory: Hashable, Sendable {
    public var residentBytes: Int?
    public var anonymousResidentBytes: Int?

    public init(residentBytes: Int?, anonymousResidentBytes: Int?) {
        self.residentBytes = residentBytes
        self.anonymousResidentBytes = anonymousResidentBytes
    }

    /// The two fields of a status file's text; a field missing or not `<digits> kB` is nil.
    public init(statusFile: String) {
        var resident: Int?
        var anonymous: Int?
        for line in statusFile.split(separator: "\n") {
            if line.hasPrefix("VmRSS:") {
                resident = Self.kilobytes(line.dropFirst("VmRSS:".count))
            } else if line.hasPrefix("RssAnon:") {
                anonymous = Self.kilobytes(line.dropFirst("RssAnon:".count))
            }
        }
        self.init(residentBytes: resident, anonymousResidentBytes: anonymous)
    }

    /// `   1234 kB` as bytes; nil for anything else, or a value too large to be real.
    private static func kilobytes(_ field: Substring) -> Int? {
        let words = field.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard words.count == 2, words[1] == "kB", words[0].count <= 15, let value = Int(words[0]), value >= 0 else { return nil }
        return value * 1024
    }
}
