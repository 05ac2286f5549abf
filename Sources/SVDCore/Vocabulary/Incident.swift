/// A point in British National Grid metres (EPSG:27700). All analysis happens in this frame.
public struct BNGPoint: Sendable, Hashable {
    public var easting: Double
    public var northing: Double
    @inlinable public init(easting: Double, northing: Double) {
        self.easting = easting
        self.northing = northing
    }
}

/// Three-valued flag: extracts often leave yes/no fields blank, and blank must not read as "no".
public enum Flag: UInt8, Sendable, CaseIterable {
    case unknown = 0, no, yes
}

public enum Sex: UInt8, Sendable, CaseIterable {
    case unknown = 0, female, male

    public var label: String {
        switch self {
        case .unknown: "unknown"
        case .female: "female"
        case .male: "male"
        }
    }
}

public enum Weapon: UInt8, Sendable, CaseIterable {
    case unknown = 0, none, knife, firearm, other

    public var label: String {
        switch self {
        case .unknown: "unknown"
        case .none: "none"
        case .knife: "knife"
        case .firearm: "firearm"
        case .other: "other"
        }
    }

    /// Knife/weapon-enabled in the Home Office sense: any weapon used or threatened.
    @inlinable public var isWeaponEnabled: Bool { self == .knife || self == .firearm || self == .other }
}

/// Where the incident happened, in the categories the Kent & Medway needs assessment reports.
///
/// Raw values follow the declaration order (`allCases[i].rawValue == i`): cube blocks and tables index by them.
/// `highStreet` is kept apart from other streets when the source says so (native `location_type: high street`).
public enum LocationType: UInt8, Sendable, CaseIterable {
    case unknown = 0, street, highStreet, transportHub, park, licensedPremises, dwelling, school, retail, other

    public var label: String {
        switch self {
        case .unknown: "unknown"
        case .street: "street"
        case .highStreet: "high street"
        case .transportHub: "transport hub"
        case .park: "park"
        case .licensedPremises: "licensed premises"
        case .dwelling: "dwelling"
        case .school: "school"
        case .retail: "retail"
        case .other: "other"
        }
    }

    /// The places the serious youth violence strand calls "public": everything but a dwelling.
    public var isPublicPlace: Flag {
        switch self {
        case .unknown: .unknown
        case .dwelling: .no
        default: .yes
        }
    }
}

/// One accepted incident after ingest: compact, with no identifier and no free text.
///
/// The incident id is checked at ingest but not carried, so nothing downstream can leak it.
public struct Incident: Sendable {
    public static let unknownAge: Int8 = -1
    public static let unknownHour: Int8 = -1
    public static let unknownDay: Int32 = .min

    /// Location in BNG metres.
    public var location: BNGPoint
    /// Calendar month as `year * 12 + (month - 1)`.
    public var month: Int32
    /// Days since 1970-01-01, or `unknownDay` when the source gives only a month (data.police.uk).
    public var day: Int32
    /// Hour of day 0–23, or `unknownHour`.
    public var hour: Int8
    /// Index into the run's `OffenceCatalog`.
    public var offence: UInt16
    public var victimAge: Int8
    public var victimSex: Sex
    public var suspectAge: Int8
    public var suspectSex: Sex
    public var locationType: LocationType
    public var publicPlace: Flag
    public var domestic: Flag
    public var weapon: Weapon
    public var alcohol: Flag
    public var drugs: Flag
    /// Index into the run's source names (police, police.uk, A&E, ambulance…).
    public var source: UInt8
    /// 0: locate by `location`. k > 0: placed in district k − 1 by a venue lookup that gives no point (`location`
    /// is NaN), so the incident counts in its district but has no place on a map.
    public var placedDistrict: UInt8 = 0
    /// Keyed hash of the record's identity (see `KeyedCount`): what disclosure control perturbs by.
    public var recordKey: UInt32

    public init(location: BNGPoint, month: Int32, day: Int32 = Incident.unknownDay, hour: Int8 = Incident.unknownHour,
                offence: UInt16, victimAge: Int8 = Incident.unknownAge, victimSex: Sex = .unknown,
                suspectAge: Int8 = Incident.unknownAge, suspectSex: Sex = .unknown,
                locationType: LocationType = .unknown, publicPlace: Flag = .unknown, domestic: Flag = .unknown,
                weapon: Weapon = .unknown, alcohol: Flag = .unknown, drugs: Flag = .unknown, source: UInt8 = 0,
                recordKey: UInt32 = 0) {
        self.location = location
        self.month = month
        self.day = day
        self.hour = hour
        self.offence = offence
        self.victimAge = victimAge
        self.victimSex = victimSex
        self.suspectAge = suspectAge
        self.suspectSex = suspectSex
        self.locationType = locationType
        self.publicPlace = publicPlace
        self.domestic = domestic
        self.weapon = weapon
        self.alcohol = alcohol
        self.drugs = drugs
        self.source = source
        self.recordKey = recordKey
    }

    /// Weekday 0 = Monday … 6 = Sunday, or -1 when only the month is known.
    @inlinable public var weekday: Int {
        day == Incident.unknownDay ? -1 : CivilDate.weekday(daysSinceEpoch: Int(day))
    }

    /// Public place, from the explicit flag or else from the location type.
    @inlinable public var isPublicPlace: Flag {
        publicPlace != .unknown ? publicPlace : locationType.isPublicPlace
    }
}
