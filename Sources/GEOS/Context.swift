import CGEOS

/// An error reported by GEOS through the context's message handler, or a wrapper precondition that failed.
public struct GEOSError: Error, CustomStringConvertible, Sendable {
    /// The wrapper operation that failed, e.g. "GEOSWKTReader_read_r".
    public let operation: String
    /// GEOS's own message (e.g. "ParseException: Expected word but encountered end of stream").
    public let message: String

    public init(operation: String, message: String) {
        self.operation = operation
        self.message = message
    }

    public var description: String { "\(operation): \(message)" }
}

/// Receives GEOS messages for one context; reached from C through the handler's userdata pointer.
final class MessageSink {
    var lastError: String?
    var notices: [String] = []
}

/// One GEOS re-entrant context (`GEOSContextHandle_t`).
///
/// Use one context per thread: a context and every geometry made with it must stay on the thread that uses it.
/// It is deliberately not `Sendable`. Errors raised inside GEOS are captured by the installed handler and surface
/// as `GEOSError` carrying GEOS's message.
public final class GEOSContext {
    public let handle: GEOSContextHandle_t
    let sink: MessageSink
    private let sinkReference: Unmanaged<MessageSink>

    public init() {
        guard let handle = GEOS_init_r() else { fatalError("GEOS_init_r failed (out of memory)") }
        self.handle = handle
        sink = MessageSink()
        sinkReference = Unmanaged.passRetained(sink)
        let userdata = sinkReference.toOpaque()
        GEOSContext_setErrorMessageHandler_r(handle, { message, userdata in
            guard let userdata else { return }
            let sink = Unmanaged<MessageSink>.fromOpaque(userdata).takeUnretainedValue()
            sink.lastError = message.map { String(cString: $0) } ?? "unknown GEOS error"
        }, userdata)
        GEOSContext_setNoticeMessageHandler_r(handle, { message, userdata in
            guard let userdata, let message else { return }
            let sink = Unmanaged<MessageSink>.fromOpaque(userdata).takeUnretainedValue()
            // Bounded so a chatty operation cannot grow memory without limit.
            if sink.notices.count < 100 { sink.notices.append(String(cString: message)) }
        }, userdata)
    }

    deinit {
        GEOS_finish_r(handle)
        sinkReference.release()
    }

    /// GEOS version string, e.g. "3.11.1-CAPI-1.17.1".
    public static var version: String { String(cString: GEOSversion()) }

    /// Notices GEOS emitted since the last call (at most 100 kept); clears them.
    public func takeNotices() -> [String] {
        defer { sink.notices.removeAll() }
        return sink.notices
    }

    /// Builds the error for a failed call from the message the handler captured, and clears it.
    func failure(_ operation: String) -> GEOSError {
        defer { sink.lastError = nil }
        return GEOSError(operation: operation, message: sink.lastError ?? "failed without a message")
    }

    /// Runs a GEOS predicate returning char 0/1, or 2 on exception.
    func predicate(_ operation: String, _ result: CChar) throws -> Bool {
        switch result {
        case 0: return false
        case 1: return true
        default: throw failure(operation)
        }
    }
}

@available(*, unavailable, message: "A GEOS context belongs to one thread")
extension GEOSContext: Sendable {}
