/// Whole-file problems: the file cannot be read as incidents at all. Row problems are rejects, not errors.
public enum IngestError: Error, CustomStringConvertible, Equatable {
    case cannotOpen(file: String, reason: String)
    case cannotRead(file: String, reason: String)
    case cannotWrite(file: String, reason: String)
    /// 0 bytes, or nothing but a byte-order mark, whitespace and line breaks.
    case emptyFile(file: String)
    /// The header row lacks columns the format needs.
    case missingColumns(file: String, format: String, missing: [String])
    case duplicateColumn(file: String, column: String)
    /// The header matches neither the native schema nor data.police.uk, and no mapping was given.
    case unrecognisedHeader(file: String, header: [String])
    case headerTooLong(file: String, limit: Int)
    case invalidMapping(file: String, reason: String)

    public var description: String {
        switch self {
        case .cannotOpen(let f, let r): "\(f): cannot open: \(r)"
        case .cannotRead(let f, let r): "\(f): read failed: \(r)"
        case .cannotWrite(let f, let r): "\(f): cannot write: \(r)"
        case .emptyFile(let f): "\(f): empty file (no header row)"
        case .missingColumns(let f, let format, let m):
            "\(f): header lacks column(s) required by the \(format) format: \(m.joined(separator: ", "))"
        case .duplicateColumn(let f, let c): "\(f): column '\(c)' appears more than once in the header"
        case .unrecognisedHeader(let f, let h):
            "\(f): header [\(h.prefix(20).joined(separator: ", "))] is neither the native schema (id, datetime, offence, "
                + "easting/northing or longitude/latitude) nor data.police.uk; give a column mapping for partner extracts"
        case .headerTooLong(let f, let limit): "\(f): header row longer than \(limit) bytes"
        case .invalidMapping(let f, let r): "\(f): \(r)"
        }
    }
}
