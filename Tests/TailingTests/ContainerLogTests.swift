import Foundation
import Testing
import TracejoinModel

@testable import Tailing

@Suite("Container runtimes' log formats")
struct ContainerLogTests {
    func decode(_ line: String, _ format: LogFormat) -> (String, ContainerRecord)? {
        var text: [UInt8] = []
        let bytes = Array(line.utf8)
        guard let record = bytes.withUnsafeBufferPointer({ ContainerLog.decode($0, as: format, into: &text) }) else {
            #expect(text.isEmpty, "a refused line leaves nothing behind")
            return nil
        }
        return (String(decoding: text, as: UTF8.self), record)
    }

    @Test func criRecordsAsContainerdAndCRIOWriteThem() throws {
        let (text, r) = try #require(decode("2026-12-06T19:31:21.822758924Z stdout F hello world", .cri))
        #expect(text == "hello world")
        #expect(r.stream == .stdout && !r.partial)
        #expect(r.time == 1_796_585_481_822_758_924)
        let (part, p) = try #require(decode("2026-12-06T20:31:21.5+01:00 stderr P first part ", .cri))
        #expect(part == "first part " && p.partial && p.stream == .stderr)
        #expect(p.time == 1_796_585_481_500_000_000)
        // An empty line, and a tag with more after ':'.
        #expect(decode("2026-12-06T19:31:21Z stdout F", .cri)?.0 == "")
        #expect(decode("2026-12-06T19:31:21Z stdout F:x text", .cri)?.0 == "text")
        // Not CRI: taken as the app's own line by the reader.
        for line in ["hello", "2026-12-06T19:31:21Z stdin F x", "2026-12-06T19:31:21Z stdout X x", "2026-13-06T19:31:21Z stdout F x",
                     "2026-12-06 stdout F x", "2026-12-06T19:31:21Z stdout", "2026-12-06T19:31:21Z stdout FF x"] {
            #expect(decode(line, .cri) == nil, "\(line)")
        }
    }

    @Test func dockerJSONFileRecordsWithEscapesAndSplitLines() throws {
        let (text, r) = try #require(decode(#"{"log":"say \"hi\"\\ \t tab é \u00e9 \ud83d\ude00\n","stream":"stderr","time":"2026-12-06T19:31:21.822758924Z"}"#, .docker))
        #expect(text == "say \"hi\"\\ \t tab é é 😀")
        #expect(r.stream == .stderr && !r.partial && r.time == 1_796_585_481_822_758_924)
        // A part of a line over 16 KiB: no trailing newline.
        let (part, p) = try #require(decode(#"{"log":"part","stream":"stdout","time":"2026-12-06T19:31:21Z"}"#, .docker))
        #expect(part == "part" && p.partial)
        // Keys in another order, attrs of any shape, CRLF.
        let (t2, r2) = try #require(decode(#"{"stream":"stdout","attrs":{"a":[1,{"b":null}],"c":true},"log":"x\r\n","time":"2026-12-06T19:31:21Z"}"#, .docker))
        #expect(t2 == "x" && !r2.partial && r2.stream == .stdout)
        // A lone surrogate is U+FFFD, never a trap.
        #expect(decode(#"{"log":"\ud800x\n"}"#, .docker)?.0 == "\u{FFFD}x")
        #expect(decode(#"{"log":"\udc00\n"}"#, .docker)?.0 == "\u{FFFD}")
        // An unknown escape stands for the byte itself, as everywhere the project reads JSON.
        #expect(decode(#"{"log":"a\q\n"}"#, .docker)?.0 == "aq")
        for line in [#"{"log":"x"#, #"{"log":1}"#, #"{"stream":"stdout"}"#, #"{"log":"a"} x"#, "not json",
                     #"{"log":"a","log":"b"}"#, #"{"log":"\u12"}"#, "{" + String(repeating: #""a":["#, count: 100)] {
            #expect(decode(line, .docker) == nil, "\(line)")
        }
    }

    @Test func autoTellsTheFormatsApartByTheirShape() {
        #expect(decode("2026-12-06T19:31:21Z stdout F cri", .auto)?.0 == "cri")
        #expect(decode(#"{"log":"docker\n"}"#, .auto)?.0 == "docker")
        #expect(decode("plain text", .auto) == nil)
        #expect(decode(#"{"msg":"an app's JSON line"}"#, .auto) == nil)
        #expect(decode("2026-12-06 10:00:00 an app line starting with a date", .auto) == nil)
    }

