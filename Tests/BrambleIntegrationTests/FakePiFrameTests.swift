import BrambleLab
import Foundation
import Testing

/// The frames the simulators build (scripts/lib/bramblelab, which fakepi.py, pidiscover.py,
/// hostile.py and fixture-client.py share) equal the reconstructed DHCPDISCOVER frames of
/// Fixtures/frames/ byte for byte, and `fakepi.py --print-frame` prints the same: the Pi 3B
/// and 3B+ ROM, bootcode.bin, the Pi 4, CM4 and Pi 5 bootloader and the Linux kernel's
/// ip=dhcp. The comparison is the package's own unittest (bramblelab/test_fixture_frames.py),
/// run here so `swift test` and scripts/test run it. Needs python3, not root.
@Suite struct FakePiFrameTests {
    @Test("the simulators' DISCOVER frames equal the reconstructed fixtures")
    func frames() throws {
        let lib = ServerUnderTest.repository.appendingPathComponent("scripts/lib").path
        let result = try NetworkLab.execute(
            ["python3", "-m", "unittest", "discover", "-v", "-s", lib, "-t", lib, "-p", "test_*.py"], timeout: 120)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("test_the_package_builds_each_fixture"), "\(result.output)")
    }
}
