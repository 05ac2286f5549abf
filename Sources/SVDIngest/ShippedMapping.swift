import Foundation

/// The example column mappings shipped in `Sources/SVDIngest/Mappings`, compiled into the binary so a sources file
/// or a command can name one ("ae-istv", "ambulance") instead of giving a path. The .yaml files stay the source of
/// truth; their text is embedded by `scripts/embed-mappings.sh` (see ShippedMappings.generated.swift).
public enum ShippedMapping: String, CaseIterable, Sendable {
    /// A&E ISTV ("Cardiff Model") extract: `ae-istv-cardiff-model.yaml`.
    case aeISTV = "ae-istv"
    /// Ambulance call-outs: `ambulance-callouts.yaml`.
    case ambulance

    /// The file in `Sources/SVDIngest/Mappings` whose text `yaml` holds.
    public var fileName: String {
        switch self {
        case .aeISTV: "ae-istv-cardiff-model.yaml"
        case .ambulance: "ambulance-callouts.yaml"
        }
    }

    /// The mapping, parsed from the embedded text (errors name it "shipped mapping 'ae-istv'").
    public func mapping() throws -> ColumnMapping {
        try ColumnMapping(yaml: yaml, source: "shipped mapping '\(rawValue)'")
    }
}
