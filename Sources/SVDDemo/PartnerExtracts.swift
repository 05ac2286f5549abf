import Foundation
import SVDCore

/// How many records the synthetic partner extracts hold and how many of them the police file also holds.
///
/// The defaults are round figures from published work on data sharing between emergency departments, ambulance
/// services and the police, chosen to be plausible, not measured for Kent: ED assault attendances number about an
/// eighth of police-recorded violence and ambulance assault call-outs about half that; Cardiff Model research finds
/// most ED assault attendances are not known to the police (a third or so are), and about half of ambulance
/// assault call-outs are.
public struct PartnerMix: Sendable, Equatable {
    /// A&E ISTV attendances per police-recorded incident (`--ae-rows` default).
    public static let defaultAEShare = 0.12
    /// Ambulance call-outs per police-recorded incident (`--ambulance-rows` default).
    public static let defaultAmbulanceShare = 0.06
    /// Share of A&E assault attendances the police also recorded (`--ae-police-overlap` default).
    public static let defaultAEPoliceOverlap = 0.35
    /// Share of ambulance assault call-outs the police also recorded (`--ambulance-police-overlap` default).
    public static let defaultAmbulancePoliceOverlap = 0.5
    /// Share of the ambulance extract that is not violence (falls, sick person…): an extract filtered on dispatch
    /// codes catches some. These are never police records and are not counted in the ambulance overlap.
    public static let ambulanceNonViolenceShare = 0.05

    public var aeRows: Int
    public var ambulanceRows: Int
    public var aePoliceOverlap: Double
    public var ambulancePoliceOverlap: Double

    /// Missing counts default to their share of `policeRows`, rounded.
    public init(policeRows: Int, aeRows: Int? = nil, ambulanceRows: Int? = nil,
                aePoliceOverlap: Double = PartnerMix.defaultAEPoliceOverlap,
                ambulancePoliceOverlap: Double = PartnerMix.defaultAmbulancePoliceOverlap) {
        self.aeRows = aeRows ?? PartnerMix.share(PartnerMix.defaultAEShare, of: policeRows)
        self.ambulanceRows = ambulanceRows ?? PartnerMix.share(PartnerMix.defaultAmbulanceShare, of: policeRows)
        self.aePoliceOverlap = aePoliceOverlap
        self.ambulancePoliceOverlap = ambulancePoliceOverlap
    }

    static func share(_ p: Double, of n: Int) -> Int { Int((p * Double(n)).rounded()) }

    /// A&E records copied from a police record.
    public var aeMatched: Int { PartnerMix.share(aePoliceOverlap, of: aeRows) }
    /// Ambulance records whose chief complaint is not violence.
    public var ambulanceNonViolence: Int { PartnerMix.share(PartnerMix.ambulanceNonViolenceShare, of: ambulanceRows) }
    /// Ambulance call-outs to assaults: the base of the ambulance overlap.
    public var ambulanceAssaults: Int { ambulanceRows - ambulanceNonViolence }
    /// Ambulance records copied from a police record.
    public var ambulanceMatched: Int { PartnerMix.share(ambulancePoliceOverlap, of: ambulanceAssaults) }

    func validate() throws {
        for (name, n) in [("ae-rows", aeRows), ("ambulance-rows", ambulanceRows)] where !(0...10_000_000).contains(n) {
            throw ParameterError(name, "must be between 0 and 10,000,000 (got \(n))")
        }
        for (name, p) in [("ae-police-overlap", aePoliceOverlap), ("ambulance-police-overlap", ambulancePoliceOverlap)]
        where !(p >= 0 && p <= 1) {
            throw ParameterError(name, "must be a share between 0 and 1 (got \(p))")
        }
    }
}

/// The files `svd demo --partners` writes: for a police file X.csv, X-ae-istv.csv, X-ambulance.csv,
/// X-overlap-truth.csv and X-sources.yaml beside it.
public struct PartnerFiles: Sendable, Equatable {
    public let police, ae, ambulance, truth, sources: URL

