import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An S3 error answer: HTTP status, S3 error code, message. */
export type S3ErrorAnswer = readonly [status: number, code: string, message: string];

export interface S3Front {
  port: number;
  close(): Promise<void>;
}

/**
 * An HTTP front to a real S3 server: each request goes to `refuse` (with its URL and whole body), which
 * may answer it with an S3 error; everything else passes through with its Host header untouched, so
 * request signatures stay valid. For stores that answer some calls otherwise than the test Ceph.
 */
export async function startS3Front(target: URL, refuse: (req: IncomingMessage, url: URL, body: Buffer) => S3ErrorAnswer | undefined): Promise<S3Front> {
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://front');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const refusal = refuse(req, url, body);
    if (refusal) {
      const [status, code, message] = refusal;
      res.writeHead(status, { 'Content-Type': 'application/xml' });
      res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><Resource>${url.pathname}</Resource><RequestId>front</RequestId></Error>`);
      return;
    }
    const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (reply) => {
      res.writeHead(reply.statusCode ?? 502, reply.headers);
      reply.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    upstream.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
