// The indexes that keep taking up new files O(n log n) in their number: a scan of a big tree
// finds tens of thousands of files at once, and comparing each with every other (a sort, a
// search through a list, per candidate) kept a core busy without end (issue 24).

/// File starts (their first bytes), to find the ones a new file is a copy of
/// (`Fingerprint.isCopy`: the shorter start begins the longer one, and that stretch holds a whole
/// line) without comparing the new file with each.
///
/// In byte order, the starts that begin with the new file's start are one run, found by binary
/// search; the starts that the new file's start begins with (shorter ones) are found by the hash
/// of their whole length, one look-up per length. Entries are active or not (a candidate becomes
/// one when it is taken up as a live file, a truncation stops being one when its copy is found);
/// the answer is the least key among the active entries that match, exactly what comparing the
/// new file with each active entry in key order would find first.
struct CopyIndex<Key: Comparable> {
    private let starts: [[UInt8]]
    /// Entries in byte order of their starts.
    private let order: [Int]
    /// Each entry's place in `order`.
    private let place: [Int]
    /// For a place that begins a run of equal starts, where the run ends.
    private let runEnd: [Int]
    /// Runs of equal starts by the length of the start (the array index), then the hash of the
    /// whole start: the places where they begin.
    private let runs: [[UInt64: [Int]]]
    private var keys: LeastTree<Key>

    /// Below this many starts sharing the new file's first line, they are compared one by one.
    static var scanLimit: Int { 32 }

    init(_ starts: [[UInt8]]) {
        self.starts = starts
        let order = Array(starts.indices).sorted { starts[$0].lexicographicallyPrecedes(starts[$1]) }
        var place = [Int](repeating: 0, count: starts.count)
        for (p, entry) in order.enumerated() { place[entry] = p }
        var runEnd = [Int](repeating: 0, count: order.count)
        var runs: [[UInt64: [Int]]] = []
        var p = 0
        while p < order.count {
            let bytes = starts[order[p]]
            var end = p + 1
            while end < order.count && starts[order[end]] == bytes { end += 1 }
            runEnd[p] = end
            if !bytes.isEmpty {
                if runs.count <= bytes.count { runs += [[UInt64: [Int]]](repeating: [:], count: bytes.count + 1 - runs.count) }
                runs[bytes.count][Fingerprint.wholeHash(bytes), default: []].append(p)
            }
            p = end
        }
        self.order = order
        self.place = place
        self.runEnd = runEnd
        self.runs = runs
        keys = LeastTree(count: order.count)
    }

    mutating func activate(_ entry: Int, key: Key) { keys.set(place[entry], key) }

    mutating func deactivate(_ entry: Int) { keys.set(place[entry], nil) }

    /// The least key among the active entries that a file starting with `start` is a copy of.
    /// `hashes` are `Fingerprint.runningHashes(start)`.
    func leastCopy(of start: [UInt8], hashes: [UInt64]) -> Key? {
        // The stretch both files share holds a whole line only if the new file's start has one.
        guard let newline = start.firstIndex(of: 0x0A), !order.isEmpty else { return nil }
        let line = newline + 1
        // Every match begins with the new file's first line.
        let sameLine = range(beginningWith: start[..<line])
        guard !sameLine.isEmpty else { return nil }
        if sameLine.count <= Self.scanLimit {
            var best: Key?
            for p in sameLine {
                guard let key = keys[p], Fingerprint.isCopy(start, of: starts[order[p]]) else { continue }
                best = LeastTree<Key>.least(best, key)
            }
            return best
        }
        // Starts that begin with the whole of the new file's (or equal it)…
        var best = keys.least(in: range(beginningWith: start[...]))
        // …and shorter starts that the new file's begins with, holding its first line.
        for length in stride(from: line, to: min(start.count, runs.count), by: 1) where !runs[length].isEmpty {
            guard let places = runs[length][hashes[length]] else { continue }
            for p in places where starts[order[p]].elementsEqual(start[..<length]) {
                best = LeastTree<Key>.least(best, keys.least(in: p..<runEnd[p]))
            }
        }
        return best
    }

    /// The places whose starts begin with `bytes`: one run in byte order.
    private func range(beginningWith bytes: ArraySlice<UInt8>) -> Range<Int> {
        // Before the run, the starts that sort before `bytes`; after it, those that sort after
        // it without beginning with it.
        let low = firstPlace { !starts[$0].lexicographicallyPrecedes(bytes) }
        let high = firstPlace { !starts[$0].lexicographicallyPrecedes(bytes) && !starts[$0].starts(with: bytes) }
        return low..<max(low, high)
    }

    /// The first place whose entry passes `test`, which every entry after one that passes passes too.
    private func firstPlace(where test: (Int) -> Bool) -> Int {
        var low = 0
        var high = order.count
        while low < high {
            let middle = low + (high - low) / 2
            if test(order[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}

/// The least key over any range of places, keys set and cleared one at a time: a segment tree.
struct LeastTree<Key: Comparable> {
    private var nodes: [Key?]
    private let count: Int

    init(count: Int) {
        self.count = count
        nodes = [Key?](repeating: nil, count: 2 * count)
    }

    subscript(place: Int) -> Key? { nodes[count + place] }

    mutating func set(_ place: Int, _ key: Key?) {
        var i = count + place
        nodes[i] = key
        while i > 1 {
            i /= 2
            nodes[i] = Self.least(nodes[2 * i], nodes[2 * i + 1])
        }
    }

    func least(in range: Range<Int>) -> Key? {
        var low = range.lowerBound + count
        var high = range.upperBound + count
        var best: Key?
        while low < high {
            if low & 1 == 1 {
                best = Self.least(best, nodes[low])
                low += 1
            }
            if high & 1 == 1 {
                high -= 1
                best = Self.least(best, nodes[high])
            }
            low /= 2
            high /= 2
        }
        return best
    }

    static func least(_ a: Key?, _ b: Key?) -> Key? {
        guard let a else { return b }
        guard let b else { return a }
        return b < a ? b : a
    }
}

/// A binary heap, least element first.
struct MinHeap<Element: Comparable> {
    private(set) var elements: [Element] = []

    init() {}

    init(_ elements: [Element]) {
        self.elements = elements
        var i = elements.count / 2
        while i > 0 {
            i -= 1
            siftDown(i)
        }
    }

    var count: Int { elements.count }

    mutating func push(_ element: Element) {
        elements.append(element)
        var i = elements.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard elements[i] < elements[parent] else { break }
            elements.swapAt(i, parent)
            i = parent
        }
    }

    mutating func pop() -> Element? {
        guard !elements.isEmpty else { return nil }
        elements.swapAt(0, elements.count - 1)
        let least = elements.removeLast()
        if !elements.isEmpty { siftDown(0) }
        return least
    }

    private mutating func siftDown(_ start: Int) {
        var i = start
        while true {
            let left = 2 * i + 1
            let right = left + 1
            var least = i
            if left < elements.count && elements[left] < elements[least] { least = left }
            if right < elements.count && elements[right] < elements[least] { least = right }
            guard least != i else { return }
            elements.swapAt(i, least)
            i = least
        }
    }
}