    public init(police: URL) {
        self.police = police
        let name = police.lastPathComponent
        let base = name.lowercased().hasSuffix(".csv") && name.count > 4 ? String(name.dropLast(4)) : name
        let folder = police.deletingLastPathComponent()
        ae = folder.appendingPathComponent(base + "-ae-istv.csv")
        ambulance = folder.appendingPathComponent(base + "-ambulance.csv")
        truth = folder.appendingPathComponent(base + "-overlap-truth.csv")
        sources = folder.appendingPathComponent(base + "-sources.yaml")
    }

    /// Police, A&E, ambulance, truth, sources.
    public var all: [URL] { [police, ae, ambulance, truth, sources] }
}

/// What one `DemoGenerator.write(to:partners:)` wrote.
public struct PartnerSummary: Sendable, Equatable {
    public let files: PartnerFiles
    public let mix: PartnerMix
    /// Police rows a partner record may copy (see `DemoGenerator.write(to:partners:progress:)`).
    public let matchablePoliceRows: Int
    /// "2023-11 to 2026-10": the months every file covers.
    public let period: String
}

extension DemoGenerator {
    public static let aeHeader = "AttendanceRef,Attendance Date,Arrival Time,Patient Age,Patient Sex,Assault Location Code,Weapon Code,Alcohol Consumed,Incident Easting,Incident Northing,Assailant Relationship"
    public static let ambulanceHeader = "Incident Number,Call Date Time,Chief Complaint,Mechanism,Patient Age,Patient Gender,Incident Longitude,Incident Latitude,Location Category"
    public static let truthHeader = "source,record_id,police_id"

    /// Writes the native police file at `url` (the same bytes as `write(to:format: .native)`) and, beside it, an A&E
    /// ISTV extract, an ambulance call-out extract, the true overlap and a sources file (`PartnerFiles`).
    ///
    /// A partner record the police also hold copies a police row of violence with injury or attempted murder, with a
    /// time of day, in a public place or a dwelling (and at least 3 hours before the period ends): the place moved
    /// by a geocoding error (normal, sd 60 m per axis, at most 200 m), the time later (A&E arrival 20 minutes to
    /// 3 hours, the ambulance call 0–30 minutes), the victim's age and sex kept (A&E records the age one year out
    /// one time in ten). Each extract copies distinct police rows, drawn uniformly; the two extracts draw
    /// independently, so a few police rows have both. The other records are new assault-like incidents from the
    /// same model. Each extract is sorted by time and numbered in that order.
    ///
    /// The files are written under hidden names beside them (`.NAME.partial-PID`) and renamed into place once all
    /// are complete: a failure leaves the folder as it was. Throws `ParameterError` when an overlap asks for more
    /// matched records than the police file has matchable rows.
    @discardableResult
    public func write(to url: URL, partners mix: PartnerMix, progress: ((Int) -> Void)? = nil) throws -> PartnerSummary {
        try mix.validate()
        guard rows <= 999_999_999 else { throw DemoError(description: "demo: partner extracts need at most 999,999,999 police rows") }
        let files = PartnerFiles(police: url)
        let staged = files.all.map { $0.deletingLastPathComponent().appendingPathComponent(".\($0.lastPathComponent).partial-\(getpid())") }
        do {
            let summary = try write(files, staged: staged, mix: mix, progress: progress)
            for (from, to) in zip(staged, files.all) where rename(from.path, to.path) != 0 {
                throw DemoError(description: "\(to.path): cannot replace (\(String(cString: strerror(errno))))")
            }
            return summary
        } catch {
            for u in staged { try? FileManager.default.removeItem(at: u) }
            throw error
        }
    }

