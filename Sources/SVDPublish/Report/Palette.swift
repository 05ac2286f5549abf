/// Colour-blind-safe colours: viridis for sequential scales, blue and orange for rises and falls.
enum Palette {
    /// Viridis at nine evenly spaced stops (matplotlib's published table).
    private static let viridisStops: [(Double, Double, Double)] = [
        (0x44, 0x01, 0x54), (0x47, 0x2d, 0x7b), (0x3b, 0x52, 0x8b), (0x2c, 0x72, 0x8e), (0x21, 0x91, 0x8c),
        (0x28, 0xae, 0x80), (0x5e, 0xc9, 0x62), (0xad, 0xdc, 0x30), (0xfd, 0xe7, 0x25),
    ]

    /// Five viridis classes, dark (low) to light (high) reversed so that a higher rate reads darker.
    static let rateClasses = ["#fde725", "#5ec962", "#21918c", "#3b528b", "#440154"]
    /// Label colour that stays legible on each rate class.
    static let rateClassText = ["#000000", "#000000", "#ffffff", "#ffffff", "#ffffff"]

    static let rise = "#e66100"       // orange
    static let fall = "#1f5fa8"       // blue
    static let neutral = "#6b6b6b"
    static let hidden = "#d9d9d9"     // suppressed cells
    static let barFill = "#3b528b"
    static let lineStroke = "#e66100"
    static let hotspotFill = "#e66100"

    /// Viridis at t in [0, 1], reversed (0 light yellow, 1 dark purple), for heat maps.
    static func viridis(_ t: Double) -> String {
        let x = (1 - min(max(t, 0), 1)) * Double(viridisStops.count - 1)
        let i = min(Int(x), viridisStops.count - 2)
        let f = x - Double(i)
        let a = viridisStops[i], b = viridisStops[i + 1]
        func channel(_ u: Double, _ v: Double) -> String {
            let c = Int((u + (v - u) * f).rounded())
            let hex = String(c, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }
        return "#" + channel(a.0, b.0) + channel(a.1, b.1) + channel(a.2, b.2)
    }

    /// Black or white, whichever reads on the viridis colour at t.
    static func textOnViridis(_ t: Double) -> String { t < 0.55 ? "#000000" : "#ffffff" }
}
