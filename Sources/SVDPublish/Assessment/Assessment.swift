import SVDCore
import SVDDetect
import SVDBin
import SVDMeasure

/// The needs assessment, computed once from the cube: every figure any output shows (the `svd assess` tables,
/// the report and a district's pack), typed, with its disclosure state. Outputs only format it.
///
/// Every count here has passed through `Disclosure.release` (a `Released`), and every rate, interval, change,
/// share and rank is computed from released values. Raw counts stay internal, for building only.
public struct Assessment: Sendable {
    // MARK: Identity

    public let areaName: String
    /// The pack's district name, or the area's name.
    public let scopeName: String
    /// The district of a CSP's pack (an index into the area's districts), or nil for the whole area.
    public let scopeDistrict: Int?
    public let period: ClosedRange<MonthKey>
    /// Length of the period in years, for annual rates.
    public let years: Double
    public let definitions: Definitions
    public let populationNote: String
    public let policy: DisclosurePolicy
    public let disclosure: Disclosure
    /// The first month with any data in the cube: change series start there.
    public let firstDataMonth: MonthKey?
    /// The 12 months to the period's end and the 12 before; nil without 24 months of data.
    public let twelveMonths: Window?
    /// The latest complete financial year and the one before; nil without both.
    public let financialYears: FinancialYears?

    // MARK: Districts (always area-wide)

    /// Districts in published order: ranked by rate, highest first, then the unranked (hidden count) by code.
    public let districts: [DistrictRow]
    /// The whole area (without the outside bucket).
    public let areaRow: AreaRow
    /// Incidents located in no district.
    public let outside: Released

    // MARK: The scope (the pack's district, or the area)

    /// Serious violence in the scope.
    public let scopeIncidents: Released
    /// Whether the scope's total allows it to be broken down (minimum base).
    public let scopeBreakdownShown: Bool
    /// `all_ages` first, then the definitions' cohorts by victim age.
    public let cohorts: [CohortRow]
    /// "Kent & Medway, 12 months to 2026-10: all serious violence +3%, …", from released counts.
    public let headline: String?
    /// Index 0 is all serious violence, then the definitions' strands (the cube's strand slices).
    public let strands: [StrandRow]
    /// Hours 0–23, then unknown (24).
    public let hourWeekday: [HourWeekdayRow]
    public let locationTypes: [LocationRow]
    public let locationTotal: Released
    /// Every month of the period.
    public let monthlyTrend: [TrendMonth]
    /// Serious violence, out of scope, uncovered (groups with no incident are left out).
    public let offenceMix: [OffenceGroup]
    public let dataQuality: DataQuality
    /// Victim age bands (known bands, then unknown) with rates for the scope.
    public let victimAges: [VictimAgeBand]
    public let victimAgeTotal: Released
    /// Residents in the known age bands.
    public let victimAgePopulation: Int
    /// False when no incident in the scope has a known victim age (e.g. data.police.uk), so there are no age rates.
    public let victimAgeKnown: Bool
    /// All serious violence, each cohort, then each strand: 12 months against the 12 before. Empty without 24 months.
    public let headlineCards: [HeadlineCard]
    /// The same cards for the whole area, for a pack to set its own against; empty for the area itself.
    public let areaHeadlineCards: [HeadlineCard]
    /// People and places (AssessmentPeople.swift): single years of age, peak age and 10–25 over-representation,
    /// the sexual-violence profile, location type by district and by strand, and which fields the sources record.
    public let people: PeopleAndPlaces

    // MARK: Measures, quarters, financial years, groupings, peak hours

    /// The definitions' measures in the scope (KPIs first in the headline), with 12-month, quarterly and
    /// financial-year change.
    public let measures: [MeasureRow]
    /// The KPI headline: each headline measure's 12-month change with its significance; nil without KPIs or 24 months.
    public let kpiHeadline: String?
    /// The latest complete quarter and the same quarter a year before.
    public let quarterWindow: Window?
    /// Every complete calendar quarter of the period, for the scope.
    public let quarters: [QuarterRow]
    /// Financial-year change by district (area-wide), for the area, and by strand (the scope).
    public let financialYearByDistrict: [FinancialYearRow]
    public let financialYearArea: FinancialYearRow?
    public let financialYearByStrand: [FinancialYearRow]
    /// The definitions' groupings of districts (area-wide).
    public let groupings: [GroupingRow]
    /// Hours that stand out in the scope.
    public let peakHours: [PeakWindow]
    /// The same assessment for each source (police, A&E, ambulance…), when the run read more than one; empty otherwise.
    public let bySource: [SourceAssessment]
    /// How many partner records (A&E, ambulance) have a police record nearby in place and time, by source and group.
    public let overlap: [OverlapRow]
    /// What the overlap rows rest on (method parameters, sources), for their notes.
    public let overlapInput: AssessmentInput.OverlapInput?
    /// Partner context figures by measure and district: the latest 12 months against the 12 before.
    public let context: [ContextRow]

