import SVDCore
import SVDBin
import SVDMeasure

/// A field an incident may lack. A source that leaves it unknown on every accepted row does not record it.
public enum IncidentField: String, Sendable, CaseIterable {
    case victimAge, suspectAge, victimSex, suspectSex, hour, weekday, locationType

    public var label: String {
        switch self {
        case .victimAge: "victim age"
        case .suspectAge: "suspect age"
        case .victimSex: "victim sex"
        case .suspectSex: "suspect sex"
        case .hour: "hour"
        case .weekday: "weekday"
        case .locationType: "location type"
        }
    }

    public static func age(_ role: IncidentCube.Role) -> IncidentField { role == .victim ? .victimAge : .suspectAge }
    public static func sex(_ role: IncidentCube.Role) -> IncidentField { role == .victim ? .victimSex : .suspectSex }
}

extension Assessment {
    // MARK: What the sources record

    /// Whether the run's sources record a field.
    public enum Recording: Sendable, Equatable {
        case recorded
        /// Some files record it; these do not (their incidents count as unknown).
        case partly(notBy: [String])
        /// No file records it: every accepted row of every file leaves it unknown.
        case notRecorded(by: [String])
    }

    /// The rule, from the data-quality record accounting (exact, about records, not places): a file does not record
    /// a field when every one of its accepted rows has it unknown. A field no file records is "not recorded by this
    /// source": its measures are left out (blank) with a note, never shown as measured zeros.
    public struct FieldRecording: Sendable {
        public let status: [IncidentField: Recording]

        public init(_ dq: DataQualityInput) {
            var status: [IncidentField: Recording] = [:]
            for field in IncidentField.allCases {
                var silent: [String] = [], recording = 0
                for f in dq.files where f.accepted > 0 {
                    guard let unknown = f.unknown[field] else { recording += 1; continue }   // not counted: assume recorded
                    if unknown >= f.accepted { silent.append("\(f.name) (\(f.format))") } else { recording += 1 }
                }
                status[field] = silent.isEmpty ? .recorded : recording == 0 ? .notRecorded(by: silent) : .partly(notBy: silent)
            }
            self.status = status
        }

        public func status(_ f: IncidentField) -> Recording { status[f] ?? .recorded }

        /// False only when no source records the field.
        public func isRecorded(_ f: IncidentField) -> Bool {
            if case .notRecorded = status(f) { return false }
            return true
        }

        /// One note per field that some source does not record, for the tables about those fields.
        public func notes(_ fields: [IncidentField]) -> [String] {
            fields.compactMap { f in
                switch status(f) {
                case .recorded: nil
                case .notRecorded(let files):
                    "\(f.label.prefix(1).uppercased() + f.label.dropFirst()): not recorded by this source (every accepted row of "
                        + files.joined(separator: ", ") + " leaves it blank), so its measures are left blank, not shown as 0."
                case .partly(let files):
                    "\(f.label.prefix(1).uppercased() + f.label.dropFirst()) is not recorded by " + files.joined(separator: ", ")
                        + ": those incidents count as unknown."
                }
            }
        }

        /// "victim age, hour: not recorded by x.csv (data.police.uk)" for the data-quality table; nil when all are recorded.
        public var summary: String? {
            var byFiles: [[String]: [String]] = [:], order: [[String]] = []
            for f in IncidentField.allCases {
                let files: [String]
                switch status(f) {
                case .recorded: continue
                case .notRecorded(let x), .partly(let x): files = x
                }
                if byFiles[files] == nil { order.append(files) }
                byFiles[files, default: []].append(f.label)
            }
            guard !order.isEmpty else { return nil }
            return order.map { byFiles[$0]!.joined(separator: ", ") + ": not recorded by " + $0.joined(separator: ", ") }.joined(separator: "; ")
        }
    }

    // MARK: Sex-specific rates

    /// The rate for one sex in one age band: incidents with a person of that sex and band per 1,000 residents of
    /// that sex and band a year.
    public struct SexRate: Sendable, Equatable {
        public let sex: Sex
        /// Residents of the sex in the band (the area's by-sex population year).
        public let population: Int
        /// Nil when the count is hidden or withheld, or the field is not recorded.
        public let rate: RateEstimate?
    }

    // MARK: People and places

    public struct PeopleAndPlaces: Sendable {
        /// The ages whose over-representation among suspects the Kent SNA reports.
        public static let youngAges = 10...25

