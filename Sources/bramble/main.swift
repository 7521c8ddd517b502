import BrambleCommands

BrambleCommand.runMain()