    // Raw figures kept for `AssessmentTables`' existing API (never printed).
    let scopeMarginals: CubeMarginals
    let scopeTotalCount: KeyedCount

    /// The pack's own district row, or nil for the area.
    public var scopeRow: DistrictRow? {
        scopeDistrict.flatMap { d in districts.first { $0.index == d } }
    }

    /// District rows in the area's district order (the order of every per-district table but the summary).
    public var districtsByIndex: [DistrictRow] { districts.sorted { $0.index < $1.index } }
}

extension Assessment {
    /// Two consecutive periods of equal length, the later one current.
    /// One group of a partner source's records (all, a district, an hour band, a victim age band) and how many of
    /// them have a police counterpart, estimated from the published counts.
    public struct OverlapRow: Sendable {
        public let source: String
        /// "all", "district", "hour" or "victim age".
        public let breakdown: String
        public let group: String
        public let records: Released
        public let matched: Released
        /// Mean chance-match probability of the group's records, in per cent (not a count).
        public let chancePercent: Double?
        /// From the published records and matches; nil when either is hidden or withheld.
        public let estimate: OverlapEstimate?
    }

    /// A partner context figure for one district (or the area, `district` nil).
    public struct ContextRow: Sendable {
        public let measure: String
        public let partner: String?
        public let district: Int?
        public let change: Change
        /// Per 1,000 residents per year, from the latest 12 months' published value.
        public let ratePerThousand: Double?
    }

    /// One source's assessment: its incidents only, its files' data quality.
    public struct SourceAssessment: Sendable {
        public let name: String
        public let partners: [String]
        public let assessment: Assessment
    }

    public struct Window: Sendable, Equatable {
        public let current: ClosedRange<MonthKey>
        public let previous: ClosedRange<MonthKey>
    }

    public struct FinancialYears: Sendable, Equatable {
        /// "2024/25" and "2023/24".
        public let label: String
        public let previousLabel: String
        public let window: Window
    }

    /// Released counts of two periods. A difference or percentage needs both counts shown, or it would give
    /// a hidden one away.
    public struct Change: Sendable, Equatable {
        public let current: Released
        public let previous: Released
        public let window: Window

        /// A breakdown of a scope below the minimum base.
        public static func withheld(_ window: Window) -> Change { Change(current: .withheld, previous: .withheld, window: window) }

        public var isWithheld: Bool { current == .withheld }

        public var difference: Int? {
            guard let c = current.value, let p = previous.value else { return nil }
            return c - p
        }

        /// Per cent on the previous period; nil when either count is hidden or the previous is zero.
        public var percent: Double? {
            guard let c = current.value, let p = previous.value, p != 0 else { return nil }
            return Double(c - p) / Double(p) * 100
        }
    }

    /// A strand's count in one district (or the area), with its rate per 1,000 a year.
    public struct StrandCount: Sendable, Equatable {
        public let incidents: Released
        /// Nil when the count is hidden or withheld.
        public let ratePerThousand: Double?
    }

    /// One age band of one district for one role (victim or suspect), by sex.
    public struct AgeSexBand: Sendable, Equatable {
        public let band: Int
        public let label: String
        /// Female, male, unknown (the published column order).
        public let bySex: [Released]
        public let all: Released
        /// The district's residents in the band; nil for the unknown band.
        public let population: Int?
        public let ratePerThousand: Double?
        /// Female and male rates per 1,000 of that sex and band, with 95% CIs; empty for the unknown band or
        /// without a by-sex population.
        public let sexRates: [SexRate]
    }

