import Foundation
import SVDCore

/// What an audit found: one recoverable count, unfit file or place, named by file and cell.
public struct Finding: Sendable, Hashable, Comparable {
    /// The route an attacker (or a careless publisher) takes.
    public enum Route: String, Sendable, CaseIterable, Comparable {
        /// The file must not be published as it is: marking, tier, perturbation off, input records, manifest.
        case fitness
        /// A count shown as 1–4 outright (exact tiers).
        case publishedSmallCount = "published-small-count"
        /// Row, column and table totals within one table (hour × weekday, age × sex, places, offences…).
        case rowColumnTotals = "row-column-totals"
        /// Linked tables of one run: breakdowns of the same total in different tables, cohorts and age bands.
        case linkedTables = "linked-tables"
        /// The period split: incidents = last 12 + previous 12 months (24-month periods), financial years.
        case periodSplit = "period-split"
        /// Months against rolling 12-month and 12-month totals.
        case monthsRolling = "months-rolling"
        /// Districts against the area total.
        case districtArea = "district-area"
        /// A district pack against the area report or tables.
        case packArea = "pack-area"
        /// Two runs whose periods overlap (the difference of a cell pair).
        case runToRun = "run-to-run"
        /// A rate, share, difference or percentage shown beside a hidden count.
        case derivedValue = "derived-value"
        /// A ranked order over a hidden count, or an order that follows true rather than published counts.
        case rank
        /// Published places: vertices off the generalisation grid, near an incident, outlines on too few locations.
        case places

        public static func < (a: Route, b: Route) -> Bool {
            allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
        }
    }

    public let file: String
    /// Row and column, line, or feature: where in the file.
    public let location: String
    /// What can be recovered and how.
    public let message: String
    public let route: Route
    /// The count recovered, when one is (linked tables, run-to-run, ranks).
    public let value: Int?
    /// The published cell it sits in: row label and column (nil for an unpublished count).
    public let row: String?
    public let column: String?
    /// The table's title (its caption in a report).
    public let table: String?

    public init(file: String, location: String, message: String, route: Route, value: Int? = nil, row: String? = nil, column: String? = nil,
                table: String? = nil) {
        self.file = file
        self.location = location
        self.message = message
        self.route = route
        self.value = value
        self.row = row
        self.column = column
        self.table = table
    }

    /// `file: row/column: what can be recovered and how [route]`.
    public var line: String { "\(file): \(location): \(message) [\(route.rawValue)]" }

    public static func < (a: Finding, b: Finding) -> Bool {
        (a.file, a.route, a.location, a.message) < (b.file, b.route, b.location, b.message)
    }
}

/// The result of `Auditor.run`.
public struct AuditReport: Sendable {
    public var findings: [Finding]
    /// Things the analyst should know that are not findings (inputs that disagree, maps that could not be placed).
    public var notes: [String]
    /// Files read, cells modelled, constraints, propagation rounds.
    public var statistics: Statistics

    public struct Statistics: Sendable {
        public var files = 0
        public var tables = 0
        public var cells = 0
        public var variables = 0
        public var constraints = 0
        public var rounds = 0
        public var reachedFixpoint = true
        public var vertices = 0
        public var incidents = 0
    }

    public var count: [Finding.Route: Int] {
        findings.reduce(into: [:]) { $0[$1.route, default: 0] += 1 }
    }
}

/// The area the outputs were made for: district codes and names (to read reports, which name districts) and
/// the bounds that place the report's hotspot map (its outlines are drawn in pixels of a frame fitted to these).
public struct AuditArea: Sendable {
    public struct District: Sendable {
        public let code: String
        public let name: String
        /// Bounds of the district's outer rings, BNG metres.
        public let min: BNGPoint
        public let max: BNGPoint
        public init(code: String, name: String, min: BNGPoint, max: BNGPoint) {
            self.code = code
            self.name = name
            self.min = min
            self.max = max
        }
    }

    public let id: String
    public let name: String
    public let min: BNGPoint
    public let max: BNGPoint
    public let districts: [District]

    public init(id: String, name: String, min: BNGPoint, max: BNGPoint, districts: [District]) {
        self.id = id
        self.name = name
        self.min = min
        self.max = max
        self.districts = districts
    }
}

public struct AuditOptions: Sendable {
    /// Incident extract (native schema, or data.police.uk) to test published places against.
    public var incidents: URL?
    /// The area, for district names and the report's map frame; nil reads names from the outputs only.
    public var area: AuditArea?
    /// Rounds of constraint propagation at most (each round revisits every constraint whose variables moved).
    public var maxRounds: Int
    /// A published point within this distance of an incident is a finding (metres).
    public var nearIncidentMetres: Double
    /// A hotspot outline must contain at least this many distinct incident locations.
    public var minLocations: Int

    public init(incidents: URL? = nil, area: AuditArea? = nil, maxRounds: Int = 200, nearIncidentMetres: Double = 5, minLocations: Int = 5) {
        self.incidents = incidents
        self.area = area
        self.maxRounds = maxRounds
        self.nearIncidentMetres = nearIncidentMetres
        self.minLocations = minLocations
    }
}

/// An input that cannot be read at all (exit code 2).
public struct AuditInputError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}
