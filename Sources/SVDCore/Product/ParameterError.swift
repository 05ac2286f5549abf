/// A parameter out of range or refused. `parameter` is its name as the CLI spells its option without the dashes
/// (`eps`, `min-points`), so the CLI can say `--eps …` and a library user reads `eps …`.
public struct ParameterError: Error, CustomStringConvertible, Sendable {
    public let parameter: String
    public let reason: String

    public init(_ parameter: String, _ reason: String) {
        self.parameter = parameter
        self.reason = reason
    }

    public var description: String { "\(parameter) \(reason)" }
}
