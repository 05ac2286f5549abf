/// A settlement that attracts synthetic incidents: a tight night-time-economy core and a wider urban spread.
struct Town: Sendable {
    let name: String
    /// Approximate town-centre location in BNG metres.
    let easting: Double
    let northing: Double
    /// Relative share of the county's incidents.
    let weight: Double
    /// Standard deviation (m) of the town-centre cluster (pubs, clubs, high street, station).
    let coreSD: Double
    /// Standard deviation (m) of the residential spread.
    let spreadSD: Double
}

/// Kent & Medway towns. Centres are approximate OS grid positions of each town centre (high street or
/// station area), checked to fall inside the right district with the ONS LAD 2020 boundaries.
/// Weights are invented but follow the published pattern: volumes are highest in the Medway towns and
/// along the North and East Kent coast (Thanet, Swale, Canterbury district, Dover, Folkestone) and in
/// Maidstone, lower in the West Kent towns.
let kentMedwayTowns: [Town] = [
    Town(name: "Chatham", easting: 575_800, northing: 167_700, weight: 9.0, coreSD: 250, spreadSD: 1_500),
    Town(name: "Gillingham", easting: 577_600, northing: 168_400, weight: 6.0, coreSD: 200, spreadSD: 1_400),
    Town(name: "Rochester", easting: 574_300, northing: 168_500, weight: 3.5, coreSD: 200, spreadSD: 1_100),
    Town(name: "Strood", easting: 573_300, northing: 169_300, weight: 3.5, coreSD: 150, spreadSD: 1_100),
    Town(name: "Rainham", easting: 581_400, northing: 165_800, weight: 2.0, coreSD: 150, spreadSD: 1_000),
    Town(name: "Maidstone", easting: 575_900, northing: 155_700, weight: 11.0, coreSD: 300, spreadSD: 2_000),
    Town(name: "Margate", easting: 635_300, northing: 170_800, weight: 8.0, coreSD: 250, spreadSD: 1_500),
    Town(name: "Ramsgate", easting: 638_100, northing: 164_900, weight: 5.5, coreSD: 200, spreadSD: 1_200),
    Town(name: "Broadstairs", easting: 639_600, northing: 167_900, weight: 2.0, coreSD: 150, spreadSD: 900),
    Town(name: "Sittingbourne", easting: 590_600, northing: 163_600, weight: 5.5, coreSD: 200, spreadSD: 1_400),
    Town(name: "Sheerness", easting: 591_800, northing: 174_800, weight: 3.5, coreSD: 200, spreadSD: 1_000),
    Town(name: "Minster-on-Sea", easting: 595_700, northing: 172_900, weight: 1.2, coreSD: 150, spreadSD: 900),
    Town(name: "Faversham", easting: 601_500, northing: 161_300, weight: 1.8, coreSD: 150, spreadSD: 900),
    Town(name: "Canterbury", easting: 615_000, northing: 157_800, weight: 6.5, coreSD: 250, spreadSD: 1_600),
    Town(name: "Herne Bay", easting: 617_500, northing: 168_100, weight: 2.5, coreSD: 150, spreadSD: 1_100),
    Town(name: "Whitstable", easting: 610_700, northing: 166_600, weight: 2.0, coreSD: 150, spreadSD: 1_000),
    Town(name: "Dartford", easting: 554_300, northing: 174_100, weight: 5.5, coreSD: 200, spreadSD: 1_500),
    Town(name: "Swanscombe", easting: 560_300, northing: 174_300, weight: 1.5, coreSD: 150, spreadSD: 1_000),
    Town(name: "Gravesend", easting: 564_700, northing: 174_200, weight: 6.5, coreSD: 200, spreadSD: 1_500),
    Town(name: "Folkestone", easting: 622_800, northing: 135_900, weight: 5.5, coreSD: 200, spreadSD: 1_400),
    Town(name: "Hythe", easting: 616_200, northing: 134_800, weight: 1.2, coreSD: 150, spreadSD: 900),
    Town(name: "New Romney", easting: 606_500, northing: 124_900, weight: 0.8, coreSD: 150, spreadSD: 1_000),
    Town(name: "Dover", easting: 631_900, northing: 141_400, weight: 4.5, coreSD: 200, spreadSD: 1_300),
    Town(name: "Deal", easting: 637_600, northing: 152_800, weight: 2.0, coreSD: 150, spreadSD: 1_000),
    Town(name: "Sandwich", easting: 633_200, northing: 158_000, weight: 0.6, coreSD: 100, spreadSD: 700),
    Town(name: "Ashford", easting: 601_200, northing: 142_700, weight: 6.5, coreSD: 250, spreadSD: 1_800),
    Town(name: "Tenterden", easting: 588_400, northing: 133_400, weight: 0.6, coreSD: 100, spreadSD: 700),
    Town(name: "Tonbridge", easting: 559_000, northing: 146_300, weight: 2.8, coreSD: 200, spreadSD: 1_200),
    Town(name: "Snodland", easting: 570_500, northing: 161_700, weight: 1.2, coreSD: 150, spreadSD: 900),
    Town(name: "Aylesford", easting: 572_900, northing: 158_900, weight: 1.5, coreSD: 150, spreadSD: 1_200),
    Town(name: "Tunbridge Wells", easting: 558_500, northing: 139_600, weight: 3.5, coreSD: 250, spreadSD: 1_400),
    Town(name: "Cranbrook", easting: 577_600, northing: 136_100, weight: 0.5, coreSD: 100, spreadSD: 700),
    Town(name: "Sevenoaks", easting: 553_000, northing: 155_300, weight: 1.6, coreSD: 150, spreadSD: 1_100),
    Town(name: "Swanley", easting: 551_300, northing: 168_500, weight: 1.8, coreSD: 150, spreadSD: 1_000),
    Town(name: "Edenbridge", easting: 544_400, northing: 146_000, weight: 0.6, coreSD: 100, spreadSD: 700),
]

extension LandMask {
    /// Whether a point's 250 m cell lies wholly on Kent & Medway land.
    @inline(__always) static func isLand(easting: Double, northing: Double) -> Bool {
        let c = Int(((easting - originEasting) / cell).rounded(.down))
        let r = Int(((northing - originNorthing) / cell).rounded(.down))
        guard c >= 0, c < columns, r >= 0, r < rows else { return false }
        let i = r * columns + c
        return bits[i >> 6] & (1 << UInt64(i & 63)) != 0
    }
}
