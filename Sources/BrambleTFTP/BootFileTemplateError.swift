/// Why a template cannot be rendered. The server refuses the file (a node booting with a
/// half-rendered `cmdline.txt` is worse than one that visibly fails) and logs this with
/// the template's path.
public enum BootFileTemplateError: Error, Hashable, Sendable, CustomStringConvertible {
    /// `{{key}}` with a key that is not one of ``BootFileTemplateKey``: a typo that would
    /// otherwise reach the kernel command line as literal braces.
    case unknownKey(String, line: Int)
    /// `{{` with no `}}` after it on the same line.
    case unterminatedPlaceholder(line: Int)

    public var description: String {
        let known = BootFileTemplateKey.allCases.map(\.description).joined(separator: " ")
        return switch self {
        case .unknownKey(let key, let line):
            "line \(line): unknown placeholder {{\(key)}}; known: \(known)"
        case .unterminatedPlaceholder(let line):
            "line \(line): '{{' has no closing '}}' on the same line"
        }
    }
}
