/// Small JSON writing helpers for hot paths, where building a `Codable` value per record costs
/// more than the record itself.
public enum JSONText {
    /// `s` as a JSON string literal, quotes included (escaped as ``JSONWriter`` does).
    public static func quote(_ s: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count + 2)
        JSONWriter.append(string: s, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
