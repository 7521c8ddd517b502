import Foundation

/// How QEMU runs the guest: KVM where it really works, else tcg (software emulation, slower
/// but everywhere).
///
/// KVM is chosen only when `/dev/kvm` opens, answers API version 12, and this kernel's CPU
/// flags advertise hardware virtualisation (`vmx` or `svm`). The cloud machines this project
/// runs on expose a `/dev/kvm` that answers, yet hide `svm` from the guest kernel, and nested
/// KVM crashed there: the flag check keeps the test off that path.
/// `BRAMBLE_QEMU_ACCEL=tcg|kvm` overrides the choice.
enum QEMUAccelerator: String {
    case kvm
    case tcg

    /// Seconds a boot may take before the test gives up on it.
    var timeLimit: Double {
        switch self {
        case .kvm: 60
        case .tcg: 180
        }
    }

    static var chosen: QEMUAccelerator {
        if let forced = ProcessInfo.processInfo.environment["BRAMBLE_QEMU_ACCEL"], let accelerator = QEMUAccelerator(rawValue: forced) {
            return accelerator
        }
        return kvmWorks ? .kvm : .tcg
    }

    private static var kvmWorks: Bool {
        let kvmGetAPIVersion: UInt = 0xAE00
        let descriptor = open("/dev/kvm", O_RDWR | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        guard ioctl(descriptor, kvmGetAPIVersion) == 12 else { return false }
        return cpuAdvertisesVirtualisation
    }

    private static var cpuAdvertisesVirtualisation: Bool {
        guard let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return false }
        return cpuinfo.split(separator: "\n").contains { line in
            line.hasPrefix("flags") && line.split(separator: " ").contains { $0 == "vmx" || $0 == "svm" }
        }
    }
}
