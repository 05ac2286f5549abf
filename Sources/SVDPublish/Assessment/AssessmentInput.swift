import SVDCore
import SVDBin
import SVDDetect

/// A district as the tables need it: names and population denominators.
public struct DistrictProfile: Sendable {
    public let code: String
    public let name: String
    /// All ages, for the crude rate.
    public let population: Int
    /// Population per age band of the run's definitions (unknown band excluded), for age-specific rates.
    public let populationByAgeBand: [Int]
    /// Females and males per age band (same bands), for sex-specific rates; nil without a by-sex population.
    public let femaleByAgeBand: [Int]?
    public let maleByAgeBand: [Int]?
    /// Residents by single year of age 0…openAge, the last open-ended (e.g. 90+); empty without single years.
    public let populationBySingleYearOfAge: [Int]

    public init(code: String, name: String, population: Int, populationByAgeBand: [Int],
                femaleByAgeBand: [Int]? = nil, maleByAgeBand: [Int]? = nil, populationBySingleYearOfAge: [Int] = []) {
        self.code = code
        self.name = name
        self.population = population
        self.populationByAgeBand = populationByAgeBand
        self.femaleByAgeBand = femaleByAgeBand
        self.maleByAgeBand = maleByAgeBand
        self.populationBySingleYearOfAge = populationBySingleYearOfAge
    }

    /// Residents of one sex per age band; nil for `.unknown` or without a by-sex population.
    public func populationByAgeBand(sex: Sex) -> [Int]? {
        switch sex {
        case .female: femaleByAgeBand
        case .male: maleByAgeBand
        case .unknown: nil
        }
    }
}

/// What ingest tells the data-quality table.
public struct DataQualityInput: Sendable {
    public struct File: Sendable {
        public let name: String
        public let format: String
        /// The source its rows belong to, and who supplied it.
        public let source: String
        public let partner: String?
        /// Accepted rows counted under other sources than `source` (a source column naming several).
        public var otherSources: [(source: String, rows: Int)] = []
        /// The period the supplier says the file covers, and the months its accepted rows span ("2023-11 to 2026-10").
        public var statedPeriod: String?
        public var months: String?
        public let rowsRead: Int
        public let accepted: Int
        public let rejected: Int
        /// Accepted rows with each field unknown (a field missing here is assumed recorded).
        public let unknown: [IncidentField: Int]
        public init(name: String, format: String, source: String = "", partner: String? = nil, rowsRead: Int, accepted: Int, rejected: Int,
                    unknown: [IncidentField: Int] = [:]) {
            self.name = name
            self.format = format
            self.source = source
            self.partner = partner
            self.rowsRead = rowsRead
            self.accepted = accepted
            self.rejected = rejected
            self.unknown = unknown
        }
    }

    public let files: [File]
    /// Reject reason label → rows.
    public let rejectedByReason: [(reason: String, rows: Int)]
    /// Accepted incidents that fall outside the analysis period (an incident count, so it is released).
    public let outsidePeriod: KeyedCount
    public let rejectsFile: String?

    public init(files: [File], rejectedByReason: [(reason: String, rows: Int)], outsidePeriod: KeyedCount, rejectsFile: String?) {
        self.files = files
        self.rejectedByReason = rejectedByReason
        self.outsidePeriod = outsidePeriod
        self.rejectsFile = rejectsFile
    }
}

/// Holds the (mutable, unsynchronised) cube, so it is not `Sendable`: build and use it on one thread.
public struct AssessmentInput {
    public let areaName: String
    public let districts: [DistrictProfile]
    public let populationNote: String
    public let definitions: Definitions
    public let offenceNames: [String]
    public let offenceScopes: [Definitions.Scope]
    public let cube: IncidentCube
    public let period: ClosedRange<MonthKey>
    public let dataQuality: DataQualityInput
    public let disclosure: DisclosurePolicy
    /// Each source's own cube and data quality, when the run read more than one source (police, A&E, ambulance…):
    /// every table can then be made per source, and the assessment carries a by-source panel.
    public var sources: [SourceSlice] = []

