import Foundation
import SVDCore

/// Codes shared by the model and the writers. 0 means "blank" wherever a field may be blank.
enum Offence: Int, CaseIterable {
    case homicide, attemptedMurder, violenceWithInjury, violenceWithoutInjury, robbery, rape, otherSexualOffences,
         possessionOfWeapons, drugTrafficking, publicOrder, stalkingAndHarassment, assault

    var name: String {
        switch self {
        case .homicide: "homicide"
        case .attemptedMurder: "attempted murder"
        case .violenceWithInjury: "violence with injury"
        case .violenceWithoutInjury: "violence without injury"
        case .robbery: "robbery"
        case .rape: "rape"
        case .otherSexualOffences: "other sexual offences"
        case .possessionOfWeapons: "possession of weapons"
        case .drugTrafficking: "drug trafficking"
        case .publicOrder: "public order"
        case .stalkingAndHarassment: "stalking and harassment"
        case .assault: "assault"
        }
    }

    var isSexual: Bool { self == .rape || self == .otherSexualOffences }

    /// Offences an emergency department or ambulance sees as an assault: the partner extracts' own incidents.
    static let assaultLike: Set<Int> = [Offence.attemptedMurder, .violenceWithInjury, .violenceWithoutInjury, .robbery, .assault]
        .reduce(into: []) { $0.insert($1.rawValue) }
}

/// Location types in the native schema's order; index 0 is blank.
let locationLabels = ["", "street", "transport hub", "park", "licensed premises", "dwelling", "school", "retail", "other"]
enum Place { static let street = 1, transport = 2, park = 3, licensed = 4, dwelling = 5, school = 6, retail = 7, other = 8 }
/// Weapon codes: 0 blank, then these labels.
let weaponLabels = ["", "none", "knife", "firearm", "other"]
/// Flags: 0 blank, 1 no, 2 yes. Sex: 0 blank, 1 F, 2 M.
enum Tri { static let blank: UInt8 = 0, no: UInt8 = 1, yes: UInt8 = 2 }

/// One synthetic incident before formatting.
struct SyntheticIncident {
    var offence = 0
    var fromAandE = false
    var month = 0          // 0 ..< months
    var day = 1
    var hour = -1         // -1: time not recorded
    var minute = 0
    var victimAge = -1
    var victimSex: UInt8 = 0
    var suspectAge = -1
    var suspectSex: UInt8 = 0
    var place = 0
    var publicPlace: UInt8 = 0
    var domestic: UInt8 = 0
    var weapon = 0
    var alcohol: UInt8 = 0
    var drugs: UInt8 = 0
    var easting = 0.0
    var northing = 0.0
}

/// The generative model. Every number here is a modelling choice, meant to look like a county's
/// police-recorded violence: shapes (peaks, skews, shares) follow published patterns, levels are invented.
struct IncidentModel: Sendable {
    /// Keeps every table's memory alive as long as the model.
    let arena: AliasArena
    let months: Int
    let firstMonth: MonthKey
    /// Days since epoch of the first day of each month.
    let monthStartDay: [Int]

    // Time.
    private let monthTable: AliasTable
    /// Per month: day-of-month × 24 hours, weighted by weekday and hour.
    private let dayHourTables: [AliasTable]
    private let minuteTable: AliasTable
    /// Youth trend: acceptance probability of an under-18 / 18–24 victim by month.
    private let keepUnder18: [Double]
    private let keep18to24: [Double]

    // What and who.
    private let offenceTable: AliasTable
    private let domesticShare: [Double]
    private let placeByOffence: [AliasTable]
    private let domesticPlace: AliasTable
    private let weaponByOffence: [AliasTable]
    private let suspectAge: AliasTable
    private let domesticSuspectAge: AliasTable
    private let victimAge: AliasTable
    private let domesticVictimAge: AliasTable
    private let sexualVictimAge: AliasTable

    // Where.
    private let towns: [Town]
    private let townTable: AliasTable
    private let coreShareByPlace: [Double]

    /// Share of incidents from A&E (category "assault", no suspect details).
    static let aAndEShare = 0.025
    /// Year-on-year factor for under-18 and 18–24 victims: about −12 % and −7 %, so under-25s fall about 9 %.
    static let under18YearFactor = 0.88
    static let from18to24YearFactor = 0.935

