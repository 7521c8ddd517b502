import BrambleCommands
import BrambleDemo

DemoCommand.runMain()
