import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP front to a real S3 server that answers the bucket CORS calls the way free MinIO does
 * (cmd/dummy-handlers.go, RELEASE.2025-04-22T22-12-26Z): GetBucketCors says there is none,
 * PutBucketCors is NotImplemented. Everything else passes through with its Host header untouched,
 * so the request signatures stay valid.
 */
export async function startMinioCorsFront(target: URL): Promise<{ port: number; corsCalls: string[]; close(): Promise<void> }> {
  const corsCalls: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://front');
    if (url.searchParams.has('cors')) {
      corsCalls.push(`${req.method} ${url.pathname.replace(/\/$/, '')}`);
      req.resume();
      const [status, code, message] =
        req.method === 'GET' ? [404, 'NoSuchCORSConfiguration', 'The CORS configuration does not exist'] : [501, 'NotImplemented', 'A header you provided implies functionality that is not implemented'];
      res.writeHead(status, { 'Content-Type': 'application/xml' });
      res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><Resource>${url.pathname}</Resource><RequestId>front</RequestId></Error>`);
      return;
    }
    const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    corsCalls,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