        public let recording: FieldRecording
        /// All serious violence in the scope by single year of age: 0 … openAge−1, then openAge+ and unknown.
        public let singleYears: [SingleYearRow]
        /// Victims and suspects of a known age (0–120) in the scope.
        public let knownAge: [IncidentCube.Role: Released]
        /// All serious violence (index 0) and each strand, victims then suspects.
        public let ageProfiles: [AgeProfile]
        /// The strand whose id contains "sexual", by role × age band × sex; nil when the definitions have none.
        public let sexualViolence: StrandAgeSex?
        /// Each district's serious violence by location type (area-wide, like every per-district table).
        public let locationByDistrict: [LocationBreakdown]
        /// The scope's serious violence of each strand by location type.
        public let locationByStrand: [LocationBreakdown]
    }

    public struct SingleYearRow: Sendable, Equatable {
        /// "17", "90+", "unknown".
        public let label: String
        /// The single year, or nil for the open-ended group and unknown.
        public let age: Int?
        public let victims: Released
        public let suspects: Released
        /// Residents of that age in the scope; nil for unknown or without single years of age.
        public let population: Int?

        public func count(_ role: IncidentCube.Role) -> Released { role == .victim ? victims : suspects }
    }

    public struct AgeProfile: Sendable, Equatable {
        /// "all_serious_violence" or the strand's id.
        public let strandID: String
        public let strandLabel: String
        public let role: IncidentCube.Role
        /// The strand's incidents in the scope (the base of the breakdown).
        public let incidents: Released
        /// False when the base is below the minimum base: every figure below is withheld.
        public let shown: Bool
        /// People of a known age (0–120).
        public let knownAge: Released
        /// Single years (below the open-ended group) with the largest published count; empty when none is shown.
        public let peakAges: [Int]
        public let peakCount: Int?
        /// Aged 10–25.
        public let youngAges: Released
        /// Share aged 10–25 of those of known age, with its Wilson 95% interval; nil when a count is hidden.
        public let youngShare: ProportionEstimate?
        /// Residents aged 10–25 as a share of all residents of the scope; nil without single years of age.
        public let populationYoungShare: Double?
        /// Over, under or similar: the population share against the interval.
        public let representation: Representation?
    }

    public struct StrandAgeSex: Sendable {
        public let strandID: String
        public let strandLabel: String
        public let incidents: Released
        public let shown: Bool
        public let rows: [StrandAgeSexRow]
    }

    public struct StrandAgeSexRow: Sendable, Equatable {
        public let role: IncidentCube.Role
        public let band: Int
        public let label: String
        /// Female, male, unknown.
        public let bySex: [Released]
        public let all: Released
        /// Per cent of the strand's incidents (female, male), from published counts.
        public let femaleShare: Double?
        public let maleShare: Double?
        /// Female and male rates per 1,000 of that sex and band a year; empty for the unknown band or without by-sex population.
        public let sexRates: [SexRate]
    }

    public struct LocationBreakdown: Sendable {
        /// District code or strand id.
        public let id: String
        public let label: String
        /// The whole being broken down (the district's or strand's incidents).
        public let incidents: Released
        public let shown: Bool
        public let types: [LocationRow]
    }
}

// MARK: - Building

extension Builder {
    var recording: Assessment.FieldRecording { Assessment.FieldRecording(input.dataQuality) }

    /// Female and male rates of one age band of a district, from the released counts (`bySex`: female, male, unknown).
    func sexRates(_ role: IncidentCube.Role, band a: Int, populations: (female: [Int]?, male: [Int]?), bySex: [Released],
                  recording: Assessment.FieldRecording) -> [Assessment.SexRate] {
        guard a < bands.lowerBounds.count, let female = populations.female, let male = populations.male else { return [] }
        let measured = recording.isRecorded(.age(role)) && recording.isRecorded(.sex(role))
        return [(Sex.female, female[a], bySex[0]), (.male, male[a], bySex[1])].map { sex, population, count in
            Assessment.SexRate(sex: sex, population: population,
                               rate: measured ? Assessment.rate(count, population: population, years: years) : nil)
        }
    }

    /// The scope's residents of one sex per age band (summed over its districts); nil without by-sex population.
    func scopePopulationByBand(_ sex: Sex) -> [Int]? {
        var out = Array(repeating: 0, count: bands.lowerBounds.count)
        for d in scopeDistricts {
            guard let p = districts[d].populationByAgeBand(sex: sex) else { return nil }
            for a in out.indices { out[a] += p[a] }
        }
        return out
    }

