/// DNS over TCP's framing (RFC 1035 section 4.2.2, RFC 7766): each message preceded by its
/// length as two bytes, big-endian. TCP delivers a byte stream, so one read may hold half a
/// length, several messages, or the start of the next one; this collects bytes until whole
/// messages are there.
///
/// A value, with no socket: the framing is tested on its own, split at every byte.
struct LengthPrefixedFramer {
    /// What two bytes of length can say.
    static let maximumMessageLength = Int(UInt16.max)

    /// Why a message was not framed.
    enum FramingError: Error, Equatable, CustomStringConvertible {
        case messageTooLong(length: Int)

        var description: String {
            switch self {
            case .messageTooLong(let length):
                "a DNS message over TCP is at most 65535 bytes; this one has \(length), so it was not sent"
            }
        }
    }

    private var buffer: [UInt8] = []
    /// Where the unconsumed bytes begin: consumed messages are dropped in one move once
    /// they are most of the buffer, not one shift per message.
    private var start = 0

    /// Bytes received and not yet returned as messages.
    var bufferedCount: Int { buffer.count - start }

    mutating func append(_ bytes: ArraySlice<UInt8>) {
        if start > 0, start * 2 >= buffer.count {
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete message without its prefix, or nil until one has fully arrived.
    /// A zero-length message is returned as an empty slice (and decodes as an error).
    mutating func nextMessage() -> ArraySlice<UInt8>? {
        guard buffer.count - start >= 2 else { return nil }
        let length = Int(buffer[start]) << 8 | Int(buffer[start + 1])
        guard buffer.count - start - 2 >= length else { return nil }
        let message = buffer[(start + 2)..<(start + 2 + length)]
        start += 2 + length
        return message
    }

    /// Appends `message` with its length prefix to `output`. A message longer than 65535
    /// bytes cannot be framed: that is an error, with `output` untouched, for the caller to
    /// log and drop; the DNS encoder never makes one, but a stream must not die if it did.
    static func frame(_ message: [UInt8], into output: inout [UInt8]) throws(FramingError) {
        guard message.count <= maximumMessageLength else { throw .messageTooLong(length: message.count) }
        output.append(UInt8(message.count >> 8))
        output.append(UInt8(message.count & 0xff))
        output.append(contentsOf: message)
    }
}
