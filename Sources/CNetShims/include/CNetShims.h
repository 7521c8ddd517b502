#ifndef CNETSHIMS_H
#define CNETSHIMS_H

// Linux interfaces that Swift's Glibc module does not export, and wrappers for the
// variadic C functions Swift cannot call (ioctl, prctl, syscall).

#include <errno.h>
#include <linux/filter.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <netpacket/packet.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>
#include "CNetPacketRing.h"

static inline int cnet_set_no_new_privs(void) { return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); }
static inline int cnet_set_keepcaps(int on) { return prctl(PR_SET_KEEPCAPS, on, 0, 0, 0); }
/// accept4(2) is a GNU extension the Glibc module hides: a non-blocking, close-on-exec
/// descriptor in one call, with no window where a fork could inherit it.
int accept4(int fd, struct sockaddr *address, socklen_t *length, int flags);
static inline int cnet_accept_nonblocking(int fd, struct sockaddr *address, socklen_t *length) {
    return accept4(fd, address, length, SOCK_NONBLOCK | SOCK_CLOEXEC);
}
static inline int cnet_gettid(void) { return (int)syscall(SYS_gettid); }

/// Adds or replaces a permanent-until-expiry ARP entry, as dnsmasq does before answering a
/// Pi 3B (its ROM stops answering ARP mid-transfer).
static inline int cnet_set_arp_entry(int fd, const char *interface, uint32_t ip_network_order, const uint8_t mac[6]) {
    struct arpreq request;
    memset(&request, 0, sizeof request);
    struct sockaddr_in *address = (struct sockaddr_in *)&request.arp_pa;
    address->sin_family = AF_INET;
    address->sin_addr.s_addr = ip_network_order;
    request.arp_ha.sa_family = ARPHRD_ETHER;
    memcpy(request.arp_ha.sa_data, mac, 6);
    strncpy(request.arp_dev, interface, sizeof request.arp_dev - 1);
    request.arp_flags = ATF_COM;
    return ioctl(fd, SIOCSARP, &request);
}

/// The interface's MTU, for clamping TFTP block sizes to what one frame carries.
static inline int cnet_interface_mtu(int fd, const char *interface) {
    struct ifreq request;
    memset(&request, 0, sizeof request);
    strncpy(request.ifr_name, interface, IFNAMSIZ - 1);
    if (ioctl(fd, SIOCGIFMTU, &request) < 0) return -1;
    return request.ifr_mtu;
}

/// The interface's hardware address, the source MAC of frames we send on the raw socket.
static inline int cnet_interface_mac(int fd, const char *interface, uint8_t mac[6]) {
    struct ifreq request;
    memset(&request, 0, sizeof request);
    strncpy(request.ifr_name, interface, IFNAMSIZ - 1);
    if (ioctl(fd, SIOCGIFHWADDR, &request) < 0) return -1;
    memcpy(mac, request.ifr_hwaddr.sa_data, 6);
    return 0;
}

/// Sends the gathered `vectors` to `destination` as UDP datagrams of `segment_size` bytes
/// each, the last possibly shorter, with one sendmsg: UDP GSO (UDP_SEGMENT, Linux 4.18), so
/// the stack is walked once per train instead of once per datagram. Fails with EIO when the
/// interface cannot offload the checksum; the caller then sends one datagram at a time.
static inline ssize_t cnet_send_segmented(int fd, const struct iovec *vectors, size_t count, const struct sockaddr_in *destination, uint16_t segment_size) {
    union { struct cmsghdr align; char bytes[CMSG_SPACE(sizeof(uint16_t))]; } control;
    memset(&control, 0, sizeof control);
    struct msghdr message;
    memset(&message, 0, sizeof message);
    message.msg_name = (void *)destination;
    message.msg_namelen = sizeof *destination;
    message.msg_iov = (struct iovec *)vectors;
    message.msg_iovlen = count;
    message.msg_control = control.bytes;
    message.msg_controllen = sizeof control.bytes;
    struct cmsghdr *header = CMSG_FIRSTHDR(&message);
    header->cmsg_level = SOL_UDP;
    header->cmsg_type = UDP_SEGMENT;
    header->cmsg_len = CMSG_LEN(sizeof(uint16_t));
    memcpy(CMSG_DATA(header), &segment_size, sizeof segment_size);
    return sendmsg(fd, &message, MSG_DONTWAIT);
}

/// struct mmsghdr, recvmmsg(2) and sendmmsg(2) are GNU extensions the Glibc module hides.
/// This is the kernel's struct mmsghdr (include/linux/socket.h), field for field, and the
/// calls go through syscall(2) so no prototype can clash with glibc's.
struct cnet_mmsghdr {
    struct msghdr msg_hdr;
    unsigned int msg_len;
};

/// Up to `count` datagrams with one system call, never blocking; -1 with errno when none.
static inline int cnet_recvmmsg(int fd, struct cnet_mmsghdr *messages, unsigned int count) {
    return (int)syscall(SYS_recvmmsg, fd, messages, count, MSG_DONTWAIT, NULL);
}

/// Sends up to `count` datagrams with one system call; returns how many the kernel took
/// (the first `n`), or -1 with errno when it took none.
static inline int cnet_sendmmsg(int fd, struct cnet_mmsghdr *messages, unsigned int count) {
    return (int)syscall(SYS_sendmmsg, fd, messages, count, MSG_DONTWAIT);
}

#endif