    func peopleAndPlaces() -> Assessment.PeopleAndPlaces {
        let recording = recording
        let ids = ["all_serious_violence"] + input.definitions.strands.map(\.id)
        let labels = scope.shape.strandLabels
        let slices = scope.shape.strandSlices
        /// A strand's incidents in the scope.
        let strandTotals = (0..<slices).map { k in scopeDistricts.reduce(KeyedCount.zero) { $0 + scope.byDistrict[k][$1] } }
        let scopeOpen = disclosure.allowsBreakdown(of: scopeTotal)
        func open(_ k: Int) -> Bool { scopeOpen && (k == 0 || disclosure.allowsBreakdown(of: strandTotals[k])) }

        // Single years of age, summed over the scope's districts: [role][strand][age 0…121].
        let singleAges = (0..<2).map { r in
            (0..<slices).map { k in
                (0..<IncidentCube.Shape.singleAges).map { a in scopeDistricts.reduce(KeyedCount.zero) { $0 + scope.bySingleAge[r][k][$1][a] } }
            }
        }
        // The population's single years (0…openAge, the last open-ended) for the scope.
        let populationAges: [Int]? = {
            let tables = scopeDistricts.map { districts[$0].populationBySingleYearOfAge }
            guard let first = tables.first, !first.isEmpty, tables.allSatisfy({ $0.count == first.count }) else { return nil }
            return first.indices.map { a in tables.reduce(0) { $0 + $1[a] } }
        }()
        let openAge = populationAges.map { $0.count - 1 } ?? 90
        let known = 0...120
        func group(_ r: Int, _ k: Int, _ ages: ClosedRange<Int>) -> KeyedCount { ages.reduce(KeyedCount.zero) { $0 + singleAges[r][k][$1] } }

        // All serious violence by single year: 0…openAge−1, openAge+, unknown.
        var rows: [Assessment.SingleYearRow] = []
        let allOpen = open(0)
        func shown(_ c: KeyedCount) -> Released { allOpen ? release(c) : .withheld }
        for a in 0..<openAge {
            rows.append(Assessment.SingleYearRow(label: "\(a)", age: a, victims: shown(singleAges[0][0][a]), suspects: shown(singleAges[1][0][a]),
                                                 population: populationAges?[a]))
        }
        rows.append(Assessment.SingleYearRow(label: "\(openAge)+", age: nil, victims: shown(group(0, 0, openAge...120)),
                                             suspects: shown(group(1, 0, openAge...120)), population: populationAges?[openAge]))
        let unknown = IncidentCube.Shape.unknownSingleAge
        rows.append(Assessment.SingleYearRow(label: "unknown", age: nil, victims: shown(singleAges[0][0][unknown]),
                                             suspects: shown(singleAges[1][0][unknown]), population: nil))
        let knownAge: [IncidentCube.Role: Released] = [.victim: shown(group(0, 0, known)), .suspect: shown(group(1, 0, known))]

        // Peak age and the 10–25 share, for all serious violence and each strand, victims and suspects.
        let young = Assessment.PeopleAndPlaces.youngAges
        let populationYoungShare = populationAges.flatMap { p -> Double? in
            let total = p.reduce(0, +)
            guard total > 0, young.upperBound < openAge else { return nil }
            return Double(p[young].reduce(0, +)) / Double(total)
        }
        var profiles: [Assessment.AgeProfile] = []
        for k in 0..<slices {
            let incidents = k == 0 ? release(scopeTotal) : (scopeOpen ? release(strandTotals[k]) : .withheld)
            for role in IncidentCube.Role.allCases {
                let r = role.rawValue
                let isOpen = open(k) && recording.isRecorded(.age(role))
                func released(_ c: KeyedCount) -> Released { isOpen ? release(c) : .withheld }
                // Peak: from released single years only (a hidden count is never compared).
                let singles = (0..<openAge).map { released(singleAges[r][k][$0]) }
                let peak = singles.compactMap(\.value).max()
                let peakAges = peak.map { p in p > 0 ? singles.indices.filter { singles[$0].value == p } : [] } ?? []
                let knownCount = released(group(r, k, known)), youngCount = released(group(r, k, young))
                var share: ProportionEstimate?
                if let x = youngCount.value, let n = knownCount.value, n > 0 {
                    // Each count carries its own noise: never more aged 10–25 than of known age.
                    share = try? ProportionEstimate(successes: min(x, n), trials: n)
                }
                profiles.append(Assessment.AgeProfile(
                    strandID: ids[k], strandLabel: labels[k], role: role, incidents: incidents, shown: open(k),
                    knownAge: knownCount, peakAges: peakAges, peakCount: peakAges.isEmpty ? nil : peak, youngAges: youngCount,
                    youngShare: share, populationYoungShare: populationYoungShare,
                    representation: share.flatMap { s in populationYoungShare.map { s.compared(toReference: $0) } }))
            }
        }

        return Assessment.PeopleAndPlaces(
            recording: recording, singleYears: rows, knownAge: knownAge, ageProfiles: profiles,
            sexualViolence: sexualViolenceProfile(strandTotals: strandTotals, open: open, recording: recording),
            locationByDistrict: locationByDistrict(), locationByStrand: locationByStrand(strandTotals: strandTotals, open: open))
    }

