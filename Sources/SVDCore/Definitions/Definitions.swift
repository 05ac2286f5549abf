import Yams

/// What counts as serious violence, and how it splits into strands and cohorts.
///
/// Read from a YAML file so another partnership can bring its own; the Kent & Medway board's
/// definitions ship with the embedded area.
public struct Definitions: Sendable {
    public struct Strand: Sendable {
        public let id: String
        public let label: String
        /// Every one of these must hold.
        public let all: [Condition]
        /// At least one of these must hold (ignored when empty).
        public let any: [Condition]

        public init(id: String, label: String, all: [Condition], any: [Condition]) {
            self.id = id
            self.label = label
            self.all = all
            self.any = any
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
    }

    public let name: String
    public let ageBands: AgeBands
    /// Normalised offence categories that are serious violence.
    public let seriousViolence: Set<String>
    /// Normalised offence categories known and deliberately out of scope (e.g. burglary in data.police.uk files).
    public let outOfScope: Set<String>
    public let strands: [Strand]
    public let cohorts: [Cohort]

    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    public init(name: String, ageBands: AgeBands, seriousViolence: Set<String>, outOfScope: Set<String>,
                strands: [Strand], cohorts: [Cohort]) throws {
        guard strands.count <= 8 else { throw Invalid(description: "at most 8 strands (got \(strands.count))") }
        for c in cohorts where ageBands.bands(under: c.under) == nil {
            throw Invalid(description: "cohort '\(c.id)' (under \(c.under)) does not fall on an age band boundary \(ageBands.lowerBounds)")
        }
        self.name = name
        self.ageBands = ageBands
        self.seriousViolence = seriousViolence
        self.outOfScope = outOfScope
        self.strands = strands
        self.cohorts = cohorts
    }

    /// Parses the YAML form documented in the README. `source` names the file in error messages.
    public init(yaml: String, source: String) throws {
        func fail(_ why: String) -> Invalid { Invalid(description: "\(source): \(why)") }
        let root: Any?
        do { root = try Yams.load(yaml: yaml) } catch { throw fail("not valid YAML: \(error)") }
        guard let doc = root as? [String: Any] else { throw fail("expected a mapping at the top level") }
        let name = doc["name"] as? String ?? source
        var bands = AgeBands.standard
        if let raw = doc["age_bands"] {
            guard let list = raw as? [Int] else { throw fail("age_bands must be a list of lower bounds, e.g. [0, 10, 18, 25]") }
            do { bands = try AgeBands(lowerBounds: list) } catch { throw fail("\(error)") }
        }
        func categories(_ key: String) throws -> Set<String> {
            guard let raw = doc[key] else { return [] }
            guard let list = raw as? [String] else { throw fail("\(key) must be a list of offence categories") }
            return Set(list.map(normaliseCategory))
        }
        func flag(_ v: Any, _ ctx: String) throws -> Flag {
            if let b = v as? Bool { return b ? .yes : .no }
            throw fail("\(ctx) must be yes or no")
        }
        func role(_ v: Any?, _ ctx: String) throws -> Role {
            guard let v else { return .victim }
            guard let s = v as? String, let r = Role(rawValue: s) else { throw fail("\(ctx): role must be victim, suspect or either") }
            return r
        }
        func conditions(_ raw: Any?, _ ctx: String) throws -> [Condition] {
            guard let raw else { return [] }
            guard let list = raw as? [[String: Any]] else { throw fail("\(ctx) must be a list of conditions") }
            return try list.map { item in
                guard item.count == 1, let (key, value) = item.first else { throw fail("\(ctx): each condition has exactly one key") }
                switch key {
                case "offence":
                    guard let l = value as? [String] else { throw fail("\(ctx): offence takes a list of categories") }
                    return .offence(Set(l.map(normaliseCategory)))
                case "domestic": return .domestic(try flag(value, "\(ctx).domestic"))
                case "public_place": return .publicPlace(try flag(value, "\(ctx).public_place"))
                case "alcohol": return .alcohol(try flag(value, "\(ctx).alcohol"))
                case "drugs": return .drugs(try flag(value, "\(ctx).drugs"))
                case "weapon":
                    guard let l = value as? [String] else { throw fail("\(ctx): weapon takes a list, e.g. [knife, firearm]") }
                    return .weapon(Set(try l.map { w in
                        guard let x = Weapon.allCases.first(where: { $0.label == w.lowercased() }) else {
                            throw fail("\(ctx): unknown weapon '\(w)' (knife, firearm, other, none)")
                        }
                        return x
                    }))
                case "age_under":
                    guard let m = value as? [String: Any], let age = m["age"] as? Int else {
                        throw fail("\(ctx): age_under takes {age: N, role: victim|suspect|either}")
                    }
                    return .ageUnder(age, try role(m["role"], "\(ctx).age_under"))
                default:
                    throw fail("\(ctx): unknown condition '\(key)' (offence, domestic, public_place, alcohol, drugs, weapon, age_under)")
                }
            }
        }
        guard let rawStrands = doc["strands"] as? [[String: Any]] else { throw fail("strands must be a list") }
        let strands = try rawStrands.enumerated().map { i, s in
            guard let id = s["id"] as? String else { throw fail("strand \(i + 1) has no id") }
            let all = try conditions(s["all"], "strand \(id).all")
            let any = try conditions(s["any"], "strand \(id).any")
            if all.isEmpty && any.isEmpty { throw fail("strand \(id) has no conditions") }
            return Strand(id: id, label: s["label"] as? String ?? id, all: all, any: any)
        }
        let rawCohorts = doc["cohorts"] as? [[String: Any]] ?? []
        let cohorts = try rawCohorts.map { c in
            guard let id = c["id"] as? String, let under = c["under"] as? Int else { throw fail("each cohort needs id and under") }
            return Cohort(id: id, label: c["label"] as? String ?? id, under: under, role: try role(c["role"], "cohort \(id)"))
        }
        do {
            try self.init(name: name, ageBands: bands, seriousViolence: try categories("serious_violence"),
                          outOfScope: try categories("out_of_scope"), strands: strands, cohorts: cohorts)
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
        }
    }
}

extension Definitions.Strand {
    public func contains(_ i: Incident, category: String) -> Bool {
        all.allSatisfy { $0.holds(i, category: category) } && (any.isEmpty || any.contains { $0.holds(i, category: category) })
    }
}