    /// Writes `files` under the names `staged` (in the same order as `files.all`).
    private func write(_ files: PartnerFiles, staged: [URL], mix: PartnerMix, progress: ((Int) -> Void)?) throws -> PartnerSummary {
        var matchable: [PoliceRecord] = []
        try DemoGenerator.writeFile(staged[0]) { sink in
            try write(format: .native, progress: progress, collecting: { matchable.append(contentsOf: $0) }, to: sink)
        }
        let model = IncidentModel(endMonth: endMonth, months: months)
        let after = endMonth.adding(months: 1)
        let periodEnd = Int64(CivilDate.daysSinceEpoch(year: after.year, month: after.month, day: 1)) * 86_400
        // A copy lands up to 3 hours later: keep it inside the period.
        matchable.removeAll { $0.second + PartnerDelay.aeMaxSeconds >= periodEnd }
        for (option, want, name) in [("ae-police-overlap", mix.aeMatched, "A&E"), ("ambulance-police-overlap", mix.ambulanceMatched, "ambulance")]
        where want > matchable.count {
            throw ParameterError(option, "asks for \(want) \(name) records also in the police file, but only \(matchable.count) police rows "
                                 + "can be matched (violence with injury or attempted murder, with a time, in a public place or dwelling); "
                                 + "lower it, or raise --rows")
        }
        let partners = PartnerWriter(model: model, periodEnd: periodEnd, seed: seed)
        let ae = partners.aeRecords(mix: mix, police: matchable)
        let ambulance = partners.ambulanceRecords(mix: mix, police: matchable)
        try DemoGenerator.writeFile(staged[1]) { sink in try PartnerWriter.writeAE(ae, to: sink) }
        try DemoGenerator.writeFile(staged[2]) { sink in try PartnerWriter.writeAmbulance(ambulance, to: sink) }
        try DemoGenerator.writeFile(staged[3]) { sink in try PartnerWriter.writeTruth(ae: ae, ambulance: ambulance, to: sink) }
        let first = endMonth.adding(months: -(months - 1))
        let period = "\(first) to \(endMonth)"
        try DemoGenerator.writeFile(staged[4]) { sink in
            try Array(PartnerWriter.sourcesYAML(files, period: period).utf8).withUnsafeBytes(sink)
        }
        return PartnerSummary(files: files, mix: mix, matchablePoliceRows: matchable.count, period: period)
    }
}

/// A police row a partner record may copy, as written in the police file.
struct PoliceRecord {
    var id: Int32
    var easting10: Int32      // decimetres, as written
    var northing10: Int32
    var second: Int64         // seconds since 1970-01-01 on the local clock
    var victimAge: Int8       // -1 unknown
    var victimSex: UInt8      // 0 blank, 1 F, 2 M
    var place: UInt8
    var weapon: UInt8
    var alcohol: UInt8
    var domestic: UInt8

    init(_ x: SyntheticIncident, id: Int, model: IncidentModel) {
        self.id = Int32(truncatingIfNeeded: id)
        easting10 = Int32(clamping: Int((x.easting * 10).rounded()))
        northing10 = Int32(clamping: Int((x.northing * 10).rounded()))
        second = (Int64(model.monthStartDay[x.month] + x.day - 1) * 1440 + Int64(x.hour * 60 + x.minute)) * 60
        victimAge = Int8(clamping: x.victimAge)
        victimSex = x.victimSex
        place = UInt8(x.place)
        weapon = UInt8(x.weapon)
        alcohol = x.alcohol
        domestic = x.domestic
    }

    /// Violence with injury or attempted murder recorded by the police, with a time of day, in a public place or a
    /// dwelling: the incidents an emergency department or ambulance also sees.
    @inline(__always) static func isMatchable(_ x: SyntheticIncident) -> Bool {
        x.hour >= 0 && !x.fromAandE
            && (x.offence == Offence.violenceWithInjury.rawValue || x.offence == Offence.attemptedMurder.rawValue)
            && (x.publicPlace == Tri.yes || x.place == Place.dwelling)
    }
}

enum PartnerDelay {
    /// A&E arrival after the incident: 20 minutes to 3 hours, most within the first hour.
    static let aeMinMinutes = 20, aeMaxMinutes = 180
    static let aeMaxSeconds = Int64(aeMaxMinutes * 60)
    /// Ambulance call after the incident: 0 to 30 minutes.
    static let ambulanceMaxSeconds = 1_800
}

