/// Why a hotspot computation refused its input. Every message names the offending value so an analyst
/// can fix the parameter or the extract without reading code.
public enum DetectError: Error, Equatable, CustomStringConvertible {
    case emptyInput(what: String)
    case invalidParameter(name: String, value: String, reason: String)
    case nonFiniteCoordinate(index: Int)
    case lengthMismatch(what: String, expected: Int, got: Int)
    case unknownDay(index: Int)
    case tooManyCells(columns: Int, rows: Int, limit: Int)
    case degenerateInput(reason: String)
    case gridMismatch(reason: String)

    public var description: String {
        switch self {
        case .emptyInput(let what):
            return "no \(what) to analyse"
        case .invalidParameter(let name, let value, let reason):
            return "invalid \(name) \(value): \(reason)"
        case .nonFiniteCoordinate(let index):
            return "point \(index) has a non-finite easting or northing"
        case .lengthMismatch(let what, let expected, let got):
            return "\(what): expected \(expected) values, got \(got)"
        case .unknownDay(let index):
            return "point \(index) has no day (month-only date); a space-time window needs day-level dates"
        case .tooManyCells(let columns, let rows, let limit):
            return "grid of \(columns) × \(rows) cells exceeds the limit of \(limit) cells; use a larger cell size"
        case .degenerateInput(let reason):
            return reason
        case .gridMismatch(let reason):
            return "grids differ: \(reason)"
        }
    }
}

