import { SpanStatusCode, type Span } from '@opentelemetry/api';

/**
 * Settles `span` with what `call` did: on failure its status says so (in `describe`'s words) and the
 * exception is recorded; either way the span ends when the call does.
 */
export async function endedWith<T>(span: Span, call: Promise<T>, describe: (error: unknown) => string): Promise<T> {
  try {
    return await call;
  } catch (error) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: describe(error) });
    span.recordException(error as Error);
    throw error;
  } finally {
    span.end();
  }
}
