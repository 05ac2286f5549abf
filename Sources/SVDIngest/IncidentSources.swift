import Foundation
import SVDCore
import Yams

/// One input of a run: a file, how to read it, and whose data it is. Several agencies' extracts, each with its own
/// layout, go into one assessment as a list of these.
public struct IncidentInput: Sendable, Equatable {
    /// How the file's columns are read.
    public enum Layout: Sendable, Equatable {
        /// Native schema or data.police.uk, told apart by the header.
        case detect
        /// A column-mapping YAML file.
        case mappingFile(URL)
        /// A mapping compiled into svd (`ae-istv`, `ambulance`).
        case shipped(ShippedMapping)
    }

    public var url: URL
    public var layout: Layout
    /// The source every row of the file belongs to ("police", "A&E", "ambulance"); nil: the file's own (a source
    /// column, the mapping's `source`, else the format's default).
    public var source: String?
    /// The specified authority that supplied the extract (for the data-quality table and the manifest).
    public var partner: String?
    /// The period the supplier says the extract covers, as written (e.g. "2023-11 to 2026-10").
    public var period: String?

    public init(url: URL, layout: Layout = .detect, source: String? = nil, partner: String? = nil, period: String? = nil) {
        self.url = url
        self.layout = layout
        self.source = source
        self.partner = partner
        self.period = period
    }

    /// The format to read the file with (nil: detect from the header), the mapping's label and its bytes' SHA-256
    /// for the manifest. A mapping that cannot be read or is invalid is an error naming it.
    public func format() throws -> (format: IncidentFormat?, mapping: (label: String, bytes: Data)?) {
        switch layout {
        case .detect:
            return (nil, nil)
        case .mappingFile(let file):
            guard let data = FileManager.default.contents(atPath: file.path) else {
                throw IngestError.invalidMapping(file: file.path, reason: "cannot read mapping for \(url.lastPathComponent)")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw IngestError.invalidMapping(file: file.path, reason: "mapping is not UTF-8 text")
            }
            return (.mapped(try ColumnMapping(yaml: text, source: file.path, relativeTo: file.deletingLastPathComponent())), (file.lastPathComponent, data))
        case .shipped(let m):
            return (.mapped(try m.mapping()), ("\(m.rawValue) (built in)", Data(m.yaml.utf8)))
        }
    }

    /// A command-line input: `file`, or `file:mapping` where mapping is a built-in name (`ae-istv`, `ambulance`) or
    /// a YAML path. A path that exists as written is a file, even with a colon in its name. `fallback` is the run's
    /// `--mapping`, for files that name none.
    public static func parse(argument: String, fallback: URL? = nil) -> IncidentInput {
        let plain = IncidentInput(url: URL(fileURLWithPath: argument), layout: fallback.map { .mappingFile($0) } ?? .detect)
        if FileManager.default.fileExists(atPath: argument) { return plain }
        guard let colon = argument.lastIndex(of: ":"), colon != argument.startIndex else { return plain }
        let file = String(argument[..<colon]), spec = String(argument[argument.index(after: colon)...])
        guard !spec.isEmpty else { return plain }
        return IncidentInput(url: URL(fileURLWithPath: file), layout: layout(spec, relativeTo: nil))
    }

    static func layout(_ spec: String, relativeTo base: URL?) -> Layout {
        if let shipped = ShippedMapping(rawValue: spec.lowercased()) { return .shipped(shipped) }
        return .mappingFile(resolve(spec, relativeTo: base))
    }

    static func resolve(_ path: String, relativeTo base: URL?) -> URL {
        guard let base, !path.hasPrefix("/") else { return URL(fileURLWithPath: path) }
        return base.appendingPathComponent(path).standardizedFileURL
    }
}

/// A sources file: the extracts of one assessment, each with its mapping, source and supplier.
///
/// ```yaml
/// sources:
///   - file: police.csv            # paths are relative to this file
///     source: police
///     partner: Kent Police
///   - file: ae.csv
///     mapping: ae-istv            # a built-in mapping's name, or a YAML path
///     source: A&E
///     partner: Emergency departments
///     period: 2023-11 to 2026-10
/// ```
public enum SourcesFile {
    static let entryKeys = ["file", "mapping", "source", "partner", "period"]

    public static func load(_ url: URL) throws -> [IncidentInput] {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw IngestError.invalidMapping(file: url.path, reason: "cannot read the sources file")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw IngestError.invalidMapping(file: url.path, reason: "not UTF-8 text") }
        return try parse(yaml: text, file: url.path, base: url.deletingLastPathComponent())
    }

    /// `file` names the sources file in messages (with the line of the entry at fault); relative paths resolve
    /// against `base`.
    public static func parse(yaml: String, file: String, base: URL) throws -> [IncidentInput] {
        func fail(_ node: Node?, _ why: String) -> IngestError {
            .invalidMapping(file: file + (node?.mark.map { ":\($0.line)" } ?? ""), reason: why)
        }
        let root: Node?
        do { root = try SafeYAML.compose(yaml: yaml) } catch let e as SafeYAML.TooLarge {
            throw IngestError.invalidMapping(file: file, reason: "\(e)")
        } catch { throw IngestError.invalidMapping(file: file, reason: "not valid YAML: \(error)") }
        guard let top = root?.mapping else { throw fail(root, "expected `sources:` with a list of files") }
        var list: Node.Sequence?
        for (k, v) in top {
            guard k.scalar?.string == "sources" else { throw fail(k, "unknown key '\(k.scalar?.string ?? "?")' (the file holds `sources:` only)") }
            guard let s = v.sequence else { throw fail(v, "sources must be a list of entries, each with `file:`") }
            list = s
        }
        guard let list, !list.isEmpty else { throw fail(root, "no sources listed (give `sources:` with at least one `- file:` entry)") }
        var inputs: [IncidentInput] = []
        for entry in list {
            guard let m = entry.mapping else { throw fail(entry, "each source is a mapping with file:, and optionally mapping:, source:, partner:, period:") }
            var values: [String: String] = [:]
            for (k, v) in m {
                guard let key = k.scalar?.string, entryKeys.contains(key) else {
                    throw fail(k, "unknown key '\(k.scalar?.string ?? "?")' (known: \(entryKeys.joined(separator: ", ")))")
                }
                guard let value = v.scalar?.string, !value.trimmingCharacters(in: .whitespaces).isEmpty else { throw fail(v, "\(key) must be text") }
                values[key] = value.trimmingCharacters(in: .whitespaces)
            }
            guard let path = values["file"] else { throw fail(entry, "a source without file:") }
            inputs.append(IncidentInput(url: IncidentInput.resolve(path, relativeTo: base),
                                        layout: values["mapping"].map { IncidentInput.layout($0, relativeTo: base) } ?? .detect,
                                        source: values["source"], partner: values["partner"], period: values["period"]))
        }
        return inputs
    }
}
