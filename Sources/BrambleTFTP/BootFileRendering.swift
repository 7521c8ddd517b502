/// A rendered template, and the placeholders that had no value.
public struct BootFileRendering: Hashable, Sendable {
    public var bytes: [UInt8]
    /// Keys rendered as empty text because the value is unknown (a serial not yet
    /// reported, a placeholder MAC), each once, in order of first use. The file is still
    /// served; the server reports these in the node's boot log.
    public var emptyKeys: [BootFileTemplateKey]

    public init(bytes: [UInt8], emptyKeys: [BootFileTemplateKey]) {
        self.bytes = bytes
        self.emptyKeys = emptyKeys
    }
}
