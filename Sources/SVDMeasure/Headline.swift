/// Short change phrases for headlines, in the VRU's style: "under-25s −9%, under-18s −12% on the previous year".
public enum Headline {
    /// Whole-per-cent change with a sign: "+4%", "−9%" (Unicode minus, U+2212), "0%".
    /// Halves round away from zero; a change that rounds to zero is "0%", never "−0%".
    public static func percentText(_ percent: Double) -> String {
        let whole = Int(percent.rounded(.toNearestOrAwayFromZero))
        if whole > 0 { return "+\(whole)%" }
        if whole < 0 { return "\u{2212}\(-whole)%" }
        return "0%"
    }

    /// One cohort's change: "under-25s −9%"; with no previous count "under-18s up from none", or
    /// "under-18s none in either period".
    public static func cohortPhrase(label: String, change: PeriodChange) -> String {
        if let percent = change.percentChange { return "\(label) \(percentText(percent))" }
        return change.currentCount == 0 ? "\(label) none in either period" : "\(label) up from none"
    }

    /// "under-25s −9%, under-18s −12% on the previous year".
    public static func cohortLine(_ cohorts: [(label: String, change: PeriodChange)], comparedWith: String = "the previous year") -> String {
        let parts = cohorts.map { cohortPhrase(label: $0.label, change: $0.change) }
        return parts.joined(separator: ", ") + " on " + comparedWith
    }

    /// "under-25s" for the cohort of people younger than `age`.
    public static func cohortLabel(under age: Int) -> String { "under-\(age)s" }
}
