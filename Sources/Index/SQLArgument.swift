/// A value bound to a statement built at run time.
enum SQLArgument: Sendable {
    case int(Int64?)
    case text(String)
    case double(Double)

    func bind(_ statement: borrowing RawStatement, _ i: Int32) {
        switch self {
        case .int(let v): statement.bind(i, v)
        case .text(let v): statement.bind(i, v)
        case .double(let v): statement.bind(i, v)
        }
    }
}
