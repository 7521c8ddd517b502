import BrambleWeb

await WebCommand.runMain()
