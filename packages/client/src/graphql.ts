import { AssetsError, describeError, errorFromGraphQL, NetworkError } from './errors.js';

/** A bearer token, or a function that returns a fresh one for each request (e.g. from a session). */
export type TokenSource = string | (() => string | Promise<string>);

interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/** POSTs one GraphQL operation to the service and turns its first error into a typed AssetsError. */
export class GraphQLTransport {
  constructor(
    private readonly endpoint: string,
    private readonly token: TokenSource,
    private readonly fetchImpl: typeof fetch,
  ) {}

  async request<T>(query: string, variables: Record<string, unknown>, signal?: AbortSignal): Promise<T> {
    const token = typeof this.token === 'function' ? await this.token() : this.token;
    const response = await this.fetchImpl(this.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
      signal,
    }).catch((error: unknown) => {
      throw signal?.aborted ? signal.reason : new NetworkError('NETWORK_ERROR', `The assets service at ${this.endpoint} could not be reached: ${describeError(error)}.`);
    });
    const body = await readBody(response);
    const error = body?.errors?.[0];
    if (error) throw errorFromGraphQL(error);
    if (!body?.data) throw unexpectedAnswer(response, this.endpoint);
    return body.data as T;
  }
}

async function readBody(response: Response): Promise<GraphQLBody | undefined> {
  try {
    return (await response.json()) as GraphQLBody;
  } catch {
    // Not GraphQL at all: a proxy's error page, say. The status decides below.
    return undefined;
  }
}

/** A 5xx without a GraphQL answer comes from in front of the service (a proxy, a restart): worth a retry. */
function unexpectedAnswer(response: Response, endpoint: string): AssetsError {
  const message = `${endpoint} answered HTTP ${response.status} without a GraphQL result`;
  if (response.status >= 500) return new NetworkError('NETWORK_ERROR', `${message}; the service may be restarting.`);
  return new AssetsError('INTERNAL', `${message}; check that the client's url points at the assets service.`);
}
