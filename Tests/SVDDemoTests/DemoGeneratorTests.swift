import Foundation
import SVDCore
@testable import SVDDemo
import XCTest

/// One parsed native row, read by a reader written here (not the ingest stage), strict about the schema.
private struct Row {
    var year = 0, month = 0, day = 0, hour = -1
    var offence = ""
    var easting = 0.0, northing = 0.0
    var victimAge = -1, suspectAge = -1
    var victimSex = "", suspectSex = ""
    var place = "", publicPlace = "", domestic = "", weapon = "", alcohol = "", drugs = "", source = ""
    var weekday: Int { CivilDate.weekday(daysSinceEpoch: CivilDate.daysSinceEpoch(year: year, month: month, day: day)) }
}

private enum Schema {
    static let offences: Set = ["homicide", "attempted murder", "violence with injury", "violence without injury", "robbery", "rape",
                                "other sexual offences", "possession of weapons", "drug trafficking", "public order",
                                "stalking and harassment", "assault"]
    static let places: Set = ["", "street", "transport hub", "park", "licensed premises", "dwelling", "school", "retail", "other"]
    static let flags: Set = ["", "yes", "no"]
    static let sexes: Set = ["", "F", "M"]
    static let weapons: Set = ["", "knife", "firearm", "other", "none"]
    static let sources: Set = ["police", "A&E"]
}

private struct ParseFailure: Error, CustomStringConvertible { let description: String }

private func parseNative(_ bytes: [UInt8]) throws -> [Row] {
    let text = String(decoding: bytes, as: UTF8.self)
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    guard lines.last == "" else { throw ParseFailure(description: "file does not end with a newline") }
    lines.removeLast()
    guard lines.first.map(String.init) == DemoGenerator.nativeHeader else { throw ParseFailure(description: "bad header \(lines.first ?? "")") }
    var rows: [Row] = []
    rows.reserveCapacity(lines.count)
    func fail(_ n: Int, _ why: String) -> ParseFailure { ParseFailure(description: "line \(n + 1): \(why): \(lines[n])") }
    func int(_ s: Substring) -> Int? { s.allSatisfy(\.isASCII) ? Int(s) : nil }
    for n in 1..<lines.count {
        let f = lines[n].split(separator: ",", omittingEmptySubsequences: false)
        guard f.count == 16 else { throw fail(n, "expected 16 fields") }
        guard f[0] == "SYN" + String(repeating: "0", count: max(0, 9 - String(n).count)) + String(n) else { throw fail(n, "id") }
        var r = Row()
        let dt = f[1]
        guard dt.count == 10 || dt.count == 16 else { throw fail(n, "datetime length") }
        let d = dt.prefix(10).split(separator: "-")
        guard d.count == 3, d[0].count == 4, d[1].count == 2, d[2].count == 2,
              let y = int(d[0]), let m = int(d[1]), let day = int(d[2]), (1...12).contains(m),
              (1...CivilDate.daysInMonth(year: y, month: m)).contains(day) else { throw fail(n, "date") }
        (r.year, r.month, r.day) = (y, m, day)
        if dt.count == 16 {
            let t = dt.dropFirst(10)
            guard t.first == "T", t.dropFirst(3).first == ":", let h = int(t.dropFirst().prefix(2)), let mi = int(t.suffix(2)),
                  (0...23).contains(h), (0...59).contains(mi) else { throw fail(n, "time") }
            r.hour = h
        }
        guard Schema.offences.contains(String(f[2])) else { throw fail(n, "offence") }
        r.offence = String(f[2])
        for (i, keyPath) in [(3, \Row.easting), (4, \Row.northing)] {
            let s = f[i]
            guard let dot = s.firstIndex(of: "."), s[s.index(after: dot)...].count == 1, let v = Double(s) else { throw fail(n, "coordinate") }
            r[keyPath: keyPath] = v
        }
        for (i, keyPath) in [(5, \Row.victimAge), (7, \Row.suspectAge)] where !f[i].isEmpty {
            guard let a = int(f[i]), (0...120).contains(a) else { throw fail(n, "age") }
            r[keyPath: keyPath] = a
        }
        r.victimSex = String(f[6]); r.suspectSex = String(f[8])
        r.place = String(f[9]); r.publicPlace = String(f[10]); r.domestic = String(f[11])
        r.weapon = String(f[12]); r.alcohol = String(f[13]); r.drugs = String(f[14]); r.source = String(f[15])
        guard Schema.sexes.contains(r.victimSex), Schema.sexes.contains(r.suspectSex) else { throw fail(n, "sex") }
        guard Schema.places.contains(r.place) else { throw fail(n, "location type") }
        guard [r.publicPlace, r.domestic, r.alcohol, r.drugs].allSatisfy(Schema.flags.contains) else { throw fail(n, "flag") }
        guard Schema.weapons.contains(r.weapon) else { throw fail(n, "weapon") }
        guard Schema.sources.contains(r.source) else { throw fail(n, "source") }
        rows.append(r)
    }
    return rows
}

