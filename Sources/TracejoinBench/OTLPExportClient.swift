import GRPCCore
import GRPCNIOTransportHTTP2Posix
import GRPCProtobuf
import Intake

/// Sends ready-made ExportTraceServiceRequest bytes to an OTLP/gRPC listener over one HTTP/2
/// connection, `concurrency` calls at a time: what `tracejoin-bench bench-intake --grpc` measures the
/// server with (the bytes are made before the clock starts).
enum OTLPExportClient {
    struct RawSerializer: MessageSerializer {
        func serialize<Bytes: GRPCContiguousBytes>(_ message: [UInt8]) throws -> Bytes { Bytes(message) }
    }

    /// Exports every body; throws the first failure (an `RPCError` with the server's status).
    static func exportTraces(_ bodies: [[UInt8]], host: String, port: Int, concurrency: Int) async throws {
        let transport = try HTTP2ClientTransport.Posix(
            target: .ipv4(address: host, port: port), transportSecurity: .plaintext,
            config: .defaults { $0.http2.maxFrameSize = 1 << 20 })
        try await withGRPCClient(transport: transport) { client in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<concurrency {
                    group.addTask {
                        for (i, body) in bodies.enumerated() where i % concurrency == worker {
                            _ = try await client.unary(
                                request: ClientRequest(message: body),
                                descriptor: MethodDescriptor(fullyQualifiedService: "opentelemetry.proto.collector.trace.v1.TraceService", method: "Export"),
                                serializer: RawSerializer(),
                                deserializer: ProtobufDeserializer<Tracejoin_Otlp_ExportTraceServiceResponse>(),
                                options: .defaults) { try $0.message }
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
    }
}
