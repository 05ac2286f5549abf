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

/// Strand membership for incidents, compiled against a snapshot of the catalog for speed:
/// offence-list conditions become bit tests on a per-code mask, so no string is touched per row.
public struct StrandClassifier: Sendable {
    enum Test: Sendable {
        case offence(bit: Int)
        case other(Definitions.Condition)
    }

    struct CompiledStrand: Sendable {
        let all: [Test]
        let any: [Test]
    }

    public let definitions: Definitions
    private let scopes: [Definitions.Scope]
    /// Per offence code: bit j set when the category is in offence condition j.
    private let offenceBits: [UInt64]
    private let strands: [CompiledStrand]

    public init(catalog: OffenceCatalog) {
        definitions = catalog.definitions
        let entries = catalog.entries
        scopes = entries.map(\.scope)
        var sets: [Set<String>] = []
        func compile(_ c: Definitions.Condition) -> Test {
            if case .offence(let set) = c {
                sets.append(set)
                return .offence(bit: sets.count - 1)
            }
            return .other(c)
        }
        strands = definitions.strands.map { CompiledStrand(all: $0.all.map(compile), any: $0.any.map(compile)) }
        precondition(sets.count <= 64, "at most 64 offence conditions across all strands")
        offenceBits = entries.map { e in
            sets.enumerated().reduce(UInt64(0)) { bits, s in s.element.contains(e.name) ? bits | (1 << UInt64(s.offset)) : bits }
        }
    }

    /// Codes this snapshot knows; a larger code needs a fresh classifier.
    public var knownCodes: Int { scopes.count }

    @inline(__always) private func holds(_ t: Test, _ i: Incident, _ bits: UInt64) -> Bool {
        switch t {
        case .offence(let bit): bits >> UInt64(bit) & 1 == 1
        case .other(let c): c.holds(i, category: "")
        }
    }

    /// Bit k set when the incident belongs to strand k. Only meaningful for in-scope incidents.
    public func strandMask(_ i: Incident) -> UInt8 {
        let bits = offenceBits[Int(i.offence)]
        var mask: UInt8 = 0
        for (k, s) in strands.enumerated()
        where s.all.allSatisfy({ holds($0, i, bits) }) && (s.any.isEmpty || s.any.contains { holds($0, i, bits) }) {
            mask |= 1 << UInt8(k)
        }
        return mask
    }

    @inline(__always) public func scope(_ i: Incident) -> Definitions.Scope { scopes[Int(i.offence)] }
}
