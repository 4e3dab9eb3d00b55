import net from 'node:net';

/** Reads a DEV_*_PORT override; undefined means "use the service's default port". */
export function portSetting(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (!raw) return undefined;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${name} must be a port number from 1 to 65535, got "${raw}".`);
  return port;
}

export function portTakenError(port: number, service: string, envVar: string): Error {
  return new Error(`Port ${port} for the dev ${service} is already in use. Stop whatever listens there, or choose another port with ${envVar}=<port>.`);
}

/** Checked before starting a server in another process, whose own bind error would be buried in its log. */
export async function assertPortFree(port: number, service: string, envVar: string): Promise<void> {
  const error = await tryListen(port);
  if (error?.code === 'EADDRINUSE') throw portTakenError(port, service, envVar);
  if (error) throw new Error(`The dev ${service} cannot listen on port ${port} (${error.code}). Choose another port with ${envVar}=<port>.`);
}

function tryListen(port: number): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', resolve);
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(undefined)));
  });
}
