/// Minimal RFC 4180 reader for small side files (population tables, venue lookups, context figures): quoted fields
/// with doubled quotes, CRLF or LF, BOM stripped. Incident extracts go through the streaming tokenizer instead.
public enum SmallCSV {
    public struct Record: Sendable { public let line: Int; public let fields: [String] }

    public static func records(_ text: String) -> [Record] {
        var out: [Record] = []
        var fields: [String] = []
        var field = ""
        var inQuotes = false
        var line = 1, recordLine = 1
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        var first = true
        while let c = pending ?? iterator.next() {
            pending = nil
            if first { first = false; if c == "\u{FEFF}" { continue } }
            if inQuotes {
                if c == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" { field.unicodeScalars.append("\"") } else { inQuotes = false; pending = next }
                    } else { inQuotes = false }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case "\"" where field.isEmpty: inQuotes = true
            case ",": fields.append(field); field = ""
            case "\r": continue
            case "\n":
                fields.append(field); field = ""
                out.append(Record(line: recordLine, fields: fields)); fields = []
                line += 1; recordLine = line
            default: field.unicodeScalars.append(c)
            }
        }
        if !field.isEmpty || !fields.isEmpty {
            fields.append(field)
            out.append(Record(line: recordLine, fields: fields))
        }
        return out
    }
}