private func generate(seed: UInt64, rows: Int, format: DemoFormat = .native, end: MonthKey = DemoGenerator.defaultEndMonth) throws -> [UInt8] {
    var out: [UInt8] = []
    try DemoGenerator(seed: seed, rows: rows, endMonth: end).write(format: format) { out.append(contentsOf: $0) }
    return out
}

/// FNV-1a, enough to compare outputs by a short fingerprint.
private func fingerprint(_ b: [UInt8]) -> UInt64 {
    b.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
}

final class DemoGeneratorTests: XCTestCase {
    /// 60,000 rows shared by the distribution tests (generated and parsed once).
    private static let sample: Result<[Row], Error> = Result { try parseNative(generate(seed: 7, rows: 60_000)) }
    private func rows() throws -> [Row] { try Self.sample.get() }

    func testSameSeedGivesIdenticalBytesAndOtherSeedsDiffer() throws {
        let a = try generate(seed: 42, rows: 20_000), b = try generate(seed: 42, rows: 20_000)
        XCTAssertEqual(fingerprint(a), fingerprint(b))
        XCTAssertEqual(a, b)
        let c = try generate(seed: 43, rows: 20_000)
        XCTAssertNotEqual(fingerprint(a), fingerprint(c))
        // A longer file starts with the shorter one: blocks do not depend on the row count.
        let longer = try generate(seed: 42, rows: 21_000)
        XCTAssertEqual(Array(longer.prefix(a.count)), a)
    }

    func testFileOutputMatchesStreamAndIsReplaced() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("svd-demo-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data(repeating: 65, count: 5_000_000).write(to: url)
        var seen: [Int] = []
        try DemoGenerator(seed: 5, rows: 20_000).write(to: url, format: .native) { seen.append($0) }
        XCTAssertEqual(try Data(contentsOf: url), Data(try generate(seed: 5, rows: 20_000)))
        XCTAssertEqual(seen.last, 20_000)
        XCTAssertEqual(seen, seen.sorted())
    }

    func testBadParametersAreErrorsNotCrashes() {
        XCTAssertThrowsError(try generate(seed: 1, rows: -1)) { XCTAssertTrue("\($0)".contains("rows")) }
        XCTAssertThrowsError(try DemoGenerator(seed: 1, rows: 10, months: 0).write(format: .native) { _ in }) {
            XCTAssertTrue("\($0)".contains("months"))
        }
        let url = URL(fileURLWithPath: "/nonexistent-dir/x.csv")
        XCTAssertThrowsError(try DemoGenerator(seed: 1, rows: 10).write(to: url, format: .native)) {
            XCTAssertTrue("\($0)".contains("/nonexistent-dir/x.csv"))
        }
        XCTAssertEqual(try generate(seed: 1, rows: 0), Array((DemoGenerator.nativeHeader + "\n").utf8))
    }

    func testEveryRowParsesAndCoversThirtySixMonths() throws {
        let rows = try rows()
        XCTAssertEqual(rows.count, 60_000)
        let months = Set(rows.map { $0.year * 12 + $0.month - 1 })
        XCTAssertEqual(months.count, 36)
        XCTAssertEqual(months.min(), 2023 * 12 + 10)  // November 2023
        XCTAssertEqual(months.max(), 2026 * 12 + 9)   // October 2026
        let custom = try parseNative(generate(seed: 7, rows: 5_000, end: MonthKey(year: 2025, month: 3)))
        XCTAssertEqual(Set(custom.map { $0.year * 12 + $0.month - 1 }).max(), 2025 * 12 + 2)
        XCTAssertEqual(Set(custom.map { $0.year * 12 + $0.month - 1 }).min(), 2022 * 12 + 3)
    }

