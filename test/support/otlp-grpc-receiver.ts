import { Server, ServerCredentials, type ServiceDefinition } from '@grpc/grpc-js';

const raw = (bytes: Buffer) => bytes;

// The collector's trace service, taken as raw bytes: the tests look for strings in the protobuf
// export request, as the OTLP/HTTP protobuf test does, without decoding it.
const TRACE_SERVICE: ServiceDefinition = {
  Export: {
    path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
    requestStream: false,
    responseStream: false,
    requestSerialize: raw,
    requestDeserialize: raw,
    responseSerialize: raw,
    responseDeserialize: raw,
  },
};

/** The receiving end of an OTLP/gRPC exporter, as a collector's port 4317 would be: keeps every export request. */
export class OtlpGrpcReceiver {
  readonly exports: Buffer[] = [];
  private readonly server = new Server();
  private port = 0;

  async start(): Promise<this> {
    this.server.addService(TRACE_SERVICE, {
      // An empty ExportTraceServiceResponse: everything was taken.
      Export: (call: { request: Buffer }, answer: (error: null, response: Buffer) => void) => {
        this.exports.push(call.request);
        answer(null, Buffer.alloc(0));
      },
    });
    this.port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve(port))),
    );
    return this;
  }

  /** What OTEL_EXPORTER_OTLP_ENDPOINT is set to (gRPC takes the base URL as it is). */
  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  stop(): void {
    this.server.forceShutdown();
  }
}
