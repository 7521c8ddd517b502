/// Renders a `BootTreeReport` as the text `bramble check` prints: one ✓/✗ line per file,
/// grouped by model, then cmdline.txt, then warnings. Kept apart from the report so another
/// renderer (JSON) can present the same data.
public enum BootTreeReportText {
    public static func render(_ report: BootTreeReport) -> String {
        var lines = ["Boot tree \(report.bootDirectory) (hub \(report.hubAddress))"]
        for problem in report.scanProblems { lines.append(describe(problem)) }

        for readiness in report.models {
            lines.append("")
            lines.append("\(readiness.model.rawValue): \(verdict(readiness))")
            for file in readiness.files { lines.append("  " + describe(file)) }
        }

        lines.append("")
        if let cmdline = report.cmdline {
            lines.append("cmdline.txt:")
            for finding in cmdline.findings { lines.append("  \(finding.isOK ? "✓" : "✗") \(finding.explanation)") }
            if let suggestion = cmdline.suggestedLine {
                lines.append("  Write this line instead:")
                lines.append("    \(suggestion)")
            }
        } else {
            lines.append("cmdline.txt: not checked (missing or unreadable)")
        }

        if !report.warnings.isEmpty {
            lines.append("")
            lines.append("Warnings:")
            for warning in report.warnings { lines.append("  ! " + describe(warning)) }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func verdict(_ readiness: ModelBootReadiness) -> String {
        if readiness.canBoot { return "can boot" }
        let missing = readiness.missing.map { $0.candidates.joined(separator: " or ") }
        if missing.isEmpty { return "cannot boot: cmdline.txt needs fixing (below)" }
        return "cannot boot, missing \(missing.joined(separator: ", "))"
    }

    private static func describe(_ file: BootFileCheck) -> String {
        let origin = file.namedByConfigTxt ? ", named by kernel= in config.txt" : ""
        if let found = file.found { return "✓ \(found) (\(file.purpose)\(origin))" }
        if file.candidates.count == 1 { return "✗ \(file.candidates[0]) missing (\(file.purpose)\(origin))" }
        return "✗ \(file.purpose) missing: none of \(file.candidates.joined(separator: ", "))\(origin)"
    }

    private static func describe(_ problem: BootTreeScanProblem) -> String {
        switch problem {
        case .bootDirectoryMissing(let path):
            "✗ \(path) does not exist: create it and copy the Raspberry Pi firmware, kernel and device trees into it"
        case .bootDirectoryNotADirectory(let path):
            "✗ \(path) is not a directory"
        case .unreadable(let path, let reason):
            "✗ \(path) cannot be read: \(reason)"
        case .linkOutsideTree(let path, let target):
            "! \(path) links to \(target), outside the boot tree: bramble does not serve it"
        case .brokenLink(let path):
            "! \(path) is a symbolic link to nothing"
        case .tooDeep(let path):
            "! \(path) is nested too deeply (or a link loop): not scanned"
        }
    }

    private static func describe(_ warning: BootTreeWarning) -> String {
        switch warning {
        case .configTxtTooLargeForPi4(let size):
            "config.txt is \(size) bytes: a Pi 4 ignores a config.txt over \(BootTreeReport.configTxtLimit) bytes; move comments and unused sections out"
        case .tooManyBlocksForOlderPi5(let path, let size):
            "\(path) is \(size) bytes, more than 65535 TFTP blocks of 1468 bytes: a Pi 5 with an EEPROM older than 2025-09-23 cannot fetch it"
        }
    }
}