    func testHourOfDayPeaksAfterSchoolInTheEveningAndAroundMidnight() throws {
        var hist = [Int](repeating: 0, count: 24)
        var unknown = 0
        for r in try rows() { if r.hour >= 0 { hist[r.hour] += 1 } else { unknown += 1 } }
        let windows = [[15, 16], [18, 19, 20], [23, 0]]
        for w in windows {
            let peak = w.map { hist[$0] }.max()!
            let before = hist[(w.first! + 23) % 24], after = hist[(w.last! + 1) % 24]
            XCTAssertGreaterThan(peak, before, "window \(w): \(hist)")
            XCTAssertGreaterThan(peak, after, "window \(w): \(hist)")
        }
        // The three busiest hours each fall in a window, and the small hours are quiet.
        let top3 = hist.indices.sorted { hist[$0] > hist[$1] }.prefix(3)
        XCTAssertTrue(top3.allSatisfy { h in windows.contains { $0.contains(h) } }, "top hours \(Array(top3)): \(hist)")
        XCTAssertLessThan(hist[5] * 3, hist[19])
        XCTAssertGreaterThan(unknown, 0)
        XCTAssertLessThan(Double(unknown) / 60_000, 0.03)
    }

    func testFridayAndSaturdayNightsAreBusierThanWeekdayNights() throws {
        // A night runs 21:00–03:59; the small hours belong to the night before.
        var perNight = [Int](repeating: 0, count: 7)
        for r in try rows() where r.hour >= 21 || (r.hour >= 0 && r.hour < 4) {
            let night = r.hour >= 21 ? r.weekday : (r.weekday + 6) % 7
            perNight[night] += 1
        }
        let friSat = Double(perNight[4] + perNight[5]) / 2
        let sunThu = Double(perNight[6] + perNight[0] + perNight[1] + perNight[2] + perNight[3]) / 5
        XCTAssertGreaterThan(friSat, 1.3 * sunThu, "\(perNight)")
    }

    func testSuspectAgesPeakAtSeventeenAndSkewYoung() throws {
        var hist = [Int](repeating: 0, count: 121)
        var known = 0
        for r in try rows() where r.suspectAge >= 0 { hist[r.suspectAge] += 1; known += 1 }
        XCTAssertEqual(hist.indices.max { hist[$0] < hist[$1] }, 17)
        let tenTo25 = hist[10...25].reduce(0, +)
        XCTAssertGreaterThan(Double(tenTo25) / Double(known), 0.45)  // 16 of 110 possible years hold nearly half
        let unknown = try rows().filter { $0.suspectAge < 0 }.count
        XCTAssertGreaterThan(unknown, 0)
        var victims = [Int](repeating: 0, count: 121)
        for r in try rows() where r.victimAge >= 0 { victims[r.victimAge] += 1 }
        // Victims are broader: a larger share aged 35 and over than suspects.
        let old = { (h: [Int]) in Double(h[35...].reduce(0, +)) / Double(h.reduce(0, +)) }
        XCTAssertGreaterThan(old(victims), old(hist))
    }

    func testSharesOfDomesticKnifeAlcoholAndOutOfScopeAreRealistic() throws {
        let rows = try rows()
        let n = Double(rows.count)
        let share = { (p: (Row) -> Bool) in Double(rows.filter(p).count) / n }
        let domestic = share { $0.domestic == "yes" }
        XCTAssertTrue((0.18...0.27).contains(domestic), "domestic \(domestic)")
        let domesticAtHome = Double(rows.filter { $0.domestic == "yes" && $0.place == "dwelling" }.count) / (domestic * n)
        XCTAssertGreaterThan(domesticAtHome, 0.75)
        let knife = share { $0.weapon == "knife" }
        XCTAssertTrue((0.02...0.08).contains(knife), "knife \(knife)")
        let alcohol = share { $0.alcohol == "yes" }
        XCTAssertTrue((0.1...0.35).contains(alcohol), "alcohol \(alcohol)")
        let drugs = share { $0.drugs == "yes" }
        XCTAssertTrue((0.03...0.15).contains(drugs), "drugs \(drugs)")
        let outOfScope = share { $0.offence == "public order" || $0.offence == "stalking and harassment" }
        XCTAssertTrue((0.05...0.2).contains(outOfScope), "out of scope \(outOfScope)")
        XCTAssertGreaterThan(share { $0.source == "A&E" }, 0.01)
        XCTAssertGreaterThan(share { $0.weapon.isEmpty }, 0.05)
        XCTAssertGreaterThan(share { $0.place.isEmpty }, 0.005)
        // Public place agrees with the location type whenever both are given.
        XCTAssertFalse(rows.contains { $0.place == "dwelling" && $0.publicPlace == "yes" })
        XCTAssertFalse(rows.contains { $0.place == "street" && $0.publicPlace == "no" })
    }

