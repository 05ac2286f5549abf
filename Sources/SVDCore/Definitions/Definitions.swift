import Yams

/// What counts as serious violence, and how it splits into strands and cohorts.
///
/// Read from a YAML file so another partnership can bring its own; the Kent & Medway board's
/// definitions ship with the embedded area.
public struct Definitions: Sendable {
    /// A named set of conditions on a serious-violence incident: a strand (it splits every table) or a measure.
    public struct Strand: Sendable {
        public let id: String
        public let label: String
        /// Every one of these must hold.
        public let all: [Condition]
        /// At least one of these must hold (ignored when empty).
        public let any: [Condition]
        /// None of these may hold (NOT: e.g. "exclude domestic abuse").
        public let none: [Condition]
        /// A measure the headline reports (the board's KPIs); strands ignore it.
        public let headline: Bool

        public init(id: String, label: String, all: [Condition], any: [Condition], none: [Condition] = [], headline: Bool = false) {
            self.id = id
            self.label = label
            self.all = all
            self.any = any
            self.none = none
            self.headline = headline
        }
    }

    /// A named group of districts reported beside them and the area (e.g. "Kent (excluding Medway)").
    public struct Grouping: Sendable {
        public let id: String
        public let label: String
        /// District codes of the area.
        public let districts: [String]

        public init(id: String, label: String, districts: [String]) {
            self.id = id
            self.label = label
            self.districts = districts
        }
    }

    public struct Cohort: Sendable {
        public let id: String
        public let label: String
        /// Ages strictly below this; must be an age-band boundary.
        public let under: Int
        public let role: Role

        public init(id: String, label: String, under: Int, role: Role) {
            self.id = id
            self.label = label
            self.under = under
            self.role = role
        }
    }

    public enum Role: String, Sendable { case victim, suspect, either }

    public enum Condition: Sendable {
        case offence(Set<String>)
        case domestic(Flag)
        case publicPlace(Flag)
        case alcohol(Flag)
        case drugs(Flag)
        case weapon(Set<Weapon>)
        case ageUnder(Int, Role)
        /// Age known and at least this (adults: 18).
        case ageAtLeast(Int, Role)
        /// Age known and from `from` to `to` inclusive, for one person (e.g. 10–25, victim or suspect).
        case ageBetween(Int, Int, Role)
        case sex(Sex, Role)
        case locationType(Set<LocationType>)
    }

    public let name: String
    public let ageBands: AgeBands
    /// Normalised offence categories that are serious violence.
    public let seriousViolence: Set<String>
    /// Normalised offence categories known and deliberately out of scope (e.g. burglary in data.police.uk files).
    public let outOfScope: Set<String>
    public let strands: [Strand]
    public let cohorts: [Cohort]
    /// Measures counted beside the strands (KPIs, knife-enabled crime by age…): any number up to 16, and unlike
    /// strands they do not split the other tables.
    public let measures: [Strand]
    public let groupings: [Grouping]

    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    public static let maxMeasures = 16
    public static let maxDistinctConditions = 64

