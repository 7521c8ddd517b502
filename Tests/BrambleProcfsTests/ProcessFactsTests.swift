import BrambleProcfs
import Testing

struct ProcessFactsTests {
    @Test("socket:[INODE] links give the inode; files, pipes and anonymous inodes give none")
    func socketLinks() {
        #expect(ProcessFacts.socketInode(linkTarget: "socket:[1930353]") == 1_930_353)
        for target in ["/var/lib/misc/dnsmasq.leases", "pipe:[1930369]", "anon_inode:inotify", "socket:[]", "socket:[12", "socket:[1a]",
                       "socket:[99999999999999999999999]", "socket:[-1]", ""] {
            #expect(ProcessFacts.socketInode(linkTarget: target) == nil, "\(target)")
        }
    }

    @Test("only all-digit /proc names are processes")
    func processIDs() {
        #expect(ProcessFacts.processID(directoryName: "28864") == 28864)
        for name in ["self", "net", "thread-self", "", "0", "12a", "99999999999"] {
            #expect(ProcessFacts.processID(directoryName: name) == nil, "\(name)")
        }
    }

    @Test("comm is the first line; empty is none")
    func commandNames() {
        #expect(ProcessFacts.commandName(commFile: "dnsmasq\n") == "dnsmasq")
        #expect(ProcessFacts.commandName(commFile: "") == nil)
        #expect(ProcessFacts.commandName(commFile: "\n") == nil)
    }

    @Test("the service from a unified, a hybrid and a container's cgroup file")
    func services() {
        #expect(ProcessFacts.systemdService(cgroupFile: "0::/system.slice/dnsmasq.service\n") == "dnsmasq.service")
        let hybrid = "12:pids:/system.slice/dnsmasq.service\n1:name=systemd:/system.slice/dnsmasq.service\n0::/system.slice/dnsmasq.service\n"
        #expect(ProcessFacts.systemdService(cgroupFile: hybrid) == "dnsmasq.service")
        #expect(ProcessFacts.systemdService(cgroupFile: "0::/user.slice/user-1000.slice/session-3.scope\n") == nil)
        #expect(ProcessFacts.systemdService(cgroupFile: "9:name=systemd:/\n4:memory:/process_api/779c\n0::/\n") == nil)
        #expect(ProcessFacts.systemdService(cgroupFile: "garbage") == nil)
    }

    @Test("stop with systemctl when the process runs in its own service, else kill the pid")
    func stopCommands() {
        #expect(PortHolder(processID: 812, command: "dnsmasq", service: "dnsmasq.service").stopCommand == "systemctl stop dnsmasq")
        #expect(PortHolder(processID: 812, command: "dnsmasq", service: nil).stopCommand == "kill 812")
        #expect(PortHolder(processID: 812, command: "dnsmasq", service: "libvirtd.service").stopCommand == "kill 812")
        #expect(PortHolder(processID: 90, command: "bramble", service: "bramble.service").stopCommand == "systemctl stop bramble")
        #expect(PortHolder(processID: 812, command: nil, service: "dnsmasq.service").stopCommand == "kill 812")
        #expect(PortHolder(processID: 812, command: "dnsmasq", service: nil).description == "dnsmasq (pid 812)")
    }
}
