import Foundation
import SVDEngine
import SVDDemo

let file = URL(fileURLWithPath: CommandLine.arguments.dropFirst().first ?? "incidents.csv")
try DemoGenerator(seed: 2024, rows: 50_000).write(to: file, format: .native)  // or a police extract
let binned = try BinnedIncidents(request: IncidentRequest(files: [file]), rejectsFile: nil, points: .latest(12))
let policy = DisclosurePolicy()  // public tier: perturbed counts, "<5", minimum bases, generalised places
print(AssessmentTables(input: binned.assessmentInput(disclosure: policy)).headline() ?? "under 24 months of data")
var parameters = HotspotParameters(method: .dbscan)
parameters.period = binned.latestMonths(12)
let hotspots = try HotspotAnalysis(binned: binned, parameters: parameters, disclosure: policy)
for c in hotspots.ranking.published.prefix(3) { let r = hotspots.publisher.row(c); print(r.label, r.incidents.cell.display, r.districts) }
