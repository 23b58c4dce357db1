import TracejoinSupport

// A field value written as JSON by the support target's writers (which know no records).

extension JSONWriter {
    /// A field value; a float that is not finite (JSON has no such number) as its text.
    public mutating func value(_ v: FieldValue) {
        switch v {
        case .string(let s): string(s)
        case .integer(let i): int(i)
        case .float(let d): double(d)
        case .bool(let b): bool(b)
        case .null: string(nil)
        }
    }

    /// A field value into any byte array; a float that is not finite as its text.
    public static func append(value v: FieldValue, to out: inout [UInt8]) {
        switch v {
        case .string(let s): append(string: s, to: &out)
        case .integer(let i): out.append(contentsOf: String(i).utf8)
        case .float(let d): append(double: d, to: &out)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .null: out.append(contentsOf: "null".utf8)
        }
    }
}

extension JSONText {
    /// A field value as JSON.
    public static func value(_ v: FieldValue) -> String {
        var out: [UInt8] = []
        JSONWriter.append(value: v, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
