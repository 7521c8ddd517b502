import BrambleWire

/// The part of `config.txt` that changes which files a Pi fetches: `kernel=`, read with the
/// firmware's conditional sections, so `kernel=` under `[pi4]` only changes what a Pi 4 loads.
///
/// Model filters of the same kind replace each other and `[all]` resets every filter
/// (raspberrypi/documentation, config_txt/conditional.adoc). `[pi3+]` is counted as Pi 3,
/// since bramble serves the 3B and 3B+ alike; `[pi4]` selects the Pi 4B, Pi 400 and CM4, and
/// `[cm4]` the CM4 alone; `[pi5]` the Pi 5, Pi 500 and CM5, and `[cm5]` the CM5 alone (the
/// same page's table). Filters that depend on the individual board
/// (`[0x…]` serial, `[gpio…]`, `[EDID=…]`, `[HDMI:…]`, `[tryboot]`) cannot be decided here and
/// are taken as true: a `kernel=` under one of them is checked as if every board used it.
struct BootTreeConfigTxt {
    /// The file each model is told to load instead of its default kernel.
    private(set) var kernelOverrides: [PiModel: String] = [:]

    init(_ text: String) {
        var modelFilter = Set(PiModel.allCases)
        var disabled = false
        for rawLine in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let line = rawLine.drop(while: \.isWhitespace)
            guard let first = line.first, first != "#" else { continue }
            if first == "[" {
                let filter = line.dropFirst().prefix { $0 != "]" }.lowercased()
                switch filter {
                case "all":
                    modelFilter = Set(PiModel.allCases)
                    disabled = false
                case "none":
                    disabled = true
                default:
                    if let models = Self.modelsMatching(filter: filter) { modelFilter = models }
                }
                continue
            }
            let parts = line.split(separator: "=", maxSplits: 1)
            guard !disabled, parts.count == 2, parts[0].trimmingSpaces == "kernel" else { continue }
            let value = parts[1].trimmingSpaces
            guard !value.isEmpty else { continue }
            for model in modelFilter { kernelOverrides[model] = String(value) }
        }
    }

    /// The models a model filter selects, or nil when `filter` is not a model filter.
    private static func modelsMatching(filter: String) -> Set<PiModel>? {
        switch filter {
        case "pi3", "pi3+": [.pi3]
        case "pi4": [.pi4, .cm4]
        case "cm4": [.cm4]
        case "pi5": [.pi5, .cm5]
        case "cm5": [.cm5]
        case "pi1", "pi2", "pi0", "pi0w", "pi02", "pi400", "cm4s", "pi500": []
        default: filter.hasPrefix("board-type=") ? modelsMatching(boardType: filter.dropFirst("board-type=".count)) : nil
        }
    }

    /// Board types from the revision code (revision-codes.adoc): 0x08 is the 3B, 0x0d the
    /// 3B+, 0x11 the 4B, 0x14 the CM4, 0x17 the Pi 5, 0x18 the CM5 and 0x1a the CM5 Lite.
    private static func modelsMatching(boardType: Substring) -> Set<PiModel> {
        let digits = boardType.hasPrefix("0x") ? boardType.dropFirst(2) : boardType
        switch Int(digits, radix: 16) {
        case 0x08, 0x0d: return [.pi3]
        case 0x11: return [.pi4]
        case 0x14: return [.cm4]
        case 0x17: return [.pi5]
        case 0x18, 0x1a: return [.cm5]
        default: return []
        }
    }
}
