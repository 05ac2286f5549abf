/// Text safe to show on a terminal or in a one-line message: control characters (C0 such as ESC and NUL, DEL, C1),
/// line and paragraph separators and bidirectional overrides become visible escapes (`\x1B`, `\u{202E}`), so a
/// hostile header, file name or label can neither drive the terminal nor break or disguise the line.
/// `keepNewlines` keeps LF (and tab) for multi-line output.
public func terminalSafe(_ text: String, keepNewlines: Bool = false) -> String {
    func escaped(_ u: Unicode.Scalar) -> Bool {
        if keepNewlines && (u == "\n" || u == "\t") { return false }
        switch u.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }
    guard text.unicodeScalars.contains(where: escaped) else { return text }
    var out: [UInt8] = []
    out.reserveCapacity(text.utf8.count + 16)
    let hex = Array("0123456789ABCDEF".utf8)
    for u in text.unicodeScalars {
        if !escaped(u) {
            UTF8.encode(u) { out.append($0) }
        } else if u.value <= 0xFF {
            out += Array("\\x".utf8) + [hex[Int(u.value >> 4)], hex[Int(u.value & 15)]]
        } else {
            out += Array("\\u{".utf8) + (0..<4).reversed().map { hex[Int(u.value >> (4 * UInt32($0)) & 15)] } + [UInt8(ascii: "}")]
        }
    }
    return String(decoding: out, as: UTF8.self)
}
