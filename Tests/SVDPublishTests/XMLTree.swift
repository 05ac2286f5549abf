import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A minimal element tree read with the platform XML parser, so tests check the report as XML, not as text.
final class XMLNode {
    let name: String
    let attributes: [String: String]
    var children: [XMLNode] = []
    /// Text runs directly inside this element, in order (one per run between child elements).
    var texts: [String] = []
    weak var parent: XMLNode?

    init(name: String, attributes: [String: String], parent: XMLNode?) {
        self.name = name
        self.attributes = attributes
        self.parent = parent
    }

    func all(_ name: String) -> [XMLNode] {
        var out: [XMLNode] = []
        func walk(_ n: XMLNode) {
            if n.name == name { out.append(n) }
            n.children.forEach(walk)
        }
        walk(self)
        return out
    }

    /// Every text run in this subtree with the element holding it.
    func textRuns() -> [(text: String, holder: XMLNode)] {
        var out: [(String, XMLNode)] = texts.map { ($0, self) }
        for c in children { out += c.textRuns() }
        return out
    }

    var allText: String { textRuns().map(\.text).joined(separator: " ") }

    func hasAncestor(_ test: (XMLNode) -> Bool) -> Bool {
        var n: XMLNode? = self
        while let x = n {
            if test(x) { return true }
            n = x.parent
        }
        return false
    }

    var classes: Set<String> { Set((attributes["class"] ?? "").split(separator: " ").map(String.init)) }
}

struct XMLParseFailure: Error, CustomStringConvertible {
    let description: String
}

private final class TreeBuilder: NSObject, XMLParserDelegate {
    var root: XMLNode?
    var stack: [XMLNode] = []
    var pendingText = ""

    func flush() {
        if let top = stack.last, !pendingText.isEmpty { top.texts.append(pendingText) }
        pendingText = ""
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?,
                attributes attributeDict: [String: String] = [:]) {
        flush()
        let node = XMLNode(name: elementName, attributes: attributeDict, parent: stack.last)
        if let top = stack.last { top.children.append(node) } else { root = node }
        stack.append(node)
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        flush()
        stack.removeLast()
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { pendingText += string }
}

func parseXML(_ text: String) throws -> XMLNode {
    let parser = XMLParser(data: Data(text.utf8))
    let builder = TreeBuilder()
    parser.delegate = builder
    guard parser.parse(), let root = builder.root else {
        throw XMLParseFailure(description: "line \(parser.lineNumber), column \(parser.columnNumber): \(parser.parserError.map { "\($0)" } ?? "unknown error")")
    }
    return root
}