    @Test func rfc3339TimesAndTheirLimits() {
        func ns(_ s: String) -> Int64? { Array(s.utf8).withUnsafeBufferPointer(RFC3339.nanoseconds) }
        #expect(ns("1970-01-01T00:00:00Z") == 0)
        #expect(ns("1970-01-01T00:00:01.5Z") == 1_500_000_000)
        #expect(ns("1970-01-01T01:00:00+01:00") == 0)
        #expect(ns("1969-12-31T23:59:59Z") == -1_000_000_000)
        #expect(ns("2000-02-29T00:00:00Z") == 951_782_400_000_000_000)
        // Beyond 64-bit nanoseconds, or malformed: no time (never a trap).
        for bad in ["9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "2026-12-06T19:31:21", "2026-12-06T24:00:00Z", "2026-12-06T19:31:21.Z",
                    "2026-12-06T19:31:21Zjunk", "x"] {
            #expect(ns(bad) == nil, "\(bad)")
        }
    }

    @Test func thePodComesFromThePath() {
        let pod = PodPath.pod(of: "/var/log/pods/shop_web-7d9f8-abcde_0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b/app/0.log")
        #expect(pod == PodPath.Pod(namespace: "shop", pod: "web-7d9f8-abcde", uid: "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b", container: "app"))
        // The kubelet's rotated name.
        #expect(PodPath.pod(of: "/var/log/pods/shop_web-1_0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b/app/0.log.20261206-193000")?.container == "app")
        let link = PodPath.pod(of: "/var/log/containers/web-1_shop_app-" + String(repeating: "ab", count: 32) + ".log")
        #expect(link == PodPath.Pod(namespace: "shop", pod: "web-1", uid: nil, container: "app"))
        for path in ["/var/log/app.log", "/var/log/containers/web-1_shop_app-123.log", "/srv/a_b/c/d.log", "/var/log/pods/x/app/0.log"] {
            #expect(PodPath.pod(of: path) == nil, "\(path)")
        }
        #expect(PodPath.fields(of: "/var/log/pods/shop_web-1_0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b/app/0.log").map(\.name)
                == ["k8s.namespace", "k8s.pod", "k8s.pod_uid", "k8s.container"])
    }

    @Test func splitLinesAreJoinedAndTheCheckpointNeverFallsBetweenTheirParts() throws {
        let dir = try TempDir()
        let sink = MemorySink()
        let source = TailSource(name: "test", paths: [dir.url("*.log")], parser: EchoParser(),
                                multiline: MultilineSettings(start: DigitStart(), timeout: .seconds(1)), format: .cri)
        var driver = Driver(sources: [source], sink: sink)
        let t = "2026-12-06T19:31:21.000000001Z"
        dir.append("0.log", "\(t) stdout F 1 first\n\(t) stdout P 2 a long \n\(t) stdout P line in \n")
        driver.pass()
        driver.pass(advance: .seconds(2))
        // "1 first" is whole; the split line waits for its F, its parts not consumed.
        #expect(sink.messages == ["1 first"])
        let checkpoint = try #require(sink.checkpoints.values.first)
        #expect(checkpoint.offset == Int64("\(t) stdout F 1 first\n".utf8.count))
        // A restart in the middle of the split line reads it from its first part.
        driver.restart(crashBeforeCommit: true)
        dir.append("0.log", "\(t) stdout F three parts\n\(t) stderr F Traceback (most recent call last):\n\(t) stderr F   File \"x.py\"\n\(t) stdout F 3 next\n")
        driver.pass()
        #expect(sink.messages == ["1 first", "2 a long line in three parts\nTraceback (most recent call last):\n  File \"x.py\""])
        // Stream, runtime time (the line's time, having none of its own), no pod (not a pod path).
        let record = try #require(sink.records.last)
        #expect(record.fields.contains { $0.name == "stream" && $0.value == .string("stdout") })
        #expect(record.timeNanoseconds == 1_796_585_481_000_000_001)
        #expect(record.raw.hasPrefix("2 a long line in three parts"))
        #expect(!record.raw.contains("stdout"))
    }

    @Test func dockerSplitLinesJoinAndEnvelopesLeaveTheStoredLine() throws {
        let dir = try TempDir()
        let sink = MemorySink()
        let source = TailSource(name: "test", paths: [dir.url("*.log")], parser: EchoParser(), format: .auto)
        var driver = Driver(sources: [source], sink: sink)
        dir.append("c.log", #"{"log":"big ","stream":"stdout","time":"2026-12-06T19:31:21Z"}"# + "\n"
                   + #"{"log":"line \"quoted\"\n","stream":"stdout","time":"2026-12-06T19:31:21Z"}"# + "\n"
                   + "a plain line\n")
        driver.pass()
        driver.drain()
        #expect(sink.messages == ["big line \"quoted\"", "a plain line"])
        #expect(sink.records.first?.raw == "big line \"quoted\"")
        #expect(sink.records.last?.fields.contains { $0.name == "stream" } == false)
    }
}