/// One A&E attendance or ambulance call-out before it is written.
struct PartnerRecord {
    var second: Int64         // arrival or call, seconds since 1970-01-01 on the local clock
    var x = 0.0, y = 0.0      // A&E: whole BNG metres; ambulance: longitude and latitude, 6 places
    var victimAge = -1
    var victimSex: UInt8 = 0
    var place = 0
    var weapon = 0
    var alcohol: UInt8 = 0
    var domestic: UInt8 = 0
    var policeID: Int32 = 0   // 0: no police record
    /// A&E: arrival time left blank. Ambulance: ISO date-time.
    var flag = false
    /// A&E: index into `relationships`. Ambulance: index into `complaints`.
    var text: UInt8 = 0
    /// Order of creation: breaks ties in time.
    var order: Int32 = 0
}

/// Makes and writes the partner extracts. Each extract draws from its own generator, seeded from the demo's seed,
/// so the police file's bytes never depend on them.
struct PartnerWriter {
    let model: IncidentModel
    let periodEnd: Int64
    let seed: UInt64

    private func rng(_ stream: UInt64) -> Xoshiro256 {
        var mixer = SplitMix64(seed: seed ^ stream)
        return Xoshiro256(seed: mixer.next())
    }

    /// `count` distinct indices of `0..<n`, uniformly (partial Fisher–Yates).
    private static func choose(_ count: Int, of n: Int, _ rng: inout Xoshiro256) -> [Int] {
        var pool = Array(0..<Int32(n))
        for i in 0..<count {
            let j = i + Int(rng.next() % UInt64(n - i))
            pool.swapAt(i, j)
        }
        return pool.prefix(count).map(Int.init)
    }

    /// A point within 200 m of `(e, n)` (normal, sd 60 m per axis, truncated), accepted by `written`, which gets the
    /// candidate and returns what the file will say or nil when that falls more than 200 m away.
    private static func jitter(_ e: Double, _ n: Double, _ rng: inout Xoshiro256, _ written: (Double, Double) -> (Double, Double)?) -> (Double, Double) {
        while true {
            let (dx, dy) = rng.normalPair()
            let ox = 60 * dx, oy = 60 * dy
            guard ox * ox + oy * oy <= 200 * 200 else { continue }
            if let w = written(e + ox, n + oy) { return w }
        }
    }

    private static func within200(_ a: (Double, Double), _ e: Double, _ n: Double) -> Bool {
        let dx = a.0 - e, dy = a.1 - n
        return dx * dx + dy * dy <= 200 * 200
    }

    /// The incident's own time as seconds since 1970 (it has a time of day).
    private func second(of x: SyntheticIncident) -> Int64 {
        (Int64(model.monthStartDay[x.month] + x.day - 1) * 1440 + Int64(x.hour * 60 + x.minute)) * 60
    }

    // MARK: A&E

    static let relationships = ["Stranger", "Acquaintance", "Partner", "Ex-partner", "Family member", "Not stated"]

    private static func relationship(domestic: UInt8, _ rng: inout Xoshiro256) -> UInt8 {
        switch domestic {
        case Tri.yes: let u = rng.unit(); return u < 0.5 ? 2 : u < 0.75 ? 3 : 4
        case Tri.no: return rng.chance(0.6) ? 0 : 1
        default: return 5
        }
    }

    /// The ED asks about alcohol: where the police left it blank, nine times in ten the ED records Y or N.
    private static func aeAlcohol(_ recorded: UInt8, _ rng: inout Xoshiro256) -> UInt8 {
        guard recorded == Tri.blank, rng.chance(0.9) else { return recorded }
        return rng.chance(0.45) ? Tri.yes : Tri.no
    }

    private static func aeDelayMinutes(_ rng: inout Xoshiro256) -> Int64 {
        let u = rng.unit()
        return Int64(PartnerDelay.aeMinMinutes + min(PartnerDelay.aeMaxMinutes - PartnerDelay.aeMinMinutes, Int(u * u * 161)))
    }

