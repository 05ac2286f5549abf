// Times the detect stage on a points CSV written by Benchmarks/peers/hotspot_peers.py (easting,northing,day).
//
//   swift run -c release detect-bench dbscan POINTS.csv [--eps 100] [--min-points 10] [--eps-days D] [--repeat 5] [--labels OUT.csv]
//   swift run -c release detect-bench gistar POINTS.csv [--cell 200] [--band 500] [--occupied] [--repeat 5] [--out OUT.csv]
//   swift run -c release detect-bench profiles POINTS.csv [--eps 100] [--min-points 10] [--repeat 5]
//   swift run -c release detect-bench kde    POINTS.csv [--cell 100] [--bandwidth H] [--repeat 5]
//   swift run -c release detect-bench overlap [--police 1000000] [--partner 100000] [--radius 250] [--window 3] [--repeat 5]
//   swift run -c release detect-bench overlap-coverage [--groups 10000] [--size 400] [--police 3000] [--truth 0.35] [--world small|kent]
import Foundation
import SVDCore
import SVDDetect

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(2)
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count >= 2 || arguments.first?.hasPrefix("overlap") == true else {
    fail("usage: detect-bench dbscan|gistar|kde POINTS.csv [options] | detect-bench overlap|overlap-coverage [options]")
}
let mode = arguments[0], path = arguments.count > 1 ? arguments[1] : ""

func option(_ name: String) -> String? {
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return nil }
    return arguments[i + 1]
}
func number(_ name: String, _ fallback: Double) -> Double {
    guard let text = option(name) else { return fallback }
    guard let v = Double(text) else { fail("\(name): not a number: \(text)") }
    return v
}

func readPoints(_ path: String) -> (points: [BNGPoint], days: [Int32]) {
    guard let data = FileManager.default.contents(atPath: path) else { fail("cannot read \(path)") }
    var points: [BNGPoint] = []
    var days: [Int32] = []
    let text = String(decoding: data, as: UTF8.self)
    for (n, line) in text.split(whereSeparator: \.isNewline).enumerated() where n > 0 {
        let f = line.split(separator: ",")
        guard f.count >= 2, let e = Double(f[0]), let no = Double(f[1]) else { fail("\(path):\(n + 1): bad row") }
        points.append(BNGPoint(easting: e, northing: no))
        days.append(f.count > 2 ? Int32(f[2]) ?? 0 : 0)
    }
    return (points, days)
}

func peakRSSMegabytes() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

/// Best and median wall time of `repeat` runs.
func time<T>(_ repeats: Int, _ body: () throws -> T) rethrows -> (T, best: Double, median: Double) {
    var times: [Double] = []
    var last: T?
    for _ in 0..<max(1, repeats) {
        let t0 = DispatchTime.now().uptimeNanoseconds
        last = try body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
    }
    times.sort()
    return (last!, times[0], times[times.count / 2])
}

let repeats = Int(number("--repeat", 5))
if mode == "overlap" || mode == "overlap-coverage" {
    // Generates its own records: no points file.
    do {
        if mode == "overlap" { try runOverlap(number, repeats: repeats) }
        else { try runOverlapCoverage(number, world: option("--world") ?? "small") }
    } catch { fail("error: \(error)") }
    exit(0)
}
let (points, days) = readPoints(path)
let rssAfterLoad = peakRSSMegabytes()

do {
    switch mode {
    case "dbscan":
        let eps = number("--eps", 100), minPoints = Int(number("--min-points", 10))
        let window = option("--eps-days").map { Int($0) ?? -1 }
        let (result, best, median) = try time(repeats) {
            if let window { return try DBSCAN.cluster(points, days: days, eps: eps, epsDays: window, minPoints: minPoints) }
            return try DBSCAN.cluster(points, eps: eps, minPoints: minPoints)
        }
        let noise = result.labels.filter { $0 == DBSCANResult.noise }.count
        print("svd DBSCAN n=\(points.count) eps=\(eps) minPoints=\(minPoints): best \(String(format: "%.4f", best)) s, "
              + "median \(String(format: "%.4f", median)) s, \(result.clusterCount) clusters, "
              + "\(result.isCore.filter { $0 }.count) core, \(noise) noise, "
              + "peak RSS \(String(format: "%.0f", peakRSSMegabytes())) MB (\(String(format: "%.0f", rssAfterLoad)) MB after loading)")
        if let out = option("--labels") {
            var text = "core,label\n"
            for i in 0..<points.count { text += "\(result.isCore[i] ? 1 : 0),\(result.labels[i])\n" }
            try text.write(toFile: out, atomically: true, encoding: .utf8)
        }
    case "profiles":
        let eps = number("--eps", 100), minPoints = Int(number("--min-points", 10))
        let clustering = try DBSCAN.cluster(points, eps: eps, minPoints: minPoints)
        let (profiles, best, median) = try time(repeats) {
            try ClusterProfiles.profiles(points: points, clustering: clustering)
        }
        let largest = profiles.first.map { "\($0.members) members, \(String(format: "%.1f", $0.concaveAreaHectares)) ha concave / \(String(format: "%.1f", $0.convexAreaHectares)) ha convex" } ?? "none"
        print("svd cluster profiles (\(profiles.count) clusters, hulls via GEOS): best \(String(format: "%.4f", best)) s, "
              + "median \(String(format: "%.4f", median)) s; largest: \(largest); peak RSS \(String(format: "%.0f", peakRSSMegabytes())) MB")
    case "gistar":
        let cell = number("--cell", 200), band = number("--band", 500)
        let observations: GiStarObservations = arguments.contains("--occupied") ? .occupiedCells : .allCells
        let (result, best, median) = try time(repeats) {
            let spec = try GridSpec.covering(points, cellSize: cell)
            return try GetisOrd.giStar(CountGrid(points: points, spec: spec), band: band, observations: observations)
        }
        let hot = result.classes.filter(\.isHot).count, cold = result.classes.filter(\.isCold).count
        print("svd Gi* n=\(points.count) grid \(result.spec.columns)x\(result.spec.rows) cell=\(cell) band=\(band): "
              + "best \(String(format: "%.4f", best)) s, median \(String(format: "%.4f", median)) s (binning + Gi* + BH), "
              + "\(hot) hot, \(cold) cold, peak RSS \(String(format: "%.0f", peakRSSMegabytes())) MB")
        if let out = option("--out") {
            var text = "cell,z,p,q\n"
            for c in 0..<result.z.count where result.z[c].isFinite {
                text += "\(c),\(result.z[c]),\(result.p[c]),\(result.q[c])\n"
            }
            try text.write(toFile: out, atomically: true, encoding: .utf8)
        }
    case "kde":
        let cell = number("--cell", 100)
        let bandwidth = option("--bandwidth").flatMap(Double.init)
        let (surface, best, median) = try time(repeats) {
            try KernelDensity.quartic(points, spec: GridSpec.covering(points, cellSize: cell), bandwidth: bandwidth)
        }
        print("svd quartic KDE n=\(points.count) grid \(surface.spec.columns)x\(surface.spec.rows) cell=\(cell) "
              + "bandwidth=\(String(format: "%.1f", surface.bandwidth)) m: best \(String(format: "%.4f", best)) s, "
              + "median \(String(format: "%.4f", median)) s, peak RSS \(String(format: "%.0f", peakRSSMegabytes())) MB")
    default:
        fail("unknown mode \(mode)")
    }
} catch {
    fail("error: \(error)")
}
