/// Output of Fixtures/reference_bng.py (pyproj EPSG:4326 → EPSG:27700).
enum ReferenceBNG {
    static let l1 = (575950.68, 155557.24)  // lon 0.521, lat 51.272
    static let l2 = (591241.73, 163119.71)  // lon 0.744, lat 51.335
}
