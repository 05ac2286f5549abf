import SVDCore

/// One local authority district: ONS code, name and boundary in British National Grid metres.
public struct District: Sendable, Equatable {
    public let code: String
    public let name: String
    /// Polygons, each as closed rings (shell first, then holes).
    public let polygons: [[[BNGPoint]]]

    public init(code: String, name: String, polygons: [[[BNGPoint]]]) {
        self.code = code
        self.name = name
        self.polygons = polygons
    }
}

/// Resident population per district, indexed like `Area.districts`.
public struct Population: Sendable, Equatable {
    /// All-ages totals for one year.
    public struct Totals: Sendable, Equatable {
        public let year: Int
        public let source: String
        /// Per district, in district order.
        public let counts: [Int]
        public init(year: Int, source: String, counts: [Int]) {
            self.year = year
            self.source = source
            self.counts = counts
        }
    }

    /// Single-year-of-age counts for one year; the last age is open-ended (e.g. 90 means 90+).
    public struct SingleYearOfAge: Sendable, Equatable {
        public let year: Int
        public let source: String
        public let openAge: Int
        /// Per district, `openAge + 1` counts for ages 0…openAge.
        public let counts: [[Int]]
        public init(year: Int, source: String, openAge: Int, counts: [[Int]]) {
            self.year = year
            self.source = source
            self.openAge = openAge
            self.counts = counts
        }
    }

    /// Female and male single-year-of-age counts for the year of `singleYearOfAge` (female + male = persons
    /// at every age), for sex-specific rates.
    public struct SingleYearOfAgeBySex: Sendable, Equatable {
        public let year: Int
        public let source: String
        public let openAge: Int
        /// Per district, `openAge + 1` counts for ages 0…openAge.
        public let female: [[Int]]
        public let male: [[Int]]
        public init(year: Int, source: String, openAge: Int, female: [[Int]], male: [[Int]]) {
            self.year = year
            self.source = source
            self.openAge = openAge
            self.female = female
            self.male = male
        }

        /// Per district, the counts of one sex (nil for `.unknown`).
        public func counts(_ sex: Sex) -> [[Int]]? {
            switch sex {
            case .female: female
            case .male: male
            case .unknown: nil
            }
        }
    }

    /// Sorted by year.
    public let allAges: [Totals]
    /// The single-year table every denominator uses (persons; the latest complete year imported).
    public let singleYearOfAge: SingleYearOfAge?
    /// The same year by sex, when the population files gave both sexes.
    public let singleYearOfAgeBySex: SingleYearOfAgeBySex?

    public init(allAges: [Totals], singleYearOfAge: SingleYearOfAge?, singleYearOfAgeBySex: SingleYearOfAgeBySex? = nil) {
        self.allAges = allAges.sorted { $0.year < $1.year }
        self.singleYearOfAge = singleYearOfAge
        self.singleYearOfAgeBySex = singleYearOfAgeBySex
    }

    public static let none = Population(allAges: [], singleYearOfAge: nil)

    public var years: [Int] { allAges.map(\.year) }
}

/// A packaged analysis area: districts with boundaries, population denominators and the licence text to show.
public struct Area: Sendable, Equatable {
    public let id: String
    public let name: String
    /// Licence and source statement that must accompany any output built from this area.
    public let attribution: String
    public let districts: [District]
    public let population: Population

    public init(id: String, name: String, attribution: String, districts: [District], population: Population) {
        self.id = id
        self.name = name
        self.attribution = attribution
        self.districts = districts
        self.population = population
    }

    public func districtIndex(code: String) -> Int? {
        districts.firstIndex { $0.code == code }
    }

    /// The district a user means: its code or its name, in any case, spaces around ignored
    /// (`E07000112`, `e07000112`, `Folkestone and Hythe`, `folkestone and hythe`).
    public func district(matching text: String) -> Int? {
        var wanted = Substring(text.lowercased())
        while wanted.first?.isWhitespace == true { wanted.removeFirst() }
        while wanted.last?.isWhitespace == true { wanted.removeLast() }
        guard !wanted.isEmpty else { return nil }
        return districts.firstIndex { $0.code.lowercased() == wanted || $0.name.lowercased() == wanted }
    }

