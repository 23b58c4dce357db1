import Foundation
import Intake
import TraceContext
import TracejoinModel
import Testing

@Suite("OTLP log records")
struct OTLPLogDecoderTests {
    static let json = #"""
        {"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"checkout"}}]},
          "scopeLogs":[{"scope":{"name":"app"},"logRecords":[
            {"timeUnixNano":"1764000000123456789","severityNumber":"SEVERITY_NUMBER_WARN2","body":{"stringValue":"slow <query>"},
             "traceId":"8000000000000001fedcba9876543210","spanId":"ffffffffffffffff",
             "attributes":[{"key":"code.lineno","value":{"intValue":"42"}},{"key":"ratio","value":{"doubleValue":0.5}},
                           {"key":"tags","value":{"arrayValue":{"values":[{"stringValue":"a"},{"intValue":2}]}}}]},
            {"observedTimeUnixNano":1764000000000000000,"severityText":"notice","traceId":"8000000000000001fedcba9876543210",
             "body":{"kvlistValue":{"values":[{"key":"user","value":{"stringValue":"ann \"x\""}},{"key":"n","value":{"intValue":"3"}}]}}},
            {"severityNumber":9,"body":{"stringValue":"outside any span"},"traceId":"","spanId":""}
          ]}]}]}
        """#

    /// Each record keeps its resource's service name: a huge name over many records is
    /// refused once the copies pass 64 MiB.
    @Test func serviceNameCopiesAreBounded() throws {
        func request(records: Int) -> Data {
            let record = #"{"traceId":"457dcf6aef3b9e387c5151ce8d6c2902","body":{"stringValue":"x"}}"#
            let name = String(repeating: "s", count: 1 << 20)
            return Data((#"{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":""#
                + name + #""}}]},"scopeLogs":[{"logRecords":["# + Array(repeating: record, count: records).joined(separator: ",")
                + "]}]}]}").utf8)
        }
        // 64 copies of the 1 MiB name are exactly the bound.
        #expect(try OTLPLogDecoder.decodeJSON(request(records: 64), options: .init()).records.count == 64)
        do {
            _ = try OTLPLogDecoder.decodeJSON(request(records: 70), options: .init())
            Issue.record("70 copies of a 1 MiB service name were accepted")
        } catch {
            #expect(error.message.hasPrefix("log record 64: its resource's service.name (1048576 bytes)"), "\(error.message)")
        }
    }

    @Test func jsonRecordsKeepExactIDsAndReadAsLines() throws {
        let decoded = try OTLPLogDecoder.decodeJSON(Data(Self.json.utf8), options: .init())
        #expect(decoded.total == 3 && decoded.traced == 2)
        #expect(decoded.records.count == 2)
        let first = decoded.records[0]
        #expect(first.traceID == TraceID(high: 0x8000_0000_0000_0001, low: 0xfedc_ba98_7654_3210))
        #expect(first.spanID == SpanID(UInt64.max))
        #expect(first.level == "WARN")
        #expect(first.message == "slow <query>")
        #expect(first.time == "2025-11-24T16:00:00.123456789Z")
        #expect(first.raw == "2025-11-24T16:00:00.123456789Z WARN slow <query>")
        #expect(first.fields == [
            .init(name: "service.name", value: "checkout"), .init(name: "code.lineno", value: .integer(42)),
            .init(name: "ratio", value: .float(0.5)), .init(name: "tags", value: #"["a",2]"#),
        ])
        #expect(first.source == "otlp" && first.rule == "otlp" && first.file == "otlp/http")
        // No time: the observed time; severity text wins over the number; a structured body is JSON.
        let second = decoded.records[1]
        #expect(second.time == "2025-11-24T16:00:00.000000000Z")
        #expect(second.level == "notice")
        #expect(second.message == #"{"user":"ann \"x\"","n":3}"#)
        #expect(second.spanID == nil)
    }

    @Test func untracedRecordsAreKeptWhenAsked() throws {
        let decoded = try OTLPLogDecoder.decodeJSON(Data(Self.json.utf8), options: .init(source: "app", keepUntraced: true))
        #expect(decoded.records.count == 3)
        let last = try #require(decoded.records.last)
        #expect(last.traceID == nil && last.level == "INFO" && last.raw == "INFO outside any span" && last.source == "app")
    }

    @Test(arguments: [
        (#"{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"traceId":"0102"}]}]}]}"#, "log record 0: trace_id must be 16 bytes, got 2"),
        (#"{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"traceId":"zz"}]}]}]}"#, "log record 0: traceId 'zz' is not hex"),
        (#"{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"spanId":"0000000000000001"}]}]}]}"#, "log record 0: span_id is set without a trace_id"),
        (#"{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"severityNumber":"LOUD"}]}]}]}"#, "unknown severity 'LOUD'"),
        (#"{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":{"bytesValue":"!!"}}]}]}]}"#, "bytesValue is not base64"),
        (#"{"resourceLogs":7}"#, "not OTLP/JSON logs"),
    ])
    func badJSONIsNamed(body: String, reason: String) {
        let error = #expect(throws: OTLPDecoder.Failure.self) { try OTLPLogDecoder.decodeJSON(Data(body.utf8), options: .init()) }
        #expect(error?.message.contains(reason) == true, "\(error?.message ?? "")")
    }

    @Test func severityNamesMapToTheirNumbers() throws {
        for (name, level) in [("TRACE", "TRACE"), ("DEBUG4", "DEBUG"), ("INFO", "INFO"), ("ERROR3", "ERROR"), ("FATAL4", "FATAL")] {
            let body = #"{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"severityNumber":"SEVERITY_NUMBER_\#(name)","traceId":"00000000000000000000000000000001"}]}]}]}"#
            let decoded = try OTLPLogDecoder.decodeJSON(Data(body.utf8), options: .init())
            #expect(decoded.records.first?.level == level, "\(name)")
        }
    }

    /// Protobuf, written by hand field by field, so the test does not lean on the generated
    /// encoder the decoder uses.
    static func protobufRecord(traceID: [UInt8]) -> [UInt8] {
        func field(_ number: UInt8, _ bytes: [UInt8]) -> [UInt8] { [number << 3 | 2, UInt8(bytes.count)] + bytes }
        var record: [UInt8] = [1 << 3 | 1] + withUnsafeBytes(of: UInt64(1_764_000_000_000_000_000).littleEndian, Array.init)
        record += [2 << 3, 17]  // severity_number 17: ERROR
        record += field(5, field(1, Array("boom".utf8)))  // body.string_value
        record += field(9, traceID)
        record += field(10, [0, 0, 0, 0, 0, 0, 0, 9])
        let scope = field(2, record)
        let resourceLogs = field(2, scope)
        return field(1, resourceLogs)
    }

    @Test func protobufRecords() throws {
        let trace: [UInt8] = [0x80] + Array(repeating: 0, count: 14) + [5]
        let decoded = try OTLPLogDecoder.decodeProtobuf(Data(Self.protobufRecord(traceID: trace)), options: .init(origin: "otlp/grpc"))
        let r = try #require(decoded.records.first)
        #expect(r.traceID == TraceID(high: 0x8000_0000_0000_0000, low: 5))
        #expect(r.spanID == SpanID(9))
        #expect(r.level == "ERROR" && r.message == "boom" && r.file == "otlp/grpc")
    }

    @Test func brokenProtobufIsLocatedByFieldAndOffset() {
        var bytes = Self.protobufRecord(traceID: Array(repeating: 1, count: 16))
        bytes.removeLast(4)
        let error = #expect(throws: OTLPDecoder.Failure.self) { try OTLPLogDecoder.decodeProtobuf(Data(bytes), options: .init()) }
        // The outer lengths now run past the end; the first to do so is resource_logs[0]'s.
        #expect(error?.message.hasPrefix("not an OTLP ExportLogsServiceRequest (protobuf): resource_logs[0] at byte 1: length") == true,
                "\(error?.message ?? "")")
    }

    @Test func theLocatorNamesNestedFieldsAndBadUTF8() {
        // A span whose name (a string) is not UTF-8, inside resource_spans[0].scope_spans[1].
        func field(_ number: UInt8, _ bytes: [UInt8]) -> [UInt8] { [number << 3 | 2, UInt8(bytes.count)] + bytes }
        let span = field(5, [0xff, 0xfe])
        let payload = field(1, field(2, []) + field(2, field(2, span)))
        let error = #expect(throws: OTLPDecoder.Failure.self) { try OTLPDecoder.decodeProtobuf(Data(payload)) }
        #expect(error?.message.hasSuffix("resource_spans[0].scope_spans[1].spans[0].name at byte 10: string is not valid UTF-8") == true,
                "\(error?.message ?? "")")
    }
}
