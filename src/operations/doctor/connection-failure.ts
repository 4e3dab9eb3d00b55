import { isDnsFailure } from '../../storage/storage-errors.js';

/** Node network errors that mean the TLS handshake (not the TCP connection) failed. */
const TLS_CODE = /^(ERR_TLS|ERR_SSL|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_|EPROTO$|HOSTNAME_MISMATCH)/;

interface NetworkError {
  name?: string;
  code?: string;
  message?: string;
  cause?: NetworkError;
}

/** Why a connection failed, and how to fix it when the URL is the storage endpoint. */
export interface ConnectionFailure {
  cause: string;
  endpointFix: string;
}

/**
 * Tells the ways a connection to `url` fails apart, so the operator knows where to look: the name
 * does not resolve, nothing listens on the port, TLS is wrong, or packets are dropped (timeout).
 */
export function connectionFailure(error: unknown, url: string, timeoutMs: number): ConnectionFailure {
  const e = error as NetworkError;
  const code = e?.cause?.code ?? e?.code ?? '';
  if (e?.name === 'TimeoutError' || code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return {
      cause: `no answer from ${url} within ${timeoutMs} ms (timeout)`,
      endpointFix: 'The host is down or a firewall drops the traffic: check STORAGE_HOSTNAME, STORAGE_PORT and the network path (raise STORAGE_TIMEOUT_MS only for a slow link).',
    };
  }
  if (isDnsFailure(error)) {
    return {
      cause: `the host name of ${url} does not resolve (DNS failure, ${code})`,
      endpointFix: 'Fix STORAGE_HOSTNAME (host only, e.g. <account-id>.r2.cloudflarestorage.com) or the DNS of this machine.',
    };
  }
  if (code === 'ECONNREFUSED') {
    return { cause: `nothing accepts connections at ${new URL(url).host} (connection refused, ECONNREFUSED)`, endpointFix: 'Check STORAGE_PORT and that the storage service is running there.' };
  }
  if (TLS_CODE.test(code)) {
    return {
      cause: `the TLS handshake with ${url} failed (${code})`,
      endpointFix: 'STORAGE_USE_HTTPS must be true only when the endpoint speaks HTTPS; for a private certificate authority set NODE_EXTRA_CA_CERTS.',
    };
  }
  return { cause: `cannot connect to ${url} (${code || e?.name}: ${e?.cause?.message ?? e?.message})`, endpointFix: 'Check STORAGE_HOSTNAME, STORAGE_PORT and STORAGE_USE_HTTPS.' };
}