    init(endMonth: MonthKey, months: Int) {
        let arena = AliasArena()
        self.arena = arena
        self.months = months
        let firstMonth = endMonth.adding(months: -(months - 1))
        self.firstMonth = firstMonth
        monthStartDay = (0..<months).map { i in
            let m = MonthKey(index: firstMonth.index + Int32(i))
            return CivilDate.daysSinceEpoch(year: m.year, month: m.month, day: 1)
        }

        // Summer peak of about ±10 %, weighted by the month's length.
        monthTable = arena.table(weights: (0..<months).map { i in
            let m = MonthKey(index: firstMonth.index + Int32(i))
            let season: Double = 1 + 0.1 * cos(2 * Double.pi * Double(m.month - 7) / 12)
            return season * Double(CivilDate.daysInMonth(year: m.year, month: m.month))
        })
        dayHourTables = (0..<months).map { i in
            let m = MonthKey(index: firstMonth.index + Int32(i))
            let days = CivilDate.daysInMonth(year: m.year, month: m.month)
            var w = [Double]()
            w.reserveCapacity(days * 24)
            for d in 0..<days {
                let weekday = CivilDate.weekday(daysSinceEpoch: CivilDate.daysSinceEpoch(year: m.year, month: m.month, day: d + 1))
                for h in 0..<24 { w.append(IncidentModel.timeWeight(weekday: weekday, hour: h)) }
            }
            return arena.table(weights: w)
        }
        // Recorded minutes heap on the hour and half hour.
        minuteTable = arena.table(weights: (0..<60).map { $0 == 0 ? 18 : $0 == 30 ? 6 : $0 % 15 == 0 ? 3 : $0 % 5 == 0 ? 1.6 : 0.8 })
        keepUnder18 = (0..<months).map { pow(IncidentModel.under18YearFactor, Double($0) / 12) }
        keep18to24 = (0..<months).map { pow(IncidentModel.from18to24YearFactor, Double($0) / 12) }

        // Police-recorded mix; public order and stalking & harassment are out of scope but arrive in extracts.
        var offenceWeights = [Double](repeating: 0, count: Offence.allCases.count)
        for (o, w) in [(Offence.homicide, 0.05), (.attemptedMurder, 0.15), (.violenceWithInjury, 27), (.violenceWithoutInjury, 38),
                       (.robbery, 4), (.rape, 3), (.otherSexualOffences, 5), (.possessionOfWeapons, 3), (.drugTrafficking, 2),
                       (.publicOrder, 5.5), (.stalkingAndHarassment, 6.5)] { offenceWeights[o.rawValue] = w }
        offenceTable = arena.table(weights: offenceWeights)
        domesticShare = Offence.allCases.map {
            switch $0 {
            case .homicide: 0.25
            case .attemptedMurder: 0.2
            case .violenceWithInjury, .violenceWithoutInjury: 0.27
            case .robbery, .possessionOfWeapons: 0.01
            case .rape: 0.35
            case .otherSexualOffences: 0.12
            case .drugTrafficking: 0
            case .publicOrder: 0.05
            case .stalkingAndHarassment: 0.45
            case .assault: 0.15
            }
        }
        // Weights over locationLabels (index 0 = blank).
        func places(_ street: Double, _ transport: Double, _ park: Double, _ licensed: Double, _ dwelling: Double,
                    _ school: Double, _ retail: Double, _ other: Double, blank: Double = 2) -> AliasTable {
            arena.table(weights: [blank, street, transport, park, licensed, dwelling, school, retail, other])
        }
        let violence = places(34, 5, 5, 12, 20, 5, 10, 9)
        placeByOffence = Offence.allCases.map {
            switch $0 {
            case .homicide, .attemptedMurder, .violenceWithInjury, .violenceWithoutInjury: violence
            case .robbery: places(62, 9, 9, 2, 4, 1, 10, 3)
            case .rape, .otherSexualOffences: places(15, 4, 6, 8, 45, 6, 4, 12)
            case .possessionOfWeapons: places(58, 8, 8, 4, 5, 6, 6, 5)
            case .drugTrafficking: places(45, 8, 7, 0, 30, 0, 0, 10)
            case .publicOrder: places(45, 8, 4, 15, 8, 3, 12, 5)
            case .stalkingAndHarassment: places(10, 2, 1, 2, 60, 5, 5, 15)
            case .assault: places(30, 4, 4, 14, 14, 3, 5, 6, blank: 50)
            }
        }
        domesticPlace = places(7, 1, 1, 1, 86, 0, 1, 3)
        // Weights over weaponLabels: blank, none, knife, firearm, other.
        weaponByOffence = Offence.allCases.map {
            arena.table(weights: {
                switch $0 {
                case .homicide: [8, 30, 42, 4, 16]
                case .attemptedMurder: [7, 15, 55, 8, 15]
                case .violenceWithInjury: [21.3, 68, 4.5, 0.2, 6]
                case .violenceWithoutInjury: [23.3, 72, 2, 0.2, 2.5]
                case .robbery: [17.5, 62, 14, 1.5, 5]
                case .rape, .otherSexualOffences: [28, 70, 1, 0, 1]
                case .possessionOfWeapons: [6, 0, 68, 4, 22]
                case .drugTrafficking: [35.5, 60, 3, 0.5, 1]
                case .publicOrder: [27, 70, 1, 0, 2]
                case .stalkingAndHarassment: [24, 75, 0.5, 0, 0.5]
                case .assault: [47, 40, 5, 0, 8]
                }
            }($0))
        }
        // Ages 0…90. Suspects: steep rise through the early teens to a peak at 17, long adult tail.
        let teenSuspects: [Int: Double] = [10: 0.6, 11: 1, 12: 1.6, 13: 2.6, 14: 3.8, 15: 5, 16: 6.2, 17: 7.2, 18: 6,
                                           19: 5.4, 20: 5, 21: 4.6, 22: 4.3, 23: 4, 24: 3.8, 25: 3.6]
        suspectAge = arena.table(weights: (0...90).map { (a: Int) -> Double in
            a < 10 ? 0 : teenSuspects[a] ?? 3.5 * exp(-Double(a - 26) / 14)
        })
        // Domestic abuse involves older people on both sides: a broad peak around 30.
        let domesticShape: (Int) -> Double = { a in
            let x = Double(a - 14)
            return a < 16 ? 0 : x * x * exp(-x / 8)
        }
        domesticSuspectAge = arena.table(weights: (0...90).map(domesticShape))
        domesticVictimAge = arena.table(weights: (0...90).map { a in a < 14 ? 0.02 : domesticShape(max(a, 16)) })
        // Victims: like suspects but broader, with some children and a longer adult tail.
        let teenVictims: [Int: Double] = [10: 0.8, 11: 1.4, 12: 2.2, 13: 3.2, 14: 4.2, 15: 5, 16: 5.6, 17: 5.8, 18: 5.6,
                                          19: 5.4, 20: 5.2, 21: 5, 22: 4.8, 23: 4.6, 24: 4.4]
        victimAge = arena.table(weights: (0...90).map { (a: Int) -> Double in
            a < 10 ? 0.3 : teenVictims[a] ?? 4.3 * exp(-Double(a - 25) / 20)
        })
        sexualVictimAge = arena.table(weights: (0...90).map { (a: Int) -> Double in
            switch a {
            case ..<5: 0.2
            case 5..<10: 1
            case 10..<18: [2, 3, 4.5, 6, 7, 6.5, 5.5, 5][a - 10]
            case 18...25: 4.5
            default: 4 * exp(-Double(a - 25) / 15)
            }
        })

        towns = kentMedwayTowns
        townTable = arena.table(weights: kentMedwayTowns.map(\.weight))
        // Share of incidents in the tight town-centre cluster, by location type.
        coreShareByPlace = [0.3, 0.45, 0.5, 0.15, 0.9, 0.05, 0.1, 0.6, 0.2]
    }

