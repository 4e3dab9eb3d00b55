import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface JsonServer {
  /** Any path on it gets the answer. */
  url: string;
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 answering every request with `answer()` (a JWKS, something that is not one, or a web page). */
export async function jsonServer(answer: () => { status?: number; body: string; contentType?: string }): Promise<JsonServer> {
  const server = createServer((_, res) => {
    const { status = 200, body, contentType = 'application/json' } = answer();
    res.writeHead(status, { 'content-type': contentType }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
