import Foundation
import SVDCore
import SVDDetect

/// Length of one time step of an emerging hot spot analysis.
public enum EmergingStep: String, Sendable, CaseIterable {
    case month, quarter

    public var months: Int { self == .month ? 1 : 3 }
}

/// The emerging hot spot analysis of one run: the space-time cube's steps and the detector's result.
public struct EmergingHotspotRun: Sendable {
    /// The fewest time steps the analysis accepts (a Mann–Kendall test on fewer cannot reach 5 %).
    public static let minimumSteps = 5
    /// Two-sided level at which a Mann–Kendall trend in a location's Gi* z counts as significant.
    public static let trendAlpha = 0.05

    public let step: EmergingStep
    /// The months the steps cover, ending with the period's last month (a leading incomplete step is left out).
    public let months: ClosedRange<MonthKey>
    public let result: EmergingHotspotResult
    /// Step of each analysed incident (−1: in a leading month that does not fill a whole step).
    let stepOfIncident: [Int32]

    public var stepCount: Int { result.steps }

    init(incidents: [IncidentPoint], period: ClosedRange<MonthKey>, step: EmergingStep, spec: GridSpec, band: Double?,
         observations: GiStarObservations, land: [Bool]? = nil) throws {
        let length = Int(period.upperBound.index - period.lowerBound.index) + 1
        let steps = length / step.months
        guard steps >= Self.minimumSteps else {
            throw EngineError("emerging hot spots need at least \(Self.minimumSteps) time steps; \(period.lowerBound) to \(period.upperBound) has \(steps) whole \(step.rawValue)s — use a longer period or --step month")
        }
        let first = period.upperBound.adding(months: -(steps * step.months - 1))
        self.step = step
        months = first...period.upperBound
        let m = Int32(step.months)
        stepOfIncident = incidents.map { $0.month < first.index ? -1 : ($0.month - first.index) / m }
        result = try EmergingHotspots.analyse(points: incidents.map(\.location), step: stepOfIncident, stepCount: steps, spec: spec,
                                              band: band, observations: observations, fdr: true, trendAlpha: Self.trendAlpha,
                                              land: land)
    }

    /// Label of step `t`: "2025-03" for months, "2025-01 to 2025-03" for quarters.
    public func label(ofStep t: Int) -> String {
        let start = months.lowerBound.adding(months: t * step.months)
        return step == .month ? "\(start)" : "\(start) to \(start.adding(months: step.months - 1))"
    }
}