    func aeRecords(mix: PartnerMix, police: [PoliceRecord]) -> [PartnerRecord] {
        var rng = rng(0xAE15_7A11_C4D1_FF00)
        var out: [PartnerRecord] = []
        out.reserveCapacity(mix.aeRows)
        for i in Self.choose(mix.aeMatched, of: police.count, &rng) {
            let p = police[i]
            let pe = Double(p.easting10) / 10, pn = Double(p.northing10) / 10
            let (e, n) = Self.jitter(pe, pn, &rng) { ce, cn in
                let w = (ce.rounded(), cn.rounded())
                return Self.within200(w, pe, pn) ? w : nil
            }
            var age = Int(p.victimAge)
            if age >= 0 && rng.chance(0.1) { age = age == 0 ? 1 : age + (rng.chance(0.5) ? 1 : -1) }
            var r = PartnerRecord(second: p.second + 60 * Self.aeDelayMinutes(&rng), x: e, y: n)
            (r.victimAge, r.victimSex, r.place, r.weapon) = (age, p.victimSex, Int(p.place), Int(p.weapon))
            (r.alcohol, r.domestic, r.policeID) = (Self.aeAlcohol(p.alcohol, &rng), p.domestic, p.id)
            r.flag = rng.chance(0.03)
            r.text = Self.relationship(domestic: p.domestic, &rng)
            r.order = Int32(out.count)
            out.append(r)
        }
        var x = SyntheticIncident()
        while out.count < mix.aeRows {
            model.drawTimedAssault(&rng, into: &x)
            let arrival = second(of: x) + 60 * Self.aeDelayMinutes(&rng)
            guard arrival < periodEnd else { continue }
            var r = PartnerRecord(second: arrival, x: x.easting.rounded(), y: x.northing.rounded())
            (r.victimAge, r.victimSex, r.place, r.weapon) = (x.victimAge, x.victimSex, x.place, x.weapon)
            (r.alcohol, r.domestic) = (Self.aeAlcohol(x.alcohol, &rng), x.domestic)
            r.flag = rng.chance(0.03)
            r.text = Self.relationship(domestic: x.domestic, &rng)
            r.order = Int32(out.count)
            out.append(r)
        }
        out.sort { ($0.second, $0.order) < ($1.second, $1.order) }
        return out
    }

    // MARK: Ambulance

    /// Chief complaints: the two the mapping reads as violence, then what a dispatch-code filter also lets through.
    static let complaints = ["Assault / Sexual Assault", "Stab / Gunshot / Penetrating Trauma", "Falls", "Sick Person",
                             "Unconscious / Fainting"]
    static let violentComplaints: UInt8 = 2

    private static func complaint(weapon: Int) -> UInt8 { weapon == 2 || weapon == 3 ? 1 : 0 }

    /// BNG → WGS84 with the project's grid code, rounded to 6 places (about 0.1 m), as the file says it.
    private static func lonLat(_ e: Double, _ n: Double) -> (Double, Double) {
        let ll = BritishNationalGrid.toWGS84(BNGPoint(easting: e, northing: n))
        return ((ll.longitude * 1e6).rounded() / 1e6, (ll.latitude * 1e6).rounded() / 1e6)
    }