    public init(name: String, ageBands: AgeBands, seriousViolence: Set<String>, outOfScope: Set<String>,
                strands: [Strand], cohorts: [Cohort], measures: [Strand] = [], groupings: [Grouping] = []) throws {
        guard strands.count <= 8 else { throw Invalid(description: "at most 8 strands (got \(strands.count))") }
        guard measures.count <= Self.maxMeasures else { throw Invalid(description: "at most \(Self.maxMeasures) measures (got \(measures.count))") }
        // Ids become column names and file keys: one meaning each, and none equal to a fixed column.
        var seen = Set(["all_serious_violence", "all_ages", "month", "district", "district_code", "quarter", "financial_year"])
        for id in strands.map(\.id) + measures.map(\.id) + cohorts.map(\.id) + groupings.map(\.id) {
            guard !id.isEmpty, id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                throw Invalid(description: "id '\(id)' must be letters, digits and underscores")
            }
            guard seen.insert(id).inserted else { throw Invalid(description: "id '\(id)' is used twice (or is a reserved column name)") }
        }
        for g in groupings where g.districts.isEmpty { throw Invalid(description: "grouping '\(g.id)' lists no districts") }
        // The classifier gives each distinct condition one bit of a 64-bit word.
        let conditionSets = strands + measures
        var distinct: [String] = []
        var lists: [Set<String>] = []
        for c in conditionSets.flatMap({ $0.all + $0.any + $0.none }) {
            let key = "\(c)"
            if !distinct.contains(key) { distinct.append(key) }
            if case .offence(let l) = c, !lists.contains(l) { lists.append(l) }
        }
        guard distinct.count <= Self.maxDistinctConditions, lists.count <= Self.maxDistinctConditions else {
            throw Invalid(description: "strands and measures use \(distinct.count) distinct conditions; at most \(Self.maxDistinctConditions)")
        }
        for c in cohorts where ageBands.bands(under: c.under) == nil {
            throw Invalid(description: "cohort '\(c.id)' (under \(c.under)) does not fall on an age band boundary \(ageBands.lowerBounds)")
        }
        self.name = name
        self.ageBands = ageBands
        self.seriousViolence = seriousViolence
        self.outOfScope = outOfScope
        self.strands = strands
        self.cohorts = cohorts
        self.measures = measures
        self.groupings = groupings
    }

    /// Parses the YAML form documented in the README. `source` names the file in error messages; an unknown key or
    /// an impossible condition is an error naming the file and the line.
    public init(yaml: String, source: String) throws {
        let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false)
        /// The first line holding `key:` (as a mapping key) at or after line `from` (1-based), for messages.
        func line(of key: String, from: Int = 1) -> Int? {
            for (i, l) in lines.enumerated() where i + 1 >= from {
                let t = l.drop { $0 == " " || $0 == "-" || $0 == "{" }
                if t.hasPrefix(key + ":") || l.contains("{\(key):") || l.contains(" \(key):") || l.contains(",\(key):") { return i + 1 }
            }
            return nil
        }
        func fail(_ why: String, key: String? = nil, near: Int = 1) -> Invalid {
            let at = key.flatMap { line(of: $0, from: near) ?? line(of: $0) }
            return Invalid(description: "\(source)\(at.map { ":\($0)" } ?? ""): \(why)")
        }
        let root: Any?
        do { root = try SafeYAML.load(yaml: yaml) } catch let e as SafeYAML.TooLarge {
            throw Invalid(description: "\(source): \(e)")
        } catch { throw Invalid(description: "\(source): not valid YAML: \(error)") }
        guard let doc = root as? [String: Any] else { throw fail("expected a mapping at the top level") }
        let known = ["name", "age_bands", "cohorts", "serious_violence", "out_of_scope", "strands", "measures", "groupings"]
        for key in doc.keys.sorted() where !known.contains(key) {
            throw fail("unknown key '\(key)' (known: \(known.joined(separator: ", ")))", key: key)
        }
        func checkKeys(_ m: [String: Any], _ allowed: [String], _ ctx: String, near: Int) throws {
            for key in m.keys.sorted() where !allowed.contains(key) {
                throw fail("\(ctx): unknown key '\(key)' (known: \(allowed.joined(separator: ", ")))", key: key, near: near)
            }
        }
        let name = doc["name"] as? String ?? source
        var bands = AgeBands.standard
        if let raw = doc["age_bands"] {
            guard let list = raw as? [Int] else { throw fail("age_bands must be a list of lower bounds, e.g. [0, 10, 18, 25]", key: "age_bands") }
            do { bands = try AgeBands(lowerBounds: list) } catch { throw fail("\(error)", key: "age_bands") }
        }
        func categories(_ key: String) throws -> Set<String> {
            guard let raw = doc[key] else { return [] }
            guard let list = raw as? [String] else { throw fail("\(key) must be a list of offence categories", key: key) }
            return Set(list.map(normaliseCategory))
        }
        // The line of the entry being read, so a message about its conditions points near it.
        var near = 1
        func flag(_ v: Any, _ ctx: String, _ key: String) throws -> Flag {
            if let b = v as? Bool { return b ? .yes : .no }
            throw fail("\(ctx) must be yes or no", key: key, near: near)
        }
        func role(_ v: Any?, _ ctx: String) throws -> Role {
            guard let v else { return .victim }
            guard let s = v as? String, let r = Role(rawValue: s) else { throw fail("\(ctx): role must be victim, suspect or either", key: "role", near: near) }
            return r
        }
        func age(_ value: Any, _ key: String, _ ctx: String) throws -> (Int, Role) {
            guard let m = value as? [String: Any], let a = m["age"] as? Int else {
                throw fail("\(ctx): \(key) takes {age: N, role: victim|suspect|either}", key: key, near: near)
            }
            try checkKeys(m, ["age", "role"], "\(ctx).\(key)", near: near)
            guard (0...120).contains(a) else { throw fail("\(ctx): \(key) age \(a) is not between 0 and 120", key: key, near: near) }
            return (a, try role(m["role"], "\(ctx).\(key)"))
        }
        let conditionKeys = ["offence", "domestic", "public_place", "alcohol", "drugs", "weapon", "age_under", "age_at_least", "age_between", "sex", "location_type"]
        func conditions(_ raw: Any?, _ ctx: String) throws -> [Condition] {
            guard let raw else { return [] }
            guard let list = raw as? [[String: Any]] else { throw fail("\(ctx) must be a list of conditions", near: near) }
            return try list.map { item in
                guard item.count == 1, let (key, value) = item.first else { throw fail("\(ctx): each condition has exactly one key", near: near) }
                switch key {
                case "offence":
                    guard let l = value as? [String] else { throw fail("\(ctx): offence takes a list of categories", key: key, near: near) }
                    return .offence(Set(l.map(normaliseCategory)))
                case "domestic": return .domestic(try flag(value, "\(ctx).domestic", key))
                case "public_place": return .publicPlace(try flag(value, "\(ctx).public_place", key))
                case "alcohol": return .alcohol(try flag(value, "\(ctx).alcohol", key))
                case "drugs": return .drugs(try flag(value, "\(ctx).drugs", key))
                case "weapon":
                    guard let l = value as? [String] else { throw fail("\(ctx): weapon takes a list, e.g. [knife, firearm]", key: key, near: near) }
                    return .weapon(Set(try l.map { w in
                        guard let x = Weapon.allCases.first(where: { $0.label == w.lowercased() }) else {
                            throw fail("\(ctx): unknown weapon '\(w)' (knife, firearm, other, none)", key: key, near: near)
                        }
                        return x
                    }))
                case "age_under":
                    let (a, r) = try age(value, key, ctx)
                    return .ageUnder(a, r)
                case "age_at_least":
                    let (a, r) = try age(value, key, ctx)
                    return .ageAtLeast(a, r)
                case "age_between":
                    guard let m = value as? [String: Any], let from = m["from"] as? Int, let to = m["to"] as? Int else {
                        throw fail("\(ctx): age_between takes {from: N, to: M, role: victim|suspect|either} (inclusive)", key: key, near: near)
                    }
                    try checkKeys(m, ["from", "to", "role"], "\(ctx).age_between", near: near)
                    guard 0 <= from, from <= to, to <= 120 else { throw fail("\(ctx): age_between \(from)–\(to) is not a range of ages within 0–120", key: key, near: near) }
                    return .ageBetween(from, to, try role(m["role"], "\(ctx).age_between"))
                case "sex":
                    guard let m = value as? [String: Any], let s = m["sex"] as? String, let x = Sex.allCases.first(where: { $0.label == s.lowercased() && $0 != .unknown }) else {
                        throw fail("\(ctx): sex takes {sex: female|male, role: victim|suspect|either}", key: key, near: near)
                    }
                    try checkKeys(m, ["sex", "role"], "\(ctx).sex", near: near)
                    return .sex(x, try role(m["role"], "\(ctx).sex"))
                case "location_type":
                    guard let l = value as? [String] else { throw fail("\(ctx): location_type takes a list, e.g. [street, park]", key: key, near: near) }
                    return .locationType(Set(try l.map { t in
                        guard let x = LocationType.allCases.first(where: { $0.label == t.lowercased() }) else {
                            throw fail("\(ctx): unknown location type '\(t)' (\(LocationType.allCases.map(\.label).joined(separator: ", ")))", key: key, near: near)
                        }
                        return x
                    }))
                default:
                    throw fail("\(ctx): unknown condition '\(key)' (\(conditionKeys.joined(separator: ", ")))", key: key, near: near)
                }
            }
        }
        /// Strands and measures: id, label, all/any/none, and for measures `headline`.
        func conditionSets(_ key: String, allowHeadline: Bool) throws -> [Strand] {
            guard let raw = doc[key] else { return [] }
            guard let list = raw as? [[String: Any]] else { throw fail("\(key) must be a list", key: key) }
            return try list.enumerated().map { i, s in
                let what = key == "strands" ? "strand" : "measure"
                guard let id = s["id"] as? String else { throw fail("\(what) \(i + 1) has no id", key: key) }
                near = lines.firstIndex { $0.contains("id: \(id)") }.map { $0 + 1 } ?? 1
                try checkKeys(s, ["id", "label", "all", "any", "none"] + (allowHeadline ? ["headline"] : []), "\(what) \(id)", near: near)
                let all = try conditions(s["all"], "\(what) \(id).all")
                let any = try conditions(s["any"], "\(what) \(id).any")
                let none = try conditions(s["none"], "\(what) \(id).none")
                if all.isEmpty && any.isEmpty { throw fail("\(what) \(id) has no conditions (give all or any)", key: "id", near: near) }
                let headline = try s["headline"].map { try flag($0, "\(what) \(id).headline", "headline") == .yes } ?? false
                return Strand(id: id, label: s["label"] as? String ?? id, all: all, any: any, none: none, headline: headline)
            }
        }
        guard doc["strands"] is [[String: Any]] else { throw fail("strands must be a list", key: "strands") }
        let strands = try conditionSets("strands", allowHeadline: false)
        let measures = try conditionSets("measures", allowHeadline: true)
        let rawCohorts = doc["cohorts"] as? [[String: Any]] ?? []
        let cohorts = try rawCohorts.map { c in
            guard let id = c["id"] as? String, let under = c["under"] as? Int else { throw fail("each cohort needs id and under", key: "cohorts") }
            near = lines.firstIndex { $0.contains("id: \(id)") }.map { $0 + 1 } ?? 1
            try checkKeys(c, ["id", "label", "under", "role"], "cohort \(id)", near: near)
            let r = try role(c["role"], "cohort \(id)")
            // Cohorts split the victim age bands; suspect or either-role cohorts are measures (age_under with a role).
            guard r == .victim else { throw fail("cohort \(id): cohorts are by victim age; for suspects or either, write a measure with age_under/age_at_least and a role", key: "role", near: near) }
            return Cohort(id: id, label: c["label"] as? String ?? id, under: under, role: r)
        }
        let rawGroupings = doc["groupings"] as? [[String: Any]] ?? []
        if doc["groupings"] != nil && !(doc["groupings"] is [[String: Any]]) { throw fail("groupings must be a list", key: "groupings") }
        let groupings = try rawGroupings.map { g in
            guard let id = g["id"] as? String, let codes = g["districts"] as? [String] else { throw fail("each grouping needs id and districts (district codes)", key: "groupings") }
            near = lines.firstIndex { $0.contains("id: \(id)") }.map { $0 + 1 } ?? 1
            try checkKeys(g, ["id", "label", "districts"], "grouping \(id)", near: near)
            return Grouping(id: id, label: g["label"] as? String ?? id, districts: codes)
        }
        do {
            try self.init(name: name, ageBands: bands, seriousViolence: try categories("serious_violence"),
                          outOfScope: try categories("out_of_scope"), strands: strands, cohorts: cohorts, measures: measures, groupings: groupings)
        } catch let e as Invalid {
            throw fail(e.description)
        }
    }

    /// How an offence category relates to these definitions.
    public enum Scope: UInt8, Sendable { case seriousViolence, outOfScope, uncovered }

    public func scope(ofCategory normalised: String) -> Scope {
        if seriousViolence.contains(normalised) { return .seriousViolence }
        if outOfScope.contains(normalised) { return .outOfScope }
        return .uncovered
    }
}

