import BrambleWire

let clusterSubnet = IPv4Interface("10.42.0.250/24")!.subnet