    /// Victims and suspects of the sexual-violence strand by age band and sex, within the scope.
    func sexualViolenceProfile(strandTotals: [KeyedCount], open: (Int) -> Bool, recording: Assessment.FieldRecording) -> Assessment.StrandAgeSex? {
        guard let s = input.definitions.strands.firstIndex(where: { $0.id.lowercased().contains("sexual") }) else { return nil }
        let k = s + 1
        let isOpen = open(k)
        let total = disclosure.allowsBreakdown(of: scopeTotal) ? release(strandTotals[k]) : .withheld
        let populations = (female: scopePopulationByBand(.female), male: scopePopulationByBand(.male))
        var rows: [Assessment.StrandAgeSexRow] = []
        for role in IncidentCube.Role.allCases {
            for a in 0..<bands.count {
                let counts = Sex.order.map { x in scopeDistricts.reduce(KeyedCount.zero) { $0 + scope.byPersonByStrand[k][role.rawValue][$1][a][Int(x.rawValue)] } }
                let bySex = isOpen ? counts.map(release) : counts.map { _ in .withheld }
                let all = isOpen ? release(counts.sum()) : .withheld
                rows.append(Assessment.StrandAgeSexRow(
                    role: role, band: a, label: bands.label(of: a), bySex: bySex, all: all,
                    femaleShare: Assessment.share(bySex[0], of: total), maleShare: Assessment.share(bySex[1], of: total),
                    sexRates: sexRates(role, band: a, populations: populations, bySex: bySex, recording: recording)))
            }
        }
        return Assessment.StrandAgeSex(strandID: input.definitions.strands[s].id, strandLabel: input.definitions.strands[s].label,
                                       incidents: total, shown: isOpen, rows: rows)
    }

    /// Location types of one whole (a district's or a strand's incidents), withheld below the minimum base.
    func locationBreakdown(id: String, label: String, counts: [KeyedCount], base: KeyedCount, shown: Bool) -> Assessment.LocationBreakdown {
        let total = release(base)
        let released = shown ? counts.map(release) : counts.map { _ in .withheld }
        return Assessment.LocationBreakdown(
            id: id, label: label, incidents: total, shown: shown,
            types: LocationType.allCases.map { t in
                let v = released[Int(t.rawValue)]
                return Assessment.LocationRow(type: t, incidents: v, share: Assessment.share(v, of: total))
            })
    }

    func locationByDistrict() -> [Assessment.LocationBreakdown] {
        (0..<n).map { d in
            let base = area.byDistrict[0][d]
            return locationBreakdown(id: districts[d].code, label: districts[d].name,
                                     counts: LocationType.allCases.map { area.byPlace[0][Int($0.rawValue)][d] },
                                     base: base, shown: disclosure.allowsBreakdown(of: base))
        }
    }

    func locationByStrand(strandTotals: [KeyedCount], open: (Int) -> Bool) -> [Assessment.LocationBreakdown] {
        input.definitions.strands.enumerated().map { s, strand in
            let k = s + 1
            let counts = LocationType.allCases.map { t in scopeDistricts.reduce(KeyedCount.zero) { $0 + scope.byPlace[k][Int(t.rawValue)][$1] } }
            let b = locationBreakdown(id: strand.id, label: strand.label, counts: counts, base: strandTotals[k], shown: open(k))
            // The strand's total is itself a breakdown of the scope.
            return disclosure.allowsBreakdown(of: scopeTotal) ? b
                : Assessment.LocationBreakdown(id: b.id, label: b.label, incidents: .withheld, shown: false, types: b.types)
        }
    }
}
