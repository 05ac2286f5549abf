/// Age bands as ordered lower bounds; the last band is open-ended and one more index means "unknown".
public struct AgeBands: Sendable, Equatable {
    public let lowerBounds: [Int]
    /// Lookup from age 0…120 to band index, so binning is a single load.
    @usableFromInline let bandOfAge: [UInt8]

    /// 0–9, 10–17, 18–24, 25–34, 35–49, 50–64, 65+ — the bands the Kent & Medway assessment uses.
    public static let standard = try! AgeBands(lowerBounds: [0, 10, 18, 25, 35, 50, 65])

    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    public init(lowerBounds: [Int]) throws {
        guard let first = lowerBounds.first, first == 0 else { throw Invalid(description: "age bands must start at 0") }
        guard zip(lowerBounds, lowerBounds.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw Invalid(description: "age band lower bounds must increase: \(lowerBounds)")
        }
        guard lowerBounds.count <= 15, lowerBounds.last! <= 120 else { throw Invalid(description: "at most 15 age bands within 0–120") }
        self.lowerBounds = lowerBounds
        var table = [UInt8](repeating: 0, count: 121)
        for age in 0...120 { table[age] = UInt8(lowerBounds.lastIndex(where: { $0 <= age })!) }
        bandOfAge = table
    }

    /// Number of bands including "unknown".
    @inlinable public var count: Int { lowerBounds.count + 1 }
    @inlinable public var unknownIndex: Int { lowerBounds.count }

    @inlinable public func index(ofAge age: Int8) -> Int {
        age < 0 ? lowerBounds.count : Int(bandOfAge[Int(age)])
    }

    /// The age range [lower, upper] of a band; upper is nil for the open band, and both nil for "unknown".
    public func range(of band: Int) -> (lower: Int?, upper: Int?) {
        guard band < lowerBounds.count else { return (nil, nil) }
        return (lowerBounds[band], band + 1 < lowerBounds.count ? lowerBounds[band + 1] - 1 : nil)
    }

    public func label(of band: Int) -> String {
        switch range(of: band) {
        case (nil, _): "unknown"
        case (let lo?, nil): "\(lo)+"
        case (let lo?, let hi?): "\(lo)-\(hi)"
        }
    }

    public var labels: [String] { (0..<count).map(label(of:)) }

    /// Bands lying wholly below `age`, e.g. under-25 → bands up to 18–24. Nil if `age` is not a band boundary.
    public func bands(under age: Int) -> Range<Int>? {
        guard let i = lowerBounds.firstIndex(of: age) else { return nil }
        return 0..<i
    }
}
