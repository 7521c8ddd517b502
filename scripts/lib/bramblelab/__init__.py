"""bramblelab: the packet code the simulators and probes in scripts/lib/ share.

Standard library only (python3 on a fresh Debian). Each script puts its own directory
on sys.path from its __file__ before importing it, so it still runs as
`python3 scripts/lib/NAME.py` from any directory. docs/simulators.md says which script
plays what and how to add one.

    frames  Ethernet II / IPv4 / UDP frames for AF_PACKET sockets, the IP checksum, hexdumps
    dhcp    BOOTP/DHCP messages, and the DISCOVERs and REQUESTs Raspberry Pis send
    tftp    TFTP packets and one read client (options, windowsize, probes, retries)
    dns     DNS queries, names, headers and A records; DNS-over-TCP framing
"""