    /// Bounding box of all districts in BNG metres.
    public var bounds: (min: BNGPoint, max: BNGPoint) {
        var lo = BNGPoint(easting: .infinity, northing: .infinity)
        var hi = BNGPoint(easting: -.infinity, northing: -.infinity)
        for d in districts { for polygon in d.polygons { for ring in polygon { for p in ring {
            lo.easting = min(lo.easting, p.easting); lo.northing = min(lo.northing, p.northing)
            hi.easting = max(hi.easting, p.easting); hi.northing = max(hi.northing, p.northing)
        } } } }
        return (lo, hi)
    }

    // MARK: Denominators

    /// All-ages population of a district for `year` (the latest year when nil); nil if there is none.
    public func population(district: Int, year: Int? = nil) -> Int? {
        guard districts.indices.contains(district) else { return nil }
        let totals = year.map { y in population.allAges.first { $0.year == y } } ?? population.allAges.last
        return totals?.counts[district]
    }

    /// Population of a district aged `lower` to `upper` inclusive (open-ended when `upper` is nil), from the
    /// single-year-of-age table. Nil if there is no such table, or the band splits its open-ended last age
    /// (e.g. 85–94 when the table stops at 90+).
    public func population(district: Int, lower: Int, upper: Int?) -> Int? {
        guard districts.indices.contains(district), let table = population.singleYearOfAge, lower >= 0 else { return nil }
        let counts = table.counts[district]
        let last: Int
        if let upper {
            guard upper >= lower, upper < table.openAge else { return nil }
            last = upper
        } else {
            guard lower <= table.openAge else { return nil }
            last = table.openAge
        }
        return counts[lower...last].reduce(0, +)
    }

    /// Population of a district aged within `ages`, e.g. `10...17`.
    public func population(district: Int, ages: ClosedRange<Int>) -> Int? {
        population(district: district, lower: ages.lowerBound, upper: ages.upperBound)
    }

    /// Population of a district aged `ages.lowerBound` or over, e.g. `65...`.
    public func population(district: Int, ages: PartialRangeFrom<Int>) -> Int? {
        population(district: district, lower: ages.lowerBound, upper: nil)
    }

    /// Sum over all districts of an age band (open-ended when `upper` is nil).
    public func totalPopulation(lower: Int, upper: Int?) -> Int? {
        var sum = 0
        for d in districts.indices {
            guard let n = population(district: d, lower: lower, upper: upper) else { return nil }
            sum += n
        }
        return sum
    }

    /// Denominators for every district and age band (the "unknown" band excluded): `[district][band]`.
    /// Nil when the single-year table is missing or a band's bounds cannot be served exactly.
    /// With `sex` (female or male), the residents of that sex, from `singleYearOfAgeBySex`.
    public func bandDenominators(_ bands: AgeBands, sex: Sex? = nil) -> [[Int]]? {
        var out: [[Int]] = []
        for d in districts.indices {
            var row: [Int] = []
            for band in 0..<bands.lowerBounds.count {
                let (lo, hi) = bands.range(of: band)
                guard let lo, let n = population(district: d, lower: lo, upper: hi, sex: sex) else { return nil }
                row.append(n)
            }
            out.append(row)
        }
        return out
    }

    /// Population of one sex in a district aged `lower` to `upper` inclusive (open-ended when `upper` is nil);
    /// nil without a by-sex table, for `.unknown`, or when the band splits the open-ended last age.
    public func population(district: Int, lower: Int, upper: Int?, sex: Sex?) -> Int? {
        guard let sex else { return population(district: district, lower: lower, upper: upper) }
        guard districts.indices.contains(district), let table = population.singleYearOfAgeBySex,
              let counts = table.counts(sex)?[district], lower >= 0 else { return nil }
        guard let last = Self.lastAge(lower: lower, upper: upper, openAge: table.openAge) else { return nil }
        return counts[lower...last].reduce(0, +)
    }

    /// The last single-year index a band [lower, upper] covers, or nil when the table cannot answer it exactly.
    static func lastAge(lower: Int, upper: Int?, openAge: Int) -> Int? {
        if let upper { return upper >= lower && upper < openAge ? upper : nil }
        return lower <= openAge ? openAge : nil
    }
}
