/// Canonical form for category names coming from different extracts:
/// "Violence-with-injury", "violence_with_injury" and " Violence with  injury " all become "violence with injury".
///
/// Linear in the input: built as UTF-8 bytes (appending to a String through its `unicodeScalars` view copied the
/// whole string on every character, so a 1 MB name took 17 s and a 10 MB one minutes).
public func normaliseCategory<S: StringProtocol>(_ raw: S) -> String {
    var out: [UInt8] = []
    out.reserveCapacity(raw.utf8.count + 8)
    var pendingSpace = false
    for scalar in raw.unicodeScalars {
        let v = scalar.value
        if v < 0x80 {
            switch UInt8(v) {
            case 0x20, 0x09, 0x2D, 0x5F, 0x2F: // space, tab, - _ /
                pendingSpace = !out.isEmpty
            case 0x26: // &
                if !out.isEmpty { out.append(0x20) }
                out.append(contentsOf: [0x61, 0x6E, 0x64]) // "and"
                pendingSpace = true
            case let c:
                if pendingSpace { out.append(0x20); pendingSpace = false }
                out.append(c >= 0x41 && c <= 0x5A ? c | 0x20 : c)
            }
        } else {
            if pendingSpace { out.append(0x20); pendingSpace = false }
            out.append(contentsOf: String(scalar).lowercased().utf8)
        }
    }
    return String(decoding: out, as: UTF8.self)
}
