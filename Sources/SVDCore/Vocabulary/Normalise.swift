/// Canonical form for category names coming from different extracts:
/// "Violence-with-injury", "violence_with_injury" and " Violence with  injury " all become "violence with injury".
public func normaliseCategory<S: StringProtocol>(_ raw: S) -> String {
    var out = ""
    out.reserveCapacity(raw.utf8.count)
    var pendingSpace = false
    for scalar in raw.unicodeScalars {
        switch scalar {
        case " ", "\t", "-", "_", "/":
            pendingSpace = !out.isEmpty
        case "&":
            if !out.isEmpty { out.append(" ") }
            out.append("and")
            pendingSpace = true
        default:
            if pendingSpace { out.append(" "); pendingSpace = false }
            out.unicodeScalars.append(contentsOf: String(scalar).lowercased().unicodeScalars)
        }
    }
    return out
}