    func ambulanceRecords(mix: PartnerMix, police: [PoliceRecord]) -> [PartnerRecord] {
        var rng = rng(0xA3B0_1A4C_E5E1_7C00)
        var out: [PartnerRecord] = []
        out.reserveCapacity(mix.ambulanceRows)
        func add(_ r: inout PartnerRecord) {
            r.flag = rng.chance(0.25)
            r.order = Int32(out.count)
            out.append(r)
        }
        for i in Self.choose(mix.ambulanceMatched, of: police.count, &rng) {
            let p = police[i]
            let pe = Double(p.easting10) / 10, pn = Double(p.northing10) / 10
            // The distance that counts is the one a reader finds after converting the written longitude and latitude back.
            let (lon, lat) = Self.jitter(pe, pn, &rng) { ce, cn in
                let w = Self.lonLat(ce, cn)
                let back = BritishNationalGrid.fromWGS84(longitude: w.0, latitude: w.1)
                return Self.within200((back.easting, back.northing), pe, pn) ? w : nil
            }
            var r = PartnerRecord(second: p.second + Int64(rng.below(PartnerDelay.ambulanceMaxSeconds + 1)), x: lon, y: lat)
            (r.victimAge, r.victimSex, r.place, r.weapon, r.policeID) = (Int(p.victimAge), p.victimSex, Int(p.place), Int(p.weapon), p.id)
            r.text = Self.complaint(weapon: r.weapon)
            add(&r)
        }
        var x = SyntheticIncident()
        while out.count < mix.ambulanceAssaults {
            model.drawTimedAssault(&rng, into: &x)
            let call = second(of: x) + Int64(rng.below(PartnerDelay.ambulanceMaxSeconds + 1))
            guard call < periodEnd else { continue }
            let (lon, lat) = Self.lonLat(x.easting, x.northing)
            var r = PartnerRecord(second: call, x: lon, y: lat)
            (r.victimAge, r.victimSex, r.place, r.weapon) = (x.victimAge, x.victimSex, x.place, x.weapon)
            r.text = Self.complaint(weapon: r.weapon)
            add(&r)
        }
        // Not violence: the time and town from the model, the rest by complaint.
        while out.count < mix.ambulanceRows {
            model.drawTimedAssault(&rng, into: &x)
            let call = second(of: x) + Int64(rng.below(60))
            guard call < periodEnd else { continue }
            let (lon, lat) = Self.lonLat(x.easting, x.northing)
            var r = PartnerRecord(second: call, x: lon, y: lat)
            let u = rng.unit()
            r.text = u < 0.6 ? 2 : u < 0.85 ? 3 : 4
            r.victimAge = r.text == 2 ? 55 + rng.below(40) : 16 + rng.below(75)
            r.victimSex = rng.chance(0.03) ? 0 : rng.chance(r.text == 2 ? 0.62 : 0.5) ? 1 : 2
            let v = rng.unit()
            r.place = v < 0.7 ? Place.dwelling : v < 0.9 ? Place.street : Place.other
            add(&r)
        }
        out.sort { ($0.second, $0.order) < ($1.second, $1.order) }
        return out
    }

    // MARK: Writing

    /// A&E codes from ae-istv-cardiff-model.yaml, indexed by our codes (see `locationLabels`, `weaponLabels`).
    static let aeLocationCodes = ["99", "01", "05", "04", "02", "03", "06", "07", "08"]
    static let aeWeaponCodes = ["U", "N", "K", "G", "B"]
    static let aeSexCodes = ["9", "2", "1"]
    static let flagYN = ["", "N", "Y"]
    /// Ambulance texts from ambulance-callouts.yaml ("Park/Open Space", "Educational Establishment" and
    /// "Shop/Commercial" fall to its default, other).
    static let ambulanceLocations = ["", "Street/Road", "Railway Station", "Park/Open Space", "Licensed Premises", "Residential",
                                     "Educational Establishment", "Shop/Commercial", "Public Building"]
    static let mechanisms = ["N/K", "N/K", "Stab", "Gunshot", "Blunt"]
    static let genders = ["Unknown", "Female", "Male"]

    /// AttendanceRef: "ED", the year's last two digits, and the row's number in the file ("ED24-000101").
    private static func aeID(_ r: PartnerRecord, row k: Int, _ out: inout CSVBuffer) {
        out.text("ED"); out.digits(clock(r.second).0 % 100, width: 2); out.text("-"); out.digits(k + 1, width: 6)
    }

