/// Why a row was rejected. The raw values are the stable labels written to the reject file and summaries.
///
/// When a row has several problems the first in this order is reported: the record's shape, then
/// id, date, offence, location, ages, categorical columns (in `CategoricalField` order), source.
public enum RejectReason: String, CaseIterable, Sendable, Comparable {
    /// A quoted field was still open at the end of the file.
    case unterminatedQuote = "unterminated_quote"
    /// The record is longer than the reader's limit (default 16 MiB).
    case recordTooLong = "record_too_long"
    /// The record's field count differs from the header's.
    case raggedRow = "ragged_row"
    case missingID = "missing_id"
    case missingDate = "missing_date"
    case unparseableDate = "unparseable_date"
    /// A valid date after the run date or before the earliest month read (`--earliest`, default 1990-01).
    case implausibleDate = "implausible_date"
    case missingOffence = "missing_offence"
    /// No coordinates, or only one of a pair (data.police.uk "No location" rows).
    case missingLocation = "missing_location"
    case unparseableCoordinate = "unparseable_coordinate"
    case offGrid = "off_grid"
    /// No coordinates, and the venue named is blank or not in the mapping's venue lookup.
    case unplacedLocation = "unplaced_location"
    /// Age not a whole number in 0–120.
    case invalidAge = "invalid_age"
    /// A categorical column (named in the detail) holds a value outside its vocabulary.
    case unrecognisedValue = "unrecognised_value"
    /// A field the row needs is not valid UTF-8.
    case invalidUTF8 = "invalid_utf8"
    /// A text field the row needs holds a NUL or other control byte.
    case controlCharacter = "control_character"
    /// 65,535 offence names or 255 source names already exist: only corrupt input gets here.
    case catalogFull = "catalog_full"
    /// The row's incident id (with its source) was already read earlier in the run, in this file or an earlier one:
    /// the first row is kept, later ones are rejected (decided last, after every other check).
    case duplicateID = "duplicate_id"

    public var label: String { rawValue }

    @usableFromInline var index: Int { Self.allCases.firstIndex(of: self)! }

    public static func < (a: RejectReason, b: RejectReason) -> Bool { a.index < b.index }
}

/// Counts for one file, or for several merged with `+`. Every non-blank record is either accepted or rejected:
/// `rowsRead == accepted + rejected`.
public struct IngestSummary: Sendable, Equatable, CustomStringConvertible {
    /// Files covered, in merge order.
    public var files: [String]
    /// Bytes of input covered, header included.
    public var bytes: Int
    /// SHA-256 of each file's bytes (lowercase hex), beside `files`: which extract a run read, for its manifest.
    public var sha256: [String] = []
    /// Records after the header, blank lines excluded.
    public var rowsRead: Int
    public var accepted: Int
    public var rejectedByReason: [RejectReason: Int]
    /// Empty or whitespace-only lines: skipped, not rows.
    public var blankLines: Int
    public var acceptedUnknownVictimAge: Int
    public var acceptedUnknownHour: Int
    /// Month-only rows (data.police.uk, or a mapped date without a day).
    public var acceptedUnknownDay: Int
    public var acceptedUnknownLocationType: Int
    /// With the victim-age count, what tells a source that does not record a field (every accepted row unknown).
    public var acceptedUnknownSuspectAge: Int
    public var acceptedUnknownVictimSex: Int
    public var acceptedUnknownSuspectSex: Int

    public init(files: [String] = [], bytes: Int = 0, rowsRead: Int = 0, accepted: Int = 0,
                rejectedByReason: [RejectReason: Int] = [:], blankLines: Int = 0,
                acceptedUnknownVictimAge: Int = 0, acceptedUnknownHour: Int = 0, acceptedUnknownDay: Int = 0,
                acceptedUnknownLocationType: Int = 0, acceptedUnknownSuspectAge: Int = 0,
                acceptedUnknownVictimSex: Int = 0, acceptedUnknownSuspectSex: Int = 0) {
        self.files = files
        self.bytes = bytes
        self.rowsRead = rowsRead
        self.accepted = accepted
        self.rejectedByReason = rejectedByReason.filter { $0.value != 0 }
        self.blankLines = blankLines
        self.acceptedUnknownVictimAge = acceptedUnknownVictimAge
        self.acceptedUnknownHour = acceptedUnknownHour
        self.acceptedUnknownDay = acceptedUnknownDay
        self.acceptedUnknownLocationType = acceptedUnknownLocationType
        self.acceptedUnknownSuspectAge = acceptedUnknownSuspectAge
        self.acceptedUnknownVictimSex = acceptedUnknownVictimSex
        self.acceptedUnknownSuspectSex = acceptedUnknownSuspectSex
    }

