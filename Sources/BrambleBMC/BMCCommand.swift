/// The commands of the BitScope Edge Rack BMC's serial console, as geekdojo's
/// "Assembling BitScope's 24-Node Raspberry Pi Cluster"
/// (https://geekdojo.com/inspiration/reviews/bitscope-edgerack/index.html) shows them typed into `screen` at
/// 115200 baud. Each is sent exactly as the article types it, with no line ending: the single-
/// character commands act on the character, and a line ending would be one more byte for the
/// BMC to interpret.
public enum BMCCommand: Hashable, Sendable {
    /// `UnLockMe`: the BMC ignores commands until it has seen this once after power-up.
    case unlock
    /// `[NN]|`: the following commands address node NN (hexadecimal).
    case select(BMCID)
    /// `=`: the addressed node's status line (ID, master/slave, power, current, fan).
    case status
    /// `\`: cuts the addressed node's power at once, without a shutdown.
    case powerOff
    /// `/`: powers the addressed node on.
    case powerOn
    /// `#`: the addressed node's unique ID (UID).
    case uid
    /// Ctrl-G (BEL, 0x07): back to the master node, where a later session expects to start.
    case returnToMaster

    /// The bytes written to the line.
    public var bytes: [UInt8] { Array(text.utf8) }

    /// The command as characters, for logs (Ctrl-G spelled out).
    public var text: String {
        switch self {
        case .unlock: "UnLockMe"
        case .select(let id): "[\(id)]|"
        case .status: "="
        case .powerOff: "\\"
        case .powerOn: "/"
        case .uid: "#"
        case .returnToMaster: "\u{07}"
        }
    }

    /// How the command reads in a message: printable, Ctrl-G named.
    public var display: String { self == .returnToMaster ? "Ctrl-G" : text }
}
