import Synchronization

/// Interns data-source labels ("police", "police.uk", "A&E", "ambulance"…) to the small codes in `Incident.source`.
/// One per run, shared by all readers; names compare case-insensitively and keep their first spelling.
public final class SourceCatalog: Sendable {
    private let state = Mutex<(codes: [String: UInt8], names: [String])>(([:], []))

    public init(names: [String] = []) {
        for n in names { _ = code(for: n) }
    }

    /// The form labels are compared in: without blanks, lower case.
    public static func key(_ label: String) -> String { label.trimmedBlanks.lowercased() }

    /// Code for a label if it has one already (never adds it).
    public func existingCode(for label: String) -> UInt8? {
        let key = Self.key(label)
        return state.withLock { $0.codes[key] }
    }

    /// Code for a label; nil once 255 distinct labels exist.
    public func code(for label: String) -> UInt8? {
        let trimmed = label.trimmedBlanks
        let key = trimmed.lowercased()
        return state.withLock { s in
            if let c = s.codes[key] { return c }
            guard s.names.count < Int(UInt8.max) else { return nil }
            let c = UInt8(s.names.count)
            s.codes[key] = c
            s.names.append(trimmed)
            return c
        }
    }

    public func name(_ code: UInt8) -> String { state.withLock { Int(code) < $0.names.count ? $0.names[Int(code)] : "?" } }

    /// All names, indexed by code.
    public var names: [String] { state.withLock { $0.names } }
}

extension String {
    /// Without leading and trailing spaces and tabs.
    var trimmedBlanks: String {
        let scalars = unicodeScalars
        let blank: (Unicode.Scalar) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = scalars.firstIndex(where: { !blank($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !blank($0) })!
        return String(scalars[first...last])
    }
}
