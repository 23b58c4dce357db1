/// Datadog's grok matchers (lowerCamel names, so they can share a rule set with Logstash's
/// upper-case patterns): each is a regular expression and, for some, a conversion.
enum DatadogMatchers {
    struct Matcher {
        var regex: String
        var conversion: FieldConversion
    }

    static let names: Set = [
        "word", "notSpace", "data", "integer", "integerStr", "number", "numberStr", "boolean", "quotedString",
        "doubleQuotedString", "uuid", "ip", "ipv4", "ipv6", "hostname", "port", "date", "regex",
    ]

    /// Datadog matchers this version does not implement; named so the error says so.
    static let unsupported: Set = ["mac", "ipOrHost", "hostnameOrIp", "eol", "numberExt", "integerExt", "regexStr"]

    static let numberRegex = #"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"#

    /// The matcher `name` with `arguments`, or `nil` when `name` is not a Datadog matcher.
    static func matcher(_ name: String, arguments: [String], library: PatternLibrary, offset: Int) throws(GrokError) -> Matcher? {
        func noArguments() throws(GrokError) {
            if !arguments.isEmpty {
                throw GrokError(.malformedReference, "matcher '\(name)' takes no arguments", offset: offset)
            }
        }
        func builtin(_ pattern: String) -> String { "%{\(pattern)}" }
        switch name {
        case "word": try noArguments(); return Matcher(regex: #"\b\w+\b"#, conversion: .none)
        case "notSpace": try noArguments(); return Matcher(regex: #"\S+"#, conversion: .none)
        // Datadog: "any string including spaces and newlines". Lazy, as Logstash's DATA.
        case "data": try noArguments(); return Matcher(regex: #"(?s:.*?)"#, conversion: .none)
        case "integer": try noArguments(); return Matcher(regex: #"[+-]?[0-9]+"#, conversion: .integer)
        case "integerStr": try noArguments(); return Matcher(regex: #"[+-]?[0-9]+"#, conversion: .none)
        case "number": try noArguments(); return Matcher(regex: numberRegex, conversion: .float)
        case "numberStr": try noArguments(); return Matcher(regex: numberRegex, conversion: .none)
        case "boolean":
            switch arguments.count {
            case 0: return Matcher(regex: #"(?i:true|false)"#, conversion: .boolean(trueWord: nil, falseWord: nil))
            case 2:
                return Matcher(regex: "(?i:\(literal(arguments[0]))|\(literal(arguments[1])))",
                               conversion: .boolean(trueWord: arguments[0], falseWord: arguments[1]))
            default:
                throw GrokError(.malformedReference, "boolean takes no arguments or two (the true and false words)", offset: offset)
            }
        case "quotedString": try noArguments(); return Matcher(regex: #"(?>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')"#, conversion: .none)
        case "doubleQuotedString": try noArguments(); return Matcher(regex: #""(?:[^"\\]|\\.)*""#, conversion: .none)
        case "uuid": try noArguments(); return Matcher(regex: builtin("UUID"), conversion: .none)
        case "ip": try noArguments(); return Matcher(regex: builtin("IP"), conversion: .none)
        case "ipv4": try noArguments(); return Matcher(regex: builtin("IPV4"), conversion: .none)
        case "ipv6": try noArguments(); return Matcher(regex: builtin("IPV6"), conversion: .none)
        case "hostname": try noArguments(); return Matcher(regex: builtin("HOSTNAME"), conversion: .none)
        case "port": try noArguments(); return Matcher(regex: #"\b(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3}|0)\b"#, conversion: .integer)
        case "date":
            guard arguments.count == 1 || arguments.count == 2 else {
                throw GrokError(.malformedReference, "date takes a Java date pattern (and optionally a time zone), as in date(\"yyyy-MM-dd HH:mm:ss\")", offset: offset)
            }
            return Matcher(regex: try JavaDatePattern.regex(arguments[0], offset: offset), conversion: .none)
        case "regex":
            guard arguments.count == 1 else {
                throw GrokError(.malformedReference, "regex takes one argument, the regular expression", offset: offset)
            }
            return Matcher(regex: arguments[0], conversion: .none)
        default:
            if unsupported.contains(name) {
                throw GrokError(.unsupported, "Datadog matcher '\(name)' is not supported by Tracejoin (see docs/grok.md)", offset: offset)
            }
            return nil
        }
    }

    /// `text` with every regex metacharacter escaped.
    static func literal(_ text: String) -> String {
        var out = ""
        for c in text {
            if #"\^$.|?*+()[]{}/"#.contains(c) { out.append("\\") }
            out.append(c)
        }
        return out
    }

    /// The conversion a filter or Logstash type names.
    static func conversion(_ name: String, arguments: [String], offset: Int) throws(GrokError) -> FieldConversion {
        func none() throws(GrokError) {
            if !arguments.isEmpty { throw GrokError(.malformedReference, "'\(name)' takes no arguments", offset: offset) }
        }
        switch name {
        case "int", "integer": try none(); return .integer
        case "float", "number": try none(); return .float
        case "boolean": try none(); return .boolean(trueWord: nil, falseWord: nil)
        case "lowercase": try none(); return .lowercase
        case "uppercase": try none(); return .uppercase
        case "nullIf":
            guard arguments.count == 1 else { throw GrokError(.malformedReference, "nullIf takes one argument, the value to drop", offset: offset) }
            return .nullIf(arguments[0])
        case "json": try none(); return .json
        case "keyvalue":
            guard arguments.count <= 4 else {
                throw GrokError(.malformedReference, "keyvalue takes at most 4 arguments (separator, allowed characters, quotes, delimiter)", offset: offset)
            }
            var options = FieldConversion.KeyValueOptions()
            if arguments.count > 0 { options.separator = arguments[0] }
            if arguments.count > 1 { options.allowed = arguments[1] }
            if arguments.count > 2 { options.quotes = arguments[2] }
            if arguments.count > 3 { options.delimiter = arguments[3] }
            if options.separator.isEmpty { throw GrokError(.malformedReference, "keyvalue's separator must not be empty", offset: offset) }
            return .keyValue(options)
        case "rubyhash", "useragent", "querystring", "decodeuricomponent", "xml", "csv", "scale", "array", "url":
            throw GrokError(.unsupported, "filter '\(name)' is not supported by Tracejoin (see docs/grok.md)", offset: offset)
        default:
            throw GrokError(.malformedReference, "unknown conversion '\(name)'; Logstash types are int and float, Datadog filters integer, number, boolean, lowercase, uppercase, nullIf, json, keyvalue", offset: offset)
        }
    }
}
