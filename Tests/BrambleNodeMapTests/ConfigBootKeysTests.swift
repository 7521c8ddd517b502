import BrambleNodeMap
import Testing

@Suite struct ConfigBootKeysTests {
    @Test func defaults() throws {
        let config = try parsedConfig("")
        #expect(config.pxeBootFiles == .none && config.iPXEBootFile == nil)
        #expect(config.pi3BReplyDelay.milliseconds == 1000)
        #expect(config.piBootMenu.text == "Raspberry Pi Boot   ")
    }

    @Test func bootKeysParse() throws {
        let config = try parsedConfig("""
            pxe-boot-file = 0:undionly.kpxe, 7:efi/ipxe.efi,9:efi/ipxe.efi
            ipxe-boot-file = boot.ipxe
            pi3b-reply-delay = 500ms
            pi-boot-menu = "Raspberry Pi Boot"
            """)
        #expect(config.pxeBootFiles.fileByArchitecture == [0: "undionly.kpxe", 7: "efi/ipxe.efi", 9: "efi/ipxe.efi"])
        #expect(config.iPXEBootFile?.file == "boot.ipxe")
        #expect(config.pi3BReplyDelay.milliseconds == 500)
        #expect(config.piBootMenu.text == "Raspberry Pi Boot")
        #expect(try parsedConfig("pi3b-reply-delay = 0").pi3BReplyDelay.milliseconds == 0)
        #expect(try parsedConfig("pi3b-reply-delay = 2s").pi3BReplyDelay.milliseconds == 2000)
    }

    @Test(arguments: [
        ("pxe-boot-file = undionly.kpxe", "is not ARCH:FILE"),
        ("pxe-boot-file = 0:/abs/file", "without a leading '/' or '..'"),
        ("pxe-boot-file = 0:../escape", "without a leading '/' or '..'"),
        ("pxe-boot-file = 0:a, 0:b", "architecture 0 is given twice"),
        ("pxe-boot-file = 0:", "a boot file name is needed"),
        ("ipxe-boot-file = boot file.ipxe", "ASCII without spaces"),
        ("pi3b-reply-delay = 5s", "use at most 4s"),
        ("pi3b-reply-delay = soon", "is not a delay"),
        ("pi-boot-menu = \"\(String(repeating: "x", count: 253))\"", "1-252 characters"),
    ])
    func badValuesNameTheLine(line: String, reason: String) {
        let found = configProblems("# boot\n" + line)
        #expect(found.count == 1 && found[0].hasPrefix("/etc/bramble/bramble.conf:2: ") && found[0].contains(reason), "\(found)")
    }
}
