/// Prometheus' text exposition format, version 0.0.4
/// (https://prometheus.io/docs/instrumenting/exposition_formats/): `# HELP` and `# TYPE`
/// lines, then one line per sample, `name{label="value",...} value`. Pure: families in,
/// text out.
///
/// Everything given is written so the text stays valid whatever it holds: names are
/// mapped into their allowed characters, label values and HELP text escaped (`\\`, `\"`,
/// `\n`), a family whose name repeats an earlier one's is left out (a scrape with two
/// families of one name is rejected), and non-finite values are `+Inf`, `-Inf` or `NaN`.
public enum PrometheusExposition {
    /// The Content-Type of a scrape's answer.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    public static func render(_ families: [MetricFamily]) -> String {
        var text = ""
        var written: Set<String> = []
        for family in families {
            let name = metricName(family.name)
            guard written.insert(name).inserted else { continue }
            text += "# HELP \(name) \(escapeHelp(family.help))\n# TYPE \(name) \(family.kind.rawValue)\n"
            for sample in family.samples {
                text += name
                text += metricName(sample.suffix, allowingEmpty: true)
                if !sample.labels.isEmpty {
                    text += "{"
                    var first = true
                    for label in sample.labels {
                        if !first { text += "," }
                        first = false
                        text += labelName(label.name)
                        text += "=\""
                        text += escapeLabelValue(label.value)
                        text += "\""
                    }
                    text += "}"
                }
                text += " "
                text += number(sample.value)
                text += "\n"
            }
        }
        return text
    }

    /// `[a-zA-Z_:][a-zA-Z0-9_:]*`: every other character becomes `_`, as does a leading
    /// digit; an empty name is `_`.
    public static func metricName(_ name: String, allowingEmpty: Bool = false) -> String {
        sanitized(name, allowingColon: true, allowingEmpty: allowingEmpty)
    }

    /// `[a-zA-Z_][a-zA-Z0-9_]*`, and not `__` first (reserved for Prometheus itself).
    public static func labelName(_ name: String) -> String {
        let clean = sanitized(name, allowingColon: false, allowingEmpty: false)
        return clean.hasPrefix("__") ? "x" + clean.dropFirst() : clean
    }

    public static func escapeLabelValue(_ value: String) -> String {
        escaped(value, quote: true)
    }

    public static func escapeHelp(_ help: String) -> String {
        escaped(help, quote: false)
    }

    /// A sample value as Go's ParseFloat reads it: whole numbers without a fraction,
    /// others in Swift's shortest round-tripping form ("0.005", "1e-07").
    public static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 9_007_199_254_740_992 { return String(Int64(value)) }
        return "\(value)"
    }

    private static func sanitized(_ name: String, allowingColon: Bool, allowingEmpty: Bool) -> String {
        if name.isEmpty { return allowingEmpty ? "" : "_" }
        var result = ""
        result.unicodeScalars.reserveCapacity(name.unicodeScalars.count)
        for (index, scalar) in name.unicodeScalars.enumerated() {
            let letter = ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || scalar == "_" || (allowingColon && scalar == ":")
            let digit = ("0"..."9").contains(scalar)
            result.unicodeScalars.append(letter || (digit && index > 0) ? scalar : "_")
        }
        return result
    }

    private static func escaped(_ text: String, quote: Bool) -> String {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\n") || (quote && $0 == UInt8(ascii: "\"")) }) else {
            return text
        }
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\"" where quote: result += "\\\""
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
