import BrambleBMC
import Glibc

/// What went wrong talking to the BMC, each case naming the device and what to do about it.
public enum BMCLinkError: Error, Equatable, Sendable {
    /// open(2) failed: no such device, no permission, ...
    case cannotOpen(device: String, errno: Int32)
    /// The path opened but is no terminal (tcgetattr failed): a wrong `--device`.
    case notASerialLine(device: String)
    /// Another process holds the line's lock for longer than we wait.
    case busy(device: String, waitedMilliseconds: Int)
    /// No status line came within the reply timeout; `unparsed` holds what did come.
    case silent(device: String, command: String, waitedMilliseconds: Int, unparsed: [BMCUnparsedLine])
    /// The BMC answered for another node than the one selected (a node the rack lacks).
    case wrongNode(device: String, asked: BMCID, answered: BMCID)
    /// The node's power did not reach the wanted state within the reply timeout.
    case powerNotConfirmed(device: String, id: BMCID, wanted: BMCPowerState, waitedMilliseconds: Int)
    /// A read or write failed, or the line hung up.
    case io(device: String, operation: String, errno: Int32)

    public var message: String {
        switch self {
        case .cannotOpen(let device, let code):
            let reason = String(cString: strerror(code))
            switch code {
            case EACCES, EPERM:
                return "cannot open the BMC's serial line \(device): \(reason); add the user to the dialout group "
                    + "(sudo usermod -aG dialout $USER, then log in again) or run as root"
            case ENOENT, ENODEV, ENXIO:
                return "cannot open the BMC's serial line \(device): \(reason); on the rack's master Pi enable the UART "
                    + "(enable_uart=1 in config.txt, serial console off), or name the device with --device or bmc-device"
            default:
                return "cannot open the BMC's serial line \(device): \(reason)"
            }
        case .notASerialLine(let device):
            return "\(device) is not a serial line (no terminal settings); wrong device? name the BMC's port with --device "
                + "or bmc-device (the Edge Rack's master Pi reaches it on /dev/serial0)"
        case .busy(let device, let waited):
            return "\(device) is in use by another bramble process (waited \(Self.seconds(waited))); "
                + "BMC commands on one line must not interleave: let it finish and try again"
        case .silent(let device, let command, let waited, let unparsed):
            var text = "no status line from the BMC on \(device) within \(Self.seconds(waited)) after `\(command)`"
            if !unparsed.isEmpty {
                text += "; it sent \(unparsed.count) line\(unparsed.count == 1 ? "" : "s") that \(unparsed.count == 1 ? "is" : "are") not a status: "
                    + unparsed.prefix(3).map(\.description).joined(separator: ", ")
                text += " (wrong baud rate, or another program on the line?)"
            } else {
                text += "; check that the Edge Rack is powered, that \(device) is the BMC's port, and that no serial "
                    + "console or getty uses it (console=serial0 in cmdline.txt)"
            }
            return text
        case .wrongNode(let device, let asked, let answered):
            return "the BMC on \(device) answered for node \(answered) when node \(asked) was selected: "
                + "no node \(asked) on this rack? check the node's bmc= setting (two hexadecimal digits)"
        case .powerNotConfirmed(let device, let id, let wanted, let waited):
            return "the BMC on \(device) still reports node \(id) not \(wanted.rawValue) \(Self.seconds(waited)) after the power command"
        case .io(let device, let operation, let code):
            return "\(operation) on the BMC's serial line \(device) failed: \(String(cString: strerror(code)))"
        }
    }

    static func seconds(_ milliseconds: Int) -> String {
        milliseconds % 1000 == 0 ? "\(milliseconds / 1000) s" : "\(Double(milliseconds) / 1000) s"
    }
}