    /// Incident Number: "AMB-", the call's date as yyMMdd, and the row's number in the file ("AMB-240301-000001").
    private static func ambulanceID(_ r: PartnerRecord, row k: Int, _ out: inout CSVBuffer) {
        let (y, m, d, _, _, _) = clock(r.second)
        out.text("AMB-"); out.digits(y % 100, width: 2); out.digits(m, width: 2); out.digits(d, width: 2); out.text("-")
        out.digits(k + 1, width: 6)
    }

    private static func policeID(_ r: PartnerRecord, _ out: inout CSVBuffer) {
        if r.policeID > 0 { out.text("SYN"); out.digits(Int(r.policeID), width: 9) }
    }

    static func writeAE(_ records: [PartnerRecord], to sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        try CSVBuffer.writing(to: sink) { out in
            try out.line(DemoGenerator.aeHeader)
            for (k, r) in records.enumerated() {
                let (y, m, d, hh, mm, _) = clock(r.second)
                aeID(r, row: k, &out); out.comma()
                out.digits(d, width: 2); out.text("/"); out.digits(m, width: 2); out.text("/"); out.digits(y, width: 4); out.comma()
                if !r.flag { out.digits(hh, width: 2); out.text(":"); out.digits(mm, width: 2) }
                out.comma()
                if r.victimAge >= 0 { out.digits(r.victimAge) }
                out.comma()
                out.text(aeSexCodes[Int(r.victimSex)]); out.comma()
                out.text(aeLocationCodes[r.place]); out.comma()
                out.text(aeWeaponCodes[r.weapon]); out.comma()
                out.text(flagYN[Int(r.alcohol)]); out.comma()
                out.fixed(Int(r.x), places: 0); out.comma()
                out.fixed(Int(r.y), places: 0); out.comma()
                out.text(relationships[Int(r.text)])
                try out.endLine()
            }
        }
    }

    static func writeAmbulance(_ records: [PartnerRecord], to sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        try CSVBuffer.writing(to: sink) { out in
            try out.line(DemoGenerator.ambulanceHeader)
            for (k, r) in records.enumerated() {
                let (y, m, d, hh, mm, ss) = clock(r.second)
                ambulanceID(r, row: k, &out); out.comma()
                if r.flag {  // yyyy-MM-dd HH:mm:ss
                    out.digits(y, width: 4); out.text("-"); out.digits(m, width: 2); out.text("-"); out.digits(d, width: 2)
                } else {     // dd/MM/yyyy HH:mm:ss
                    out.digits(d, width: 2); out.text("/"); out.digits(m, width: 2); out.text("/"); out.digits(y, width: 4)
                }
                out.text(" "); out.digits(hh, width: 2); out.text(":"); out.digits(mm, width: 2); out.text(":"); out.digits(ss, width: 2)
                out.comma()
                out.text(complaints[Int(r.text)]); out.comma()
                out.text(r.text < violentComplaints ? mechanisms[r.weapon] : "N/K"); out.comma()
                if r.victimAge >= 0 { out.digits(r.victimAge) }
                out.comma()
                out.text(genders[Int(r.victimSex)]); out.comma()
                out.fixed(Int((r.x * 1e6).rounded()), places: 6); out.comma()
                out.fixed(Int((r.y * 1e6).rounded()), places: 6); out.comma()
                out.text(ambulanceLocations[r.place])
                try out.endLine()
            }
        }
    }

    static func writeTruth(ae: [PartnerRecord], ambulance: [PartnerRecord], to sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        try CSVBuffer.writing(to: sink) { out in
            try out.line(DemoGenerator.truthHeader)
            for (k, r) in ae.enumerated() {
                out.text("A&E,"); aeID(r, row: k, &out); out.comma(); policeID(r, &out)
                try out.endLine()
            }
            for (k, r) in ambulance.enumerated() {
                out.text("ambulance,"); ambulanceID(r, row: k, &out); out.comma(); policeID(r, &out)
                try out.endLine()
            }
        }
    }

    /// Year, month, day, hour, minute, second of a local-clock time.
    private static func clock(_ second: Int64) -> (Int, Int, Int, Int, Int, Int) {
        let day = Int(second / 86_400), s = Int(second % 86_400)
        let c = CivilDate.civil(daysSinceEpoch: day)
        return (c.year, c.month, c.day, s / 3600, s / 60 % 60, s % 60)
    }

