/// A small JSON reader for the embedded area: the same tree `JSONSerialization` gives (`[String: Any]`, `[Any]`,
/// `String`, `Bool`), but with native `Int` and `Double`
/// numbers instead of one `NSNumber` per coordinate. Decoding the 1.1 MB Kent & Medway area with `JSONSerialization`
/// and a cast per value took about 500 M instructions, a fifth of `svd assess` on 100,000 rows. Any input it does not
/// read (anything but plain valid JSON) gives nil, and the caller falls back to `JSONSerialization`, so messages about
/// broken files are unchanged. Numbers: an integer literal that fits reads as `Int`, any other as `Double(_:)` of
/// its text (correctly rounded, as `JSONSerialization`'s), so every coordinate is the same `Double`.
enum MiniJSON {
    static func parse(_ text: String) -> Any? {
        var text = text
        return text.withUTF8 { buffer -> Any? in
            var p = Parser(b: buffer, i: 0)
            guard let v = p.value() else { return nil }
            p.skipSpace()
            return p.i == buffer.count ? v : nil
        }
    }

    private struct Parser {
        let b: UnsafeBufferPointer<UInt8>
        var i: Int

        mutating func skipSpace() {
            while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
        }

        mutating func value() -> Any? {
            skipSpace()
            guard i < b.count else { return nil }
            switch b[i] {
            case UInt8(ascii: "{"): return object()
            case UInt8(ascii: "["): return array()
            case UInt8(ascii: "\""): return string()
            case UInt8(ascii: "t"): return literal("true", true)
            case UInt8(ascii: "f"): return literal("false", false)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return number()
            default: return nil    // null and anything else: let JSONSerialization read it
            }
        }

        mutating func literal(_ word: StaticString, _ v: Bool) -> Any? {
            let n = word.utf8CodeUnitCount
            guard i + n <= b.count else { return nil }
            for k in 0..<n where b[i + k] != word.utf8Start[k] { return nil }
            i += n
            return v
        }

        mutating func object() -> Any? {
            i += 1
            var out: [String: Any] = [:]
            skipSpace()
            if i < b.count, b[i] == UInt8(ascii: "}") { i += 1; return out }
            while true {
                skipSpace()
                guard i < b.count, b[i] == UInt8(ascii: "\""), let key = string() else { return nil }
                skipSpace()
                guard i < b.count, b[i] == UInt8(ascii: ":") else { return nil }
                i += 1
                guard let v = value() else { return nil }
                guard out.updateValue(v, forKey: key) == nil else { return nil }   // a repeated key: leave it to JSONSerialization
                skipSpace()
                guard i < b.count else { return nil }
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                if b[i] == UInt8(ascii: "}") { i += 1; return out }
                return nil
            }
        }

        mutating func array() -> Any? {
            i += 1
            var out: [Any] = []
            skipSpace()
            if i < b.count, b[i] == UInt8(ascii: "]") { i += 1; return out }
            while true {
                guard let v = value() else { return nil }
                out.append(v)
                skipSpace()
                guard i < b.count else { return nil }
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                if b[i] == UInt8(ascii: "]") { i += 1; return out }
                return nil
            }
        }

        /// A string; its escapes decoded as JSON defines them (a lone surrogate is left to JSONSerialization).
        mutating func string() -> String? {
            i += 1
            var start = i
            var bytes: [UInt8] = []
            var escaped = false
            while i < b.count {
                let c = b[i]
                if c == UInt8(ascii: "\"") {
                    let tail = UnsafeBufferPointer(rebasing: b[start..<i])
                    i += 1
                    guard escaped else { return String(decoding: tail, as: UTF8.self) }
                    bytes.append(contentsOf: tail)
                    return String(decoding: bytes, as: UTF8.self)
                }
                if c < 0x20 { return nil }
                guard c == UInt8(ascii: "\\") else { i += 1; continue }
                escaped = true
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: b[start..<i]))
                guard i + 1 < b.count else { return nil }
                let e = b[i + 1]
                i += 2
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): bytes.append(e)
                case UInt8(ascii: "b"): bytes.append(0x08)
                case UInt8(ascii: "f"): bytes.append(0x0C)
                case UInt8(ascii: "n"): bytes.append(0x0A)
                case UInt8(ascii: "r"): bytes.append(0x0D)
                case UInt8(ascii: "t"): bytes.append(0x09)
                case UInt8(ascii: "u"):
                    guard var unit = hex4() else { return nil }
                    if unit >= 0xD800 && unit < 0xDC00 {
                        guard i + 1 < b.count, b[i] == UInt8(ascii: "\\"), b[i + 1] == UInt8(ascii: "u") else { return nil }
                        i += 2
                        guard let low = hex4(), low >= 0xDC00 && low < 0xE000 else { return nil }
                        unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                    } else if unit >= 0xDC00 && unit < 0xE000 {
                        return nil
                    }
                    guard let scalar = Unicode.Scalar(unit) else { return nil }
                    bytes.append(contentsOf: Array(String(Character(scalar)).utf8))
                default: return nil
                }
                start = i
            }
            return nil
        }

        mutating func hex4() -> UInt32? {
            guard i + 4 <= b.count else { return nil }
            var v: UInt32 = 0
            for k in 0..<4 {
                let c = b[i + k]
                let d: UInt8
                switch c {
                case 0x30...0x39: d = c - 0x30
                case 0x41...0x46: d = c - 0x41 + 10
                case 0x61...0x66: d = c - 0x61 + 10
                default: return nil
                }
                v = v << 4 | UInt32(d)
            }
            i += 4
            return v
        }

        mutating func number() -> Any? {
            let start = i
            var integral = true
            if b[i] == UInt8(ascii: "-") { i += 1 }
            let digits = i
            while i < b.count, b[i] >= 0x30 && b[i] <= 0x39 { i += 1 }
            guard i > digits, b[digits] != 0x30 || i == digits + 1 else { return nil }
            if i < b.count, b[i] == UInt8(ascii: ".") {
                integral = false
                i += 1
                let f = i
                while i < b.count, b[i] >= 0x30 && b[i] <= 0x39 { i += 1 }
                guard i > f else { return nil }
            }
            if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
                integral = false
                i += 1
                if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
                let e = i
                while i < b.count, b[i] >= 0x30 && b[i] <= 0x39 { i += 1 }
                guard i > e else { return nil }
            }
            let token = String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)
            if integral, let n = Int(token) { return n }
            return Double(token)
        }
    }
}
