/// Escapes text for HTML element content and attribute values: the parser's own output
/// (labels, maths) and every result the weave stage writes. It lives with the parser so that
/// the parser's files build on their own, as the fuzz target builds them.
public enum HTMLEscaping {
    public static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for c in text.unicodeScalars {
            switch c {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.unicodeScalars.append(c)
            }
        }
        return result
    }
}