    public var rejected: Int { rejectedByReason.values.reduce(0, +) }

    public func rejected(_ reason: RejectReason) -> Int { rejectedByReason[reason] ?? 0 }

    public mutating func merge(_ o: IngestSummary) {
        files += o.files
        sha256 += o.sha256
        bytes += o.bytes
        rowsRead += o.rowsRead
        accepted += o.accepted
        rejectedByReason.merge(o.rejectedByReason, uniquingKeysWith: +)
        blankLines += o.blankLines
        acceptedUnknownVictimAge += o.acceptedUnknownVictimAge
        acceptedUnknownHour += o.acceptedUnknownHour
        acceptedUnknownDay += o.acceptedUnknownDay
        acceptedUnknownLocationType += o.acceptedUnknownLocationType
        acceptedUnknownSuspectAge += o.acceptedUnknownSuspectAge
        acceptedUnknownVictimSex += o.acceptedUnknownVictimSex
        acceptedUnknownSuspectSex += o.acceptedUnknownSuspectSex
    }

    public static func + (a: IngestSummary, b: IngestSummary) -> IngestSummary {
        var s = a
        s.merge(b)
        return s
    }

    public var description: String {
        var out = "\(files.joined(separator: ", ")): \(rowsRead) rows read, \(accepted) accepted, \(rejected) rejected"
        for r in RejectReason.allCases { if let n = rejectedByReason[r] { out += "\n  \(r.label): \(n)" } }
        out += "\n  blank lines: \(blankLines); accepted with unknown victim age \(acceptedUnknownVictimAge), "
            + "hour \(acceptedUnknownHour), day \(acceptedUnknownDay), location type \(acceptedUnknownLocationType), "
            + "suspect age \(acceptedUnknownSuspectAge), victim sex \(acceptedUnknownVictimSex), suspect sex \(acceptedUnknownSuspectSex)"
        return out
    }
}

/// Per-worker tallies in fixed slots; turned into an `IngestSummary` once at the end.
struct Tally {
    var rowsRead = 0
    var accepted = 0
    var rejects = [Int](repeating: 0, count: RejectReason.allCases.count)
    var blankLines = 0
    var unknownVictimAge = 0
    var unknownHour = 0
    var unknownDay = 0
    var unknownLocationType = 0
    var unknownSuspectAge = 0
    var unknownVictimSex = 0
    var unknownSuspectSex = 0

    mutating func add(_ o: Tally) {
        rowsRead += o.rowsRead
        accepted += o.accepted
        for i in rejects.indices { rejects[i] += o.rejects[i] }
        blankLines += o.blankLines
        unknownVictimAge += o.unknownVictimAge
        unknownHour += o.unknownHour
        unknownDay += o.unknownDay
        unknownLocationType += o.unknownLocationType
        unknownSuspectAge += o.unknownSuspectAge
        unknownVictimSex += o.unknownVictimSex
        unknownSuspectSex += o.unknownSuspectSex
    }

    func summary(file: String, bytes: Int) -> IngestSummary {
        var byReason: [RejectReason: Int] = [:]
        for (i, r) in RejectReason.allCases.enumerated() where rejects[i] > 0 { byReason[r] = rejects[i] }
        return IngestSummary(files: [file], bytes: bytes, rowsRead: rowsRead, accepted: accepted, rejectedByReason: byReason,
                             blankLines: blankLines, acceptedUnknownVictimAge: unknownVictimAge, acceptedUnknownHour: unknownHour,
                             acceptedUnknownDay: unknownDay, acceptedUnknownLocationType: unknownLocationType,
                             acceptedUnknownSuspectAge: unknownSuspectAge, acceptedUnknownVictimSex: unknownVictimSex,
                             acceptedUnknownSuspectSex: unknownSuspectSex)
    }
}
