import BrambleNodeMap

/// The config tests' two views of a config text: the validated config, or the diagnostics a
/// user would read.
func parsedConfig(_ text: String) throws(ConfigError) -> BrambleConfig {
    try ConfigParser.parse(text, file: "/etc/bramble/bramble.conf").validated()
}

func configProblems(_ text: String) -> [String] {
    do {
        _ = try parsedConfig(text)
        return []
    } catch {
        return error.diagnostics.map(\.description)
    }
}
