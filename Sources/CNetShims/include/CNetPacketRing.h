#ifndef CNET_PACKET_RING_H
#define CNET_PACKET_RING_H

// A PACKET_MMAP receive ring (TPACKET_V2) for an AF_PACKET socket: the kernel writes each
// frame into a slot of memory shared with the process, so reading a frame is a load from
// that memory instead of a recvmsg per frame. The layout is the kernel's ABI
// (linux/if_packet.h, which cannot be included beside glibc's netpacket/packet.h) and is
// described in https://docs.kernel.org/networking/packet_mmap.html.

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <netpacket/packet.h>

#define CNET_TPACKET_V2 1
#define CNET_TP_STATUS_KERNEL 0u
#define CNET_TP_STATUS_USER (1u << 0)
#define CNET_TP_STATUS_RING_CSUMNOTREADY (1u << 3)

/// struct tpacket2_hdr: the header the kernel writes at the start of every slot.
struct cnet_tpacket2_hdr {
    uint32_t tp_status;
    uint32_t tp_len;
    uint32_t tp_snaplen;
    uint16_t tp_mac;
    uint16_t tp_net;
    uint32_t tp_sec;
    uint32_t tp_nsec;
    uint16_t tp_vlan_tci;
    uint16_t tp_vlan_tpid;
    uint8_t tp_padding[4];
};

/// struct tpacket_req: the ring's geometry.
struct cnet_tpacket_req {
    unsigned int tp_block_size;
    unsigned int tp_block_nr;
    unsigned int tp_frame_size;
    unsigned int tp_frame_nr;
};

/// TPACKET_ALIGN(sizeof(struct tpacket2_hdr)): where the sockaddr_ll follows the header.
#define CNET_TPACKET2_ADDRESS_OFFSET ((sizeof(struct cnet_tpacket2_hdr) + 15u) & ~15u)

/// Switches `fd` to TPACKET_V2, asks for a ring of `frame_count` slots of `frame_size` bytes
/// (`frames_per_block` to a block), and maps it; *ring is the mapping, `frame_size *
/// frame_count` bytes. Call before bind, so no frame is queued outside the ring. Returns 0,
/// or -1 with errno set (the ring is then not mapped).
static inline int cnet_packet_ring_map(int fd, unsigned int frame_size, unsigned int frame_count, unsigned int frames_per_block, void **ring) {
    int version = CNET_TPACKET_V2;
    if (setsockopt(fd, SOL_PACKET, PACKET_VERSION, &version, sizeof version) != 0) return -1;
    struct cnet_tpacket_req request = {
        .tp_block_size = frame_size * frames_per_block,
        .tp_block_nr = frame_count / frames_per_block,
        .tp_frame_size = frame_size,
        .tp_frame_nr = frame_count,
    };
    if (setsockopt(fd, SOL_PACKET, PACKET_RX_RING, &request, sizeof request) != 0) return -1;
    void *mapped = mmap(NULL, (size_t)frame_size * frame_count, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (mapped == MAP_FAILED) return -1;
    *ring = mapped;
    return 0;
}

static inline struct cnet_tpacket2_hdr *cnet_packet_ring_slot(void *ring, unsigned int frame_size, unsigned int index) {
    return (struct cnet_tpacket2_hdr *)((uint8_t *)ring + (size_t)frame_size * index);
}

/// Whether slot `index` holds a frame the kernel handed over (and the process has not yet
/// given back). The acquire load orders the reads of the frame after it.
static inline int cnet_packet_ring_ready(void *ring, unsigned int frame_size, unsigned int index) {
    return (__atomic_load_n(&cnet_packet_ring_slot(ring, frame_size, index)->tp_status, __ATOMIC_ACQUIRE) & CNET_TP_STATUS_USER) != 0;
}

/// Copies the frame in slot `index` (which must be ready) into `buffer` and returns its
/// length, with its sll_pkttype, whether its transport checksum was left for offload, its
/// length on the wire and when the kernel received it (CLOCK_REALTIME). Returns -1 for a
/// slot whose offsets do not fit inside it: the slot is then only to be given back. Never
/// reads or writes outside the slot or `buffer`.
static inline long cnet_packet_ring_copy(
    void *ring, unsigned int frame_size, unsigned int index, uint8_t *buffer, size_t length,
    int *packet_type, int *checksum_not_ready, uint32_t *wire_length, uint32_t *seconds, uint32_t *nanoseconds
) {
    struct cnet_tpacket2_hdr *header = cnet_packet_ring_slot(ring, frame_size, index);
    size_t mac = header->tp_mac, snap = header->tp_snaplen;
    if (CNET_TPACKET2_ADDRESS_OFFSET + sizeof(struct sockaddr_ll) > frame_size) return -1;
    if (mac > frame_size || snap > frame_size - mac || snap > length) return -1;
    struct sockaddr_ll address;
    memcpy(&address, (uint8_t *)header + CNET_TPACKET2_ADDRESS_OFFSET, sizeof address);
    *packet_type = address.sll_pkttype;
    *checksum_not_ready = (header->tp_status & CNET_TP_STATUS_RING_CSUMNOTREADY) != 0;
    *wire_length = header->tp_len;
    *seconds = header->tp_sec;
    *nanoseconds = header->tp_nsec;
    memcpy(buffer, (uint8_t *)header + mac, snap);
    return (long)snap;
}

/// Gives slot `index` back to the kernel; the release store orders the reads before it.
static inline void cnet_packet_ring_release(void *ring, unsigned int frame_size, unsigned int index) {
    __atomic_store_n(&cnet_packet_ring_slot(ring, frame_size, index)->tp_status, CNET_TP_STATUS_KERNEL, __ATOMIC_RELEASE);
}

static inline int cnet_packet_ring_unmap(void *ring, unsigned int frame_size, unsigned int frame_count) {
    return munmap(ring, (size_t)frame_size * frame_count);
}

#endif