    func testYoungVictimsFallYearOnYear() throws {
        let rows = try rows()
        let last = 2026 * 12 + 9
        func count(_ from: Int, _ to: Int, under age: Int) -> Double {
            Double(rows.filter { r in
                let m = r.year * 12 + r.month - 1
                return m >= from && m <= to && r.victimAge >= 0 && r.victimAge < age
            }.count)
        }
        let u25 = count(last - 11, last, under: 25) / count(last - 23, last - 12, under: 25) - 1
        let u18 = count(last - 11, last, under: 18) / count(last - 23, last - 12, under: 18) - 1
        XCTAssertTrue((-0.15 ... -0.04).contains(u25), "under-25 change \(u25)")
        XCTAssertTrue((-0.19 ... -0.06).contains(u18), "under-18 change \(u18)")
        XCTAssertLessThan(u18, u25 + 0.01)
    }

    func testPointsConcentrateInTownCentresOnKentLand() throws {
        let rows = try rows()
        let onLand = rows.filter { LandMask.isLand(easting: $0.easting, northing: $0.northing) }.count
        XCTAssertGreaterThan(Double(onLand) / Double(rows.count), 0.995)
        // Within 500 m of a town centre: a small fraction of the county's area, a large share of incidents.
        let near = rows.filter { r in
            kentMedwayTowns.contains { t in
                let de = r.easting - t.easting, dn = r.northing - t.northing
                return de * de + dn * dn < 500 * 500
            }
        }.count
        XCTAssertGreaterThan(Double(near) / Double(rows.count), 0.3)
        // North and East Kent coast towns outweigh the West Kent towns.
        func around(_ names: [String]) -> Int {
            let towns = kentMedwayTowns.filter { names.contains($0.name) }
            return rows.filter { r in towns.contains { t in hypot(r.easting - t.easting, r.northing - t.northing) < 3_000 } }.count
        }
        XCTAssertGreaterThan(around(["Margate", "Ramsgate"]), 2 * around(["Sevenoaks", "Tonbridge"]))
    }

    func testPoliceUKFormat() throws {
        let text = String(decoding: try generate(seed: 9, rows: 5_000, format: .policeUK), as: UTF8.self)
        let lines = text.split(separator: "\n")
        XCTAssertEqual(String(lines[0]), DemoGenerator.policeUKHeader)
        XCTAssertEqual(lines.count, 5_001)
        let types: Set = ["Violence and sexual offences", "Robbery", "Possession of weapons", "Drugs", "Public order",
                          "Anti-social behaviour", "Criminal damage and arson", "Shoplifting", "Other theft", "Burglary", "Vehicle crime"]
        var seen = Set<String>()
        for line in lines.dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            XCTAssertEqual(f.count, 12, String(line))
            guard f.count == 12 else { continue }
            XCTAssertTrue(f[0].isEmpty ? f[9] == "Anti-social behaviour" : f[0].count == 64, String(line))
            XCTAssertNotNil(MonthKey(parsing: f[1]), String(line))
            XCTAssertEqual(f[2], "Kent Police")
            let lon = Double(f[4]) ?? .nan, lat = Double(f[5]) ?? .nan
            XCTAssertTrue((-0.1...1.6).contains(lon) && (50.8...51.6).contains(lat), String(line))
            XCTAssertTrue(types.contains(String(f[9])), String(line))
            seen.insert(String(f[9]))
        }
        XCTAssertTrue(seen.isSuperset(of: ["Violence and sexual offences", "Robbery", "Anti-social behaviour", "Public order"]))
    }
}