extension Definitions.Condition {
    @inlinable func holds(_ i: Incident, category: String) -> Bool {
        switch self {
        case .offence(let set): set.contains(category)
        case .domestic(let f): i.domestic == f
        case .publicPlace(let f): i.isPublicPlace == f
        case .alcohol(let f): i.alcohol == f
        case .drugs(let f): i.drugs == f
        case .weapon(let set): set.contains(i.weapon)
        case .ageUnder(let age, let role):
            switch role {
            case .victim: i.victimAge >= 0 && Int(i.victimAge) < age
            case .suspect: i.suspectAge >= 0 && Int(i.suspectAge) < age
            case .either: (i.victimAge >= 0 && Int(i.victimAge) < age) || (i.suspectAge >= 0 && Int(i.suspectAge) < age)
            }
        case .ageAtLeast(let age, let role):
            switch role {
            case .victim: i.victimAge >= 0 && Int(i.victimAge) >= age
            case .suspect: i.suspectAge >= 0 && Int(i.suspectAge) >= age
            case .either: (i.victimAge >= 0 && Int(i.victimAge) >= age) || (i.suspectAge >= 0 && Int(i.suspectAge) >= age)
            }
        case .ageBetween(let lo, let hi, let role):
            switch role {
            case .victim: i.victimAge >= 0 && Int(i.victimAge) >= lo && Int(i.victimAge) <= hi
            case .suspect: i.suspectAge >= 0 && Int(i.suspectAge) >= lo && Int(i.suspectAge) <= hi
            case .either: (i.victimAge >= 0 && Int(i.victimAge) >= lo && Int(i.victimAge) <= hi)
                || (i.suspectAge >= 0 && Int(i.suspectAge) >= lo && Int(i.suspectAge) <= hi)
            }
        case .sex(let sex, let role):
            switch role {
            case .victim: i.victimSex == sex
            case .suspect: i.suspectSex == sex
            case .either: i.victimSex == sex || i.suspectSex == sex
            }
        case .locationType(let set): set.contains(i.locationType)
        }
    }
}

extension Definitions.Strand {
    public func contains(_ i: Incident, category: String) -> Bool {
        all.allSatisfy { $0.holds(i, category: category) } && (any.isEmpty || any.contains { $0.holds(i, category: category) })
            && !none.contains { $0.holds(i, category: category) }
    }
}
