// The library surface: `import SVDEngine` gives a Swift user every type its public API speaks in (incidents and
// months, areas, cubes, detectors, disclosure and published tables), so no undeclared module has to be imported.
@_exported import SVDCore
@_exported import SVDIngest
@_exported import SVDLocate
@_exported import SVDBin
@_exported import SVDDetect
@_exported import SVDPublish