    public struct DistrictRow: Sendable {
        /// Index into the area's districts.
        public let index: Int
        public let code: String
        public let name: String
        public let incidents: Released
        public let population: Int
        /// 1 for the highest published rate; nil when the count is hidden.
        public let rank: Int?
        public let rate: RateEstimate?
        /// Against the area's rate; nil when either rate is hidden.
        public let comparedWithArea: Comparison?
        /// All ages, 12 months against the 12 before; nil without 24 months of data.
        public let change: Change?
        /// Whether the district's total reaches the minimum base, so its breakdowns are shown.
        public let breakdownShown: Bool
        /// One per cohort (all ages first); withheld beyond all ages when the breakdown is. Empty without 24 months.
        public let cohortChanges: [Change]
        /// The definitions' strands.
        public let strands: [StrandCount]
        /// Age bands (unknown last) by sex.
        public let victims: [AgeSexBand]
        public let suspects: [AgeSexBand]

        public func ageSex(_ role: IncidentCube.Role) -> [AgeSexBand] { role == .victim ? victims : suspects }
    }

    /// The whole area: the TOTAL rows of the per-district tables.
    public struct AreaRow: Sendable {
        public let incidents: Released
        public let population: Int
        public let rate: RateEstimate?
        public let change: Change?
        public let cohortChanges: [Change]
        public let strands: [StrandCount]
    }

    public struct CohortRow: Sendable {
        public let id: String
        public let label: String
        /// Victims younger than this; nil for all ages.
        public let under: Int?
        /// Residents of the cohort's ages.
        public let population: Int
        /// Last 12 months against the 12 before; nil without 24 months of data.
        public let change: Change?
        /// Per 1,000 residents of the cohort's ages, last 12 months.
        public let rate: RateEstimate?
        /// The latest complete financial year against the one before.
        public let financialYear: Change?
    }

    public struct StrandRow: Sendable, Equatable {
        public let id: String
        public let label: String
        public let incidents: Released
        /// Per cent of all serious violence in the scope; nil when a count is hidden.
        public let share: Double?
        public let ratePerThousand: Double?
    }

    public struct HourWeekdayRow: Sendable, Equatable {
        /// 0–23, or 24 for unknown.
        public let hour: Int
        /// Mon…Sun.
        public let byWeekday: [Released]
        public let weekdayUnknown: Released
        public let all: Released

        public var label: String { hour == 24 ? "unknown" : (hour < 10 ? "0\(hour):00" : "\(hour):00") }
    }

    public struct LocationRow: Sendable, Equatable {
        public let type: LocationType
        public let incidents: Released
        public let share: Double?
    }

    public struct TrendMonth: Sendable, Equatable {
        public let month: MonthKey
        /// Index 0 all serious violence, then the strands.
        public let byStrand: [Released]
        /// The month and the 11 before; nil until 12 months of data exist.
        public let rolling12: Released?
    }

    public struct OffenceRow: Sendable, Equatable {
        public let name: String
        public let incidents: Released
        /// Per cent of serious violence (serious-violence categories only).
        public let share: Double?
    }

    public struct OffenceGroup: Sendable {
        public let scope: Definitions.Scope
        /// In name order: an order by count would rank hidden categories.
        public let offences: [OffenceRow]
        public let total: Released
    }

    /// A released count with its share of a released whole covering the same incidents.
    public struct Share: Sendable, Equatable {
        public let incidents: Released
        public let percent: Double?
    }

    public struct DataQuality: Sendable {
        public struct Rejection: Sendable, Equatable {
            public let reason: String
            public let rows: Int
        }

        /// Record accounting: exact (records in the extracts, not incidents).
        public let files: [DataQualityInput.File]
        public let rowsRead: Int
        public let rowsAccepted: Int
        public let rejected: [Rejection]
        public let outsidePeriod: Released
        /// Shares of the scope's serious violence.
        public let unknownVictimAge: Share
        public let unknownHour: Share
        public let unknownLocationType: Share
        /// Share of all serious violence, inside the area or not.
        public let outsideEveryDistrict: Share
        /// Names of categories in no list of the definitions, sorted.
        public let uncoveredOffences: [String]
    }

    public struct VictimAgeBand: Sendable {
        public let label: String
        public let incidents: Released
        /// Nil for the unknown band.
        public let population: Int?
        public let rate: RateEstimate?
    }

    public struct HeadlineCard: Sendable {
        public let label: String
        public let change: Change
    }
}