    /// The sources file: paths relative to it, so the folder can move.
    static func sourcesYAML(_ files: PartnerFiles, period: String) -> String {
        func name(_ url: URL) -> String { yamlScalar(url.lastPathComponent) }
        return """
        # Sources for one assessment: each extract, how to read it, and who supplied it.
        sources:
          - file: \(name(files.police))
            source: police
            partner: Kent Police (synthetic)
            period: \(period)
          - file: \(name(files.ae))
            mapping: ae-istv          # a shipped mapping's name, or a path to a YAML file
            source: A&E
            partner: Emergency departments (synthetic ISTV)
            period: \(period)
          - file: \(name(files.ambulance))
            mapping: ambulance
            source: ambulance
            partner: Ambulance trust (synthetic)
            period: \(period)

        """
    }

    /// A file name as a YAML scalar: plain when that reads back as the same text, else double-quoted.
    /// (Plain needs a name with an extension, so "null", "true" or "1.5" are quoted.)
    static func yamlScalar(_ s: String) -> String {
        let plain = !s.isEmpty && s.unicodeScalars.allSatisfy { c in
            c.isASCII && (CharacterSet.alphanumerics.contains(c) || "._-+()".unicodeScalars.contains(c))
        } && !"-.".unicodeScalars.contains(s.unicodeScalars.first!)
            && s.contains(".") && s.split(separator: ".").last!.contains(where: \.isLetter)
        if plain { return s }
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where c.value < 0x20 || c.value == 0x7F: out += String(format: "\\x%02X", c.value)
            default: out.unicodeScalars.append(c)
            }
        }
        return out + "\""
    }
}

/// Builds CSV text in a buffer and hands it to the sink a megabyte at a time.
struct CSVBuffer {
    private var bytes: [UInt8] = []
    private let sink: (UnsafeRawBufferPointer) throws -> Void

    private init(_ sink: @escaping (UnsafeRawBufferPointer) throws -> Void) {
        self.sink = sink
        bytes.reserveCapacity(1 << 20 + 4096)
    }

    /// Runs `body` with a buffer over `sink`, then writes what is left.
    static func writing(to sink: (UnsafeRawBufferPointer) throws -> Void, _ body: (inout CSVBuffer) throws -> Void) throws {
        try withoutActuallyEscaping(sink) { sink in
            var out = CSVBuffer(sink)
            try body(&out)
            try out.flush()
        }
    }

    mutating func text(_ s: String) { bytes.append(contentsOf: s.utf8) }
    mutating func comma() { bytes.append(UInt8(ascii: ",")) }

    /// Non-negative integer, at least `width` digits.
    mutating func digits(_ v: Int, width: Int = 1) {
        var length = 1, t = v
        while t >= 10 { t /= 10; length += 1 }
        let n = Swift.max(length, width), start = bytes.count
        bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: n))
        var q = v, i = start + n - 1
        while q > 0 { bytes[i] = UInt8(truncatingIfNeeded: 48 + q % 10); q /= 10; i -= 1 }
    }

    /// `scaled` / 10^places with exactly `places` decimals (none when 0).
    mutating func fixed(_ scaled: Int, places: Int) {
        var v = scaled
        if v < 0 { bytes.append(UInt8(ascii: "-")); v = -v }
        var unit = 1
        for _ in 0..<places { unit *= 10 }
        digits(v / unit)
        if places > 0 { bytes.append(UInt8(ascii: ".")); digits(v % unit, width: places) }
    }

    mutating func line(_ s: String) throws { text(s); try endLine() }

    mutating func endLine() throws {
        bytes.append(UInt8(ascii: "\n"))
        if bytes.count >= 1 << 20 { try flush() }
    }

    mutating func flush() throws {
        try bytes.withUnsafeBytes(sink)
        bytes.removeAll(keepingCapacity: true)
    }
}