    /// Relative frequency of an incident starting in `hour` of a day with this weekday (0 = Monday):
    /// after-school (15–16), evening (18–20) and late-night (23–00) peaks, heavier on Friday and Saturday nights.
    static func timeWeight(weekday: Int, hour: Int) -> Double {
        let profile: [Double] = [5.2, 3.6, 2.8, 2.0, 1.3, 1.0, 1.2, 1.8, 2.6, 2.8, 3.0, 3.3,
                                 3.7, 3.9, 4.2, 5.6, 5.4, 4.5, 5.4, 5.6, 5.3, 4.5, 4.6, 5.8]
        let dayWeight = [0.95, 0.92, 0.93, 0.97, 1.08, 1.2, 1.05][weekday]
        var w = profile[hour] * dayWeight
        let schoolDay = weekday < 5
        if !schoolDay && (hour == 15 || hour == 16) { w *= 0.85 }
        // Friday and Saturday nights: the evening itself and the small hours of the next day.
        if (weekday == 4 || weekday == 5) && hour >= 20 { w *= 1.4 }
        if (weekday == 5 || weekday == 6) && hour < 5 { w *= 1.75 }
        return w
    }

    /// Draws one incident. Rejection on (month, victim age) gives the youth trend without touching other shares.
    @inline(__always) func draw(_ rng: inout Xoshiro256, into x: inout SyntheticIncident) {
        let fromAandE = rng.chance(IncidentModel.aAndEShare)
        let offence = fromAandE ? Offence.assault.rawValue : offenceTable.draw(&rng)
        x.offence = offence
        x.fromAandE = fromAandE

        // Domestic flag: sometimes unrecorded (often so in A&E data).
        let isDomestic = rng.chance(domesticShare[offence])
        let domesticBlank = rng.chance(fromAandE ? 0.5 : 0.02)
        x.domestic = domesticBlank ? Tri.blank : isDomestic ? Tri.yes : Tri.no

        // Month and victim age together, thinning young victims in later months.
        let ageTable = isDomestic ? domesticVictimAge : Offence(rawValue: offence)!.isSexual ? sexualVictimAge : victimAge
        var month: Int, age: Int
        repeat {
            month = monthTable.draw(&rng)
            age = ageTable.draw(&rng)
            let keep = age < 18 ? keepUnder18[month] : age < 25 ? keep18to24[month] : 1
            if keep >= 1 || rng.unit() < keep { break }
        } while true
        x.month = month
        x.victimAge = rng.chance(fromAandE ? 0.08 : 0.04) ? -1 : age

        let slot = dayHourTables[month].draw(&rng)
        x.day = slot / 24 + 1
        if rng.chance(0.015) {
            x.hour = -1
            x.minute = 0
        } else {
            x.hour = slot % 24
            x.minute = minuteTable.draw(&rng)
        }

        // Sex: women are most victims of domestic abuse and sexual offences, men most suspects.
        let sexual = Offence(rawValue: offence)!.isSexual
        let pFemaleVictim = sexual ? 0.88 : isDomestic ? 0.76 : offence == Offence.stalkingAndHarassment.rawValue ? 0.75 : 0.32
        x.victimSex = rng.chance(0.03) ? 0 : rng.chance(pFemaleVictim) ? 1 : 2
        if fromAandE {
            x.suspectAge = -1
            x.suspectSex = 0
        } else {
            x.suspectAge = rng.chance(0.15) ? -1 : (isDomestic ? domesticSuspectAge : suspectAge).draw(&rng)
            let pMaleSuspect = sexual ? 0.97 : isDomestic ? 0.8 : 0.84
            x.suspectSex = rng.chance(0.12) ? 0 : rng.chance(pMaleSuspect) ? 2 : 1
        }

        let place = (isDomestic ? domesticPlace : placeByOffence[offence]).draw(&rng)
        x.place = place
        x.publicPlace = place == 0 || rng.chance(0.03) ? Tri.blank : place == Place.dwelling ? Tri.no : Tri.yes
        x.weapon = weaponByOffence[offence].draw(&rng)

        let night = x.hour >= 21 || (x.hour >= 0 && x.hour < 4)
        var pAlcohol = place == Place.licensed ? 0.55 : isDomestic ? 0.25 : 0.12
        if night { pAlcohol = min(0.8, pAlcohol * 1.8) }
        if fromAandE { pAlcohol = 0.35 }
        let alcoholKnown = rng.unit()
        x.alcohol = alcoholKnown < pAlcohol ? Tri.yes : alcoholKnown < 0.6 ? Tri.no : Tri.blank
        let pDrugs = offence == Offence.drugTrafficking.rawValue ? 0.9 : night ? 0.08 : 0.05
        let drugsKnown = rng.unit()
        x.drugs = drugsKnown < pDrugs ? Tri.yes : drugsKnown < 0.55 ? Tri.no : Tri.blank

        // Where: a town, then its centre cluster, its residential spread, or (5 %) the surrounding countryside.
        let town = towns[townTable.draw(&rng)]
        var coreShare = coreShareByPlace[place]
        if night && place != Place.dwelling { coreShare = min(0.95, coreShare + 0.2) }
        let u = rng.unit()
        let sd = u < 0.05 ? 6_000 : u < 0.05 + 0.95 * coreShare ? town.coreSD : town.spreadSD
        var e = town.easting, n = town.northing
        // A few points (0.2 %) skip the land check, as mis-geocoded records do; some land at sea or over the border.
        let checkLand = !rng.chance(0.002)
        for _ in 0..<8 {
            let (dx, dy) = rng.normalPair()
            let ce = town.easting + sd * dx, cn = town.northing + sd * dy
            if !checkLand || LandMask.isLand(easting: ce, northing: cn) { e = ce; n = cn; break }
        }
        x.easting = e
        x.northing = n
    }

    /// Draws until the incident is assault-like and has a time of day: what an A&E attendance or an ambulance
    /// call-out that the police never recorded looks like.
    func drawTimedAssault(_ rng: inout Xoshiro256, into x: inout SyntheticIncident) {
        repeat { draw(&rng, into: &x) } while x.hour < 0 || !Offence.assaultLike.contains(x.offence)
    }
}
