import Yams

/// Parses YAML for definitions and column mappings with a bound on its size once aliases are expanded.
///
/// Yams's composer shares an aliased node instead of copying it, so a "billion laughs" file (anchors that alias
/// earlier anchors, each level multiplying the size) composes into a few kilobytes; it only explodes when the
/// tree is walked or converted to Swift values. `compose` walks it first, counting nodes as if every alias were
/// expanded, and refuses the file as soon as the count passes `maxNodes`: the walk stops there, so the check
/// costs at most `maxNodes` steps whatever the file.
public enum SafeYAML {
    /// Nodes allowed after alias expansion: far more than any definitions file or mapping needs (a mapping with a
    /// few thousand partner codes has ~10,000).
    public static let maxNodes = 200_000

    public struct TooLarge: Error, CustomStringConvertible {
        public let limit: Int
        public var description: String {
            "expands to more than \(limit) YAML nodes once its aliases (*name) are followed; refused (an alias bomb?)"
        }
    }

    /// The first document's tree, or nil for an empty document. Throws Yams's error for invalid YAML and
    /// `TooLarge` for a tree that expands past `limit` nodes.
    public static func compose(yaml: String, limit: Int = maxNodes) throws -> Node? {
        guard let root = try Yams.compose(yaml: yaml) else { return nil }
        try checkSize(root, limit: limit)
        return root
    }

    /// The first document as Swift values (like `Yams.load`), after the same size check.
    public static func load(yaml: String, limit: Int = maxNodes) throws -> Any? {
        try compose(yaml: yaml, limit: limit)?.any
    }

    /// Throws `TooLarge` once more than `limit` nodes have been visited (aliases counted at their full size).
    public static func checkSize(_ root: Node, limit: Int = maxNodes) throws {
        var count = 0
        var stack: [Node] = [root]
        while let node = stack.popLast() {
            count += 1
            if count > limit { throw TooLarge(limit: limit) }
            switch node {
            case .scalar, .alias: break
            case .mapping(let m):
                for (k, v) in m { stack.append(k); stack.append(v) }
            case .sequence(let s):
                stack.append(contentsOf: s)
            }
        }
    }
}
