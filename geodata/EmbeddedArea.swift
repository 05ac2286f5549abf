// The default analysis area, compiled into the binary so `svd` runs with no data files beside it.
// The text lives in generated *.generated.swift files (written by SVDLocate's EmbeddedAreaSource).

/// Packaged areas as text: `<name>AreaJSON` (svd-area format) and `<name>DefinitionsYAML`.
public enum EmbeddedArea {}