    /// Partner records matched to police records by place and time, when the run read both (see `SourceOverlap`).
    public var overlap: OverlapInput?

    /// Each partner (non-police) record in the area and period with a known day and hour, and its linkage.
    public struct OverlapInput: Sendable {
        public struct Record: Sendable {
            /// Index into `partnerSources`.
            public let source: Int
            public let district: Int
            /// Hour of day 0–23.
            public let hour: Int
            public let victimAge: Int8
            public let key: UInt32
            public init(source: Int, district: Int, hour: Int, victimAge: Int8, key: UInt32) {
                (self.source, self.district, self.hour, self.victimAge, self.key) = (source, district, hour, victimAge, key)
            }
        }
        public let parameters: OverlapParameters
        public let policeSources: [String]
        public let partnerSources: [String]
        /// Police records with a known day and hour the partner records were matched against.
        public let policeRecords: Int
        public let records: [Record]
        /// Beside `records`: matched or not, and the chance-match probability.
        public let linkage: OverlapLinkage
        public init(parameters: OverlapParameters, policeSources: [String], partnerSources: [String], policeRecords: Int,
                    records: [Record], linkage: OverlapLinkage) {
            self.parameters = parameters
            self.policeSources = policeSources
            self.partnerSources = partnerSources
            self.policeRecords = policeRecords
            self.records = records
            self.linkage = linkage
        }
    }

    /// Area-level partner figures (no incidents behind them), shown beside the incident measures as context.
    public var context: [ContextMeasure] = []

    public struct ContextCell: Sendable {
        public let district: Int
        public let month: MonthKey
        /// The figure, keyed so it is perturbed like any count.
        public let value: KeyedCount
        public init(district: Int, month: MonthKey, value: KeyedCount) {
            self.district = district
            self.month = month
            self.value = value
        }
    }

    public struct ContextMeasure: Sendable {
        public let label: String
        public let partner: String?
        public let cells: [ContextCell]
        public init(label: String, partner: String?, cells: [ContextCell]) {
            self.label = label
            self.partner = partner
            self.cells = cells
        }
    }

    /// One source's part of the run.
    public struct SourceSlice {
        public let name: String
        /// Who supplied its files.
        public let partners: [String]
        public let cube: IncidentCube
        public let dataQuality: DataQualityInput
        public init(name: String, partners: [String], cube: IncidentCube, dataQuality: DataQualityInput) {
            self.name = name
            self.partners = partners
            self.cube = cube
            self.dataQuality = dataQuality
        }
    }

    /// The same run seen through one source only: its cube and its files.
    public func restricted(to source: SourceSlice) -> AssessmentInput {
        var one = AssessmentInput(areaName: areaName, districts: districts, populationNote: populationNote, definitions: definitions,
                                  offenceNames: offenceNames, offenceScopes: offenceScopes, cube: source.cube, period: period,
                                  dataQuality: source.dataQuality, disclosure: disclosure)
        // Overlap is between sources, so one source's view has none.
        one.context = context
        return one
    }

    public init(areaName: String, districts: [DistrictProfile], populationNote: String, definitions: Definitions,
                offenceNames: [String], offenceScopes: [Definitions.Scope], cube: IncidentCube,
                period: ClosedRange<MonthKey>, dataQuality: DataQualityInput, disclosure: DisclosurePolicy) {
        self.areaName = areaName
        self.districts = districts
        self.populationNote = populationNote
        self.definitions = definitions
        self.offenceNames = offenceNames
        self.offenceScopes = offenceScopes
        self.cube = cube
        self.period = period
        self.dataQuality = dataQuality
        self.disclosure = disclosure
    }

    /// Length of the period in years, for annual rates.
    public var years: Double { Double(period.upperBound.index - period.lowerBound.index + 1) / 12 }
}
