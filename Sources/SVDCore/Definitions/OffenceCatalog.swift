import Synchronization

/// Interns offence category names to small codes, shared by all ingest threads of a run.
///
/// Each code carries its scope under the run's definitions, worked out once when the name is first seen,
/// so classifying a row costs an array load instead of string comparisons.
public final class OffenceCatalog: Sendable {
    public struct Entry: Sendable {
        public let name: String
        public let scope: Definitions.Scope
    }

    public let definitions: Definitions
    private let state = Mutex<(codes: [String: UInt16], entries: [Entry])>(([:], []))

    public init(definitions: Definitions) {
        self.definitions = definitions
    }

    /// Code for a category (normalised here). Returns nil once 65,535 distinct names exist,
    /// which only a corrupt file produces; the caller rejects that row.
    public func code<S: StringProtocol>(for rawCategory: S) -> UInt16? {
        let name = normaliseCategory(rawCategory)
        return state.withLock { s in
            if let c = s.codes[name] { return c }
            guard s.entries.count < Int(UInt16.max) else { return nil }
            let c = UInt16(s.entries.count)
            s.codes[name] = c
            s.entries.append(Entry(name: name, scope: definitions.scope(ofCategory: name)))
            return c
        }
    }

    public func entry(_ code: UInt16) -> Entry {
        state.withLock { $0.entries[Int(code)] }
    }

    /// A snapshot of all entries, indexed by code.
    public var entries: [Entry] { state.withLock { $0.entries } }
}

/// Strand membership for incidents, compiled against a snapshot of the catalog for speed.
public struct StrandClassifier: Sendable {
    public let definitions: Definitions
    private let entries: [OffenceCatalog.Entry]

    public init(catalog: OffenceCatalog) {
        definitions = catalog.definitions
        entries = catalog.entries
    }

    /// Bit k set when the incident belongs to strand k. Only meaningful for in-scope incidents.
    public func strandMask(_ i: Incident) -> UInt8 {
        let name = entries[Int(i.offence)].name
        var mask: UInt8 = 0
        for (k, s) in definitions.strands.enumerated() where s.contains(i, category: name) { mask |= 1 << UInt8(k) }
        return mask
    }

    public func scope(_ i: Incident) -> Definitions.Scope { entries[Int(i.offence)].scope }
}
