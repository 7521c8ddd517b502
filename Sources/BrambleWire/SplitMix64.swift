/// The one seeded generator of the package: SplitMix64 (Steele, Lea and Flood, "Fast
/// splittable pseudorandom number generators", OOPSLA 2014; constants as in Vigna's public
/// reference implementation, https://prng.di.unimi.it/splitmix64.c).
///
/// Deterministic by design, so whatever draws from it reproduces from its seed: replay's
/// forwarder IDs, the fuzz targets' random choices, the demo's synthetic boot files, and the
/// tests' generated inputs. Never for anything secret (the daemon's DNS query IDs come from
/// the system generator).
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// `count` bytes of the stream, eight per draw in little-endian order: synthetic file
    /// contents of a given size.
    public mutating func bytes(_ count: Int) -> [UInt8] {
        var words = [UInt64](repeating: 0, count: (max(0, count) + 7) / 8)
        for index in words.indices { words[index] = next().littleEndian }
        return words.withUnsafeBytes { Array($0.prefix(max(0, count))) }
    }
}
