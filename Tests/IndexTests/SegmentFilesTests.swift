import Foundation
@testable import Index
import Testing

@Suite("Segment files")
struct SegmentFilesTests {
    /// A block's place comes from the catalog: a damaged row (a negative length, one of a
    /// terabyte) was an allocation of that many bytes, which trapped. It is a failed read, as a
    /// segment cut short is.
    @Test(arguments: [(0, -1), (0, 1 << 40), (0, Int.max), (2, 3), (Int64.max, 1), (-1, 1)] as [(Int64, Int)])
    func aPlacePastItsSegmentIsAFailedRead(_ offset: Int64, _ length: Int) throws {
        let dir = NSTemporaryDirectory() + "tj-segments-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let files = try SegmentFiles(directory: dir, segmentBytes: 1 << 20)
        let place = try files.append([1, 2, 3, 4])
        #expect(try files.read(place.segment, offset: place.offset, length: 4) == [1, 2, 3, 4])
        #expect(throws: SegmentFiles.IOError.self) { try files.read(place.segment, offset: place.offset + offset, length: length) }
    }
}
