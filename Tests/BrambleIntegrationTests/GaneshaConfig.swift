import BrambleRoots

/// An nfs-ganesha configuration made from bramble's export lines, so the namespace test
/// serves exactly what `bramble roots export` wrote, with a real NFS server that runs
/// without the kernel's (nfsd is not available on this machine).
///
/// NFSv4 only, over TCP, bound to the hub's address alone: no rpcbind, NLM or rquota, whose
/// registrations would reach for the host's portmapper. Every state file (recovery
/// directory) lives under `stateDirectory`. Each export line becomes one EXPORT block whose
/// NFSv4 pseudo path is the exported path itself, as the kernel server's pseudo root shows
/// it, and each `host(options)` one CLIENT block (ganesha's config reference:
/// https://github.com/nfs-ganesha/nfs-ganesha/blob/next/src/config_samples/export.txt).
enum GaneshaConfig {
    struct UnsupportedOption: Error, CustomStringConvertible {
        let option: String
        let line: String
        var description: String { "the ganesha translation has no equivalent for '\(option)' in: \(line)" }
    }

    /// exports(5) options with no ganesha setting to make: ganesha commits writes as the
    /// NFS client asks (sync), has no subtree check, and needs no port or delay tuning here.
    static let optionsWithoutEquivalent: Set<String> = ["sync", "no_subtree_check", "subtree_check", "secure", "wdelay", "no_wdelay"]

    static func render(exports: [NFSExport], bind: String, stateDirectory: String) throws -> String {
        var text = """
            NFS_CORE_PARAM {
                Protocols = 4;
                Bind_addr = \(bind);
                NFS_Port = 2049;
                Enable_NLM = false;
                Enable_RQUOTA = false;
                Enable_UDP = false;
            }
            NFSV4 {
                RecoveryBackend = fs;
                RecoveryRoot = "\(stateDirectory)/recovery";
                Graceless = true;
            }

            """
        for (index, export) in exports.enumerated() {
            text += """
                EXPORT {
                    Export_Id = \(index + 1);
                    Path = "\(export.path)";
                    Pseudo = "\(export.path)";
                    Protocols = 4;
                    Transports = TCP;
                    SecType = sys;
                    Access_Type = None;
                    FSAL { Name = VFS; }

                """
            for client in export.clients {
                var squash = "Root_Squash"
                for option in client.options {
                    switch option {
                    case "rw", "ro": break
                    case "no_root_squash": squash = "No_Root_Squash"
                    case "root_squash": squash = "Root_Squash"
                    case "all_squash": squash = "All_Squash"
                    case _ where optionsWithoutEquivalent.contains(option): break
                    default: throw UnsupportedOption(option: option, line: export.line)
                    }
                }
                text += """
                        CLIENT { Clients = \(client.host); Access_Type = \(client.isReadWrite ? "RW" : "RO"); Squash = \(squash); }

                    """
            }
            text += "}\n"
        }
        return text
    }
}
