import Foundation
import SVDDemo
import SVDEngine

/// Police, A&E and ambulance demo extracts in a fresh folder, and a second police file whose ids all repeat the
/// first's (the demo numbers its ids from SYN000000001): the run several tests compare two ways of making.
struct AgencyFixture {
    let folder: URL
    let files: PartnerFiles
    let again: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("svd-agencies-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        files = PartnerFiles(police: folder.appendingPathComponent("police.csv"))
        try DemoGenerator(seed: 5, rows: 3000).write(to: files.police, partners: PartnerMix(policeRows: 3000))
        again = folder.appendingPathComponent("again.csv")
        try DemoGenerator(seed: 6, rows: 400).write(to: again, format: .native)
    }

    /// The four files, each with its mapping and supplier.
    var inputs: [IncidentInput] {
        [IncidentInput(url: files.police, partner: "Police"),
         IncidentInput(url: files.ae, layout: .shipped(.aeISTV), partner: "ED"),
         IncidentInput(url: files.ambulance, layout: .shipped(.ambulance), partner: "Ambulance"),
         IncidentInput(url: again, partner: "Police")]
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }
}
