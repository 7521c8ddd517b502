import BrambleNodeMap

extension DHCPResponderSettings {
    /// The responder's settings from the config file: one mapping, so that `bramble serve`
    /// and `bramble replay` answer from exactly the same settings.
    public init(_ configuration: BrambleConfig) {
        self.init(
            hub: configuration.address, domain: configuration.domain.name, leaseSeconds: configuration.leaseTime.seconds,
            nfsRootDirectory: configuration.rootDirectory,
            // BootMenuText already holds the limits RaspberryPiBootMenu checks.
            bootMenu: (try? RaspberryPiBootMenu(text: configuration.piBootMenu.text)) ?? .padded,
            bootFileByArchitecture: configuration.pxeBootFiles.fileByArchitecture,
            iPXEBootFile: configuration.iPXEBootFile?.file,
            pi3BReplyDelayMilliseconds: configuration.pi3BReplyDelay.milliseconds,
            mode: configuration.dhcpMode)
    }
}

extension LeasePool {
    /// The dynamic pool the config asks for, or nil when `pool = off`.
    public init?(_ configuration: BrambleConfig) {
        guard let range = configuration.pool else { return nil }
        self.init(first: range.first, last: range.last, reserved: [])
    }
}
