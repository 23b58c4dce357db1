import Foundation

/// Datadog's grok matchers (lowerCamel names, so they can share a rule set with Logstash's
/// upper-case patterns): each is a regular expression and, for some, a conversion.
enum DatadogMatchers {
    struct Matcher {
        var regex: String
        var conversion: FieldConversion
    }

    static let names: Set = [
        "word", "notSpace", "data", "integer", "integerStr", "integerExt", "integerExtStr", "number", "numberStr",
        "numberExt", "numberExtStr", "boolean", "quotedString", "doubleQuotedString", "singleQuotedString", "uuid", "mac",
        "ip", "ipv4", "ipv6", "hostname", "ipOrHost", "port", "date", "regex",
    ]

    /// Names Datadog's grok engine knows but its documentation does not list; refused by name
    /// so the error says so.
    static let unsupported: Set = ["hostnameOrIp", "eol", "regexStr"]

    /// A decimal number, no exponent (Datadog's `number`).
    static let numberRegex = #"[+-]?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)"#
    /// With scientific notation (Datadog's `numberExt`).
    static let numberExtRegex = #"[+-]?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"#
    static let integerRegex = #"[+-]?[0-9]+"#
    /// An integer with scientific notation (`12e3`; Datadog's `integerExt`).
    static let integerExtRegex = #"[+-]?[0-9]+(?:[eE]\+?[0-9]+)?"#

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
        case "integer": try noArguments(); return Matcher(regex: integerRegex, conversion: .integer)
        case "integerStr": try noArguments(); return Matcher(regex: integerRegex, conversion: .none)
        case "integerExt": try noArguments(); return Matcher(regex: integerExtRegex, conversion: .integer)
        case "integerExtStr": try noArguments(); return Matcher(regex: integerExtRegex, conversion: .none)
        case "number": try noArguments(); return Matcher(regex: numberRegex, conversion: .float)
        case "numberStr": try noArguments(); return Matcher(regex: numberRegex, conversion: .none)
        case "numberExt": try noArguments(); return Matcher(regex: numberExtRegex, conversion: .float)
        case "numberExtStr": try noArguments(); return Matcher(regex: numberExtRegex, conversion: .none)
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
        case "singleQuotedString": try noArguments(); return Matcher(regex: #"'(?:[^'\\]|\\.)*'"#, conversion: .none)
        case "uuid": try noArguments(); return Matcher(regex: builtin("UUID"), conversion: .none)
        case "mac":
            try noArguments()
            return Matcher(regex: #"(?:(?:[A-Fa-f0-9]{2}[:-]){5}[A-Fa-f0-9]{2}|(?:[A-Fa-f0-9]{4}\.){2}[A-Fa-f0-9]{4})(?![A-Fa-f0-9:])"#, conversion: .none)
        case "ip": try noArguments(); return Matcher(regex: builtin("IP"), conversion: .none)
        case "ipv4": try noArguments(); return Matcher(regex: builtin("IPV4"), conversion: .none)
        case "ipv6": try noArguments(); return Matcher(regex: builtin("IPV6"), conversion: .none)
        case "hostname": try noArguments(); return Matcher(regex: builtin("HOSTNAME"), conversion: .none)
        case "ipOrHost": try noArguments(); return Matcher(regex: "(?:\(builtin("IP"))|\(builtin("HOSTNAME")))", conversion: .none)
        case "port": try noArguments(); return Matcher(regex: #"\b(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3}|0)\b"#, conversion: .integer)
        case "date":
            guard (1...3).contains(arguments.count) else {
                throw GrokError(.malformedReference, "date takes a Java date pattern (and optionally a time zone and a locale), as in date(\"yyyy-MM-dd HH:mm:ss\")", offset: offset)
            }
            let zone = arguments.count > 1 && !arguments[1].isEmpty ? arguments[1] : nil
            if let zone, JavaDatePattern.zone(named: zone) == nil {
                throw GrokError(.malformedReference, "date: unknown time zone '\(zone)' (GMT, UTC, +hh:mm, UTC+h or a TZ database name such as Europe/Paris)", offset: offset)
            }
            if arguments.count == 3, !arguments[2].isEmpty, !arguments[2].lowercased().hasPrefix("en") {
                throw GrokError(.unsupported, "date: locale '\(arguments[2])' is not supported; month and day names are read in English only", offset: offset)
            }
            return Matcher(regex: try JavaDatePattern.regex(arguments[0], offset: offset),
                           conversion: .date(.init(pattern: arguments[0], timeZone: zone)))
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

    /// Every filter name ``conversion(_:arguments:offset:)`` takes.
    static let filterNames: Set = [
        "int", "float", "integer", "number", "boolean", "nullIf", "json", "rubyhash", "useragent", "querystring",
        "decodeuricomponent", "lowercase", "uppercase", "keyvalue", "xml", "csv", "scale", "array", "url",
    ]

    /// The conversion a filter or Logstash type names.
    static func conversion(_ name: String, arguments: [String], offset: Int) throws(GrokError) -> FieldConversion {
        func none() throws(GrokError) {
            if !arguments.isEmpty { throw GrokError(.malformedReference, "'\(name)' takes no arguments", offset: offset) }
        }
        func fail(_ message: String) -> GrokError { GrokError(.malformedReference, message, offset: offset) }
        switch name {
        case "int", "integer": try none(); return .integer
        case "float", "number": try none(); return .float
        case "boolean": try none(); return .boolean(trueWord: nil, falseWord: nil)
        case "lowercase": try none(); return .lowercase
        case "uppercase": try none(); return .uppercase
        case "decodeuricomponent": try none(); return .decodeURIComponent
        case "nullIf":
            guard arguments.count == 1 else { throw fail("nullIf takes one argument, the value to drop") }
            return .nullIf(arguments[0])
        case "json": try none(); return .json(.json)
        case "rubyhash": try none(); return .json(.rubyHash)
        case "xml": try none(); return .json(.xml)
        case "querystring": try none(); return .json(.queryString)
        case "url": try none(); return .json(.url)
        case "useragent":
            // useragent([decodeuricomponent:true/false])
            guard arguments.count <= 1 else { throw fail("useragent takes at most one argument, decodeuricomponent:true or decodeuricomponent:false") }
            guard let argument = arguments.first else { return .json(.userAgent(decode: false)) }
            let compact = argument.replacingOccurrences(of: " ", with: "").lowercased()
            switch compact {
            case "decodeuricomponent:true", "true": return .json(.userAgent(decode: true))
            case "decodeuricomponent:false", "false": return .json(.userAgent(decode: false))
            default: throw fail("useragent's argument is decodeuricomponent:true or decodeuricomponent:false, not '\(argument)'")
            }
        case "keyvalue":
            guard arguments.count <= 4 else {
                throw fail("keyvalue takes at most 4 arguments (separator, allowed characters, quotes, delimiter)")
            }
            var options = FieldConversion.KeyValueOptions()
            if arguments.count > 0 { options.separator = arguments[0] }
            if arguments.count > 1 { options.allowed = arguments[1] }
            if arguments.count > 2 { options.quotes = arguments[2] }
            if arguments.count > 3 { options.delimiter = arguments[3] }
            if options.separator.isEmpty { throw fail("keyvalue's separator must not be empty") }
            guard options.quotes.utf8.allSatisfy({ $0 < 0x80 }) else { throw fail("keyvalue's quoting characters must be ASCII") }
            return .keyValue(options)
        case "csv":
            guard (1...3).contains(arguments.count) else {
                throw fail("csv takes the headers, and optionally a separator and a quoting character: csv(\"a,b,c\", \",\", \"\\\"\")")
            }
            let headers = arguments[0].split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard !headers.contains(where: \.isEmpty) else { throw fail("csv: every header must have a name ('\(arguments[0])')") }
            var options = FieldConversion.CSVOptions(headers: headers)
            if arguments.count > 1 {
                let separator = arguments[1] == "tab" ? "\t" : arguments[1]
                guard separator.utf8.count == 1, let b = separator.utf8.first, b < 0x80 else {
                    throw fail("csv's separator is one character (or tab), not '\(arguments[1])'")
                }
                options.separator = b
            }
            if arguments.count > 2 {
                guard arguments[2].utf8.count == 1, let b = arguments[2].utf8.first, b < 0x80 else {
                    throw fail("csv's quoting character is one character, not '\(arguments[2])'")
                }
                options.quote = b
            }
            return .json(.csv(options))
        case "scale":
            guard arguments.count == 1, let factor = Double(arguments[0].trimmingCharacters(in: .whitespaces)), factor.isFinite else {
                throw fail("scale takes one argument, a number: scale(10)")
            }
            return .scale(factor)
        case "array":
            return .array(try arrayOptions(arguments, offset: offset))
        default:
            throw fail("unknown conversion '\(name)'; Logstash types are int and float, Datadog filters number, integer, boolean, nullIf, json, rubyhash, useragent, querystring, decodeuricomponent, lowercase, uppercase, keyvalue, xml, csv, scale, array, url")
        }
    }

    /// `array([[openCloseStr, ] separator][, subRuleOrFilter])`.
    static func arrayOptions(_ arguments: [String], offset: Int) throws(GrokError) -> FieldConversion.ArrayOptions {
        func fail(_ message: String) -> GrokError { GrokError(.malformedReference, message, offset: offset) }
        var arguments = arguments
        var options = FieldConversion.ArrayOptions()
        // The last argument names a filter (`integer`, `nullIf("-")`): always with three
        // arguments; with fewer, when it is a filter's name (else it is a separator).
        if let last = arguments.last, let call = try? Reference.call(last),
            arguments.count == 3 || filterNames.contains(call.name)
        {
            guard filterNames.contains(call.name) else {
                throw GrokError(.unsupported, "array: '\(call.name)' is not a filter; sub-rules as array elements are not supported by Tracejoin", offset: offset)
            }
            let element = try conversion(call.name, arguments: call.arguments, offset: offset)
            switch element {
            case .none: options.element = .none
            case .integer: options.element = .integer
            case .float: options.element = .float
            case .boolean: options.element = .boolean
            case .lowercase: options.element = .lowercase
            case .uppercase: options.element = .uppercase
            case .decodeURIComponent: options.element = .decodeURIComponent
            case .nullIf(let v): options.element = .nullIf(v)
            case .scale(let f): options.element = .scale(f)
            case .json, .keyValue, .date, .array:
                throw GrokError(.unsupported, "array: filter '\(call.name)' gives an object or a list, not one value; it cannot be applied to array elements", offset: offset)
            }
            arguments.removeLast()
        }
        switch arguments.count {
        case 0: break
        case 1: options.separator = arguments[0]
        case 2:
            let pair = Array(arguments[0])
            guard pair.count == 2 else { throw fail("array's first argument is the opening and closing characters, as in \"[]\", not '\(arguments[0])'") }
            options.open = String(pair[0])
            options.close = String(pair[1])
            options.separator = arguments[1]
        default:
            throw fail("array takes at most the opening and closing characters, a separator and a filter: array(\"[]\", \",\", integer)")
        }
        if options.separator.isEmpty { throw fail("array's separator must not be empty") }
        return options
    }
}
