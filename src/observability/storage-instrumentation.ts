import type { S3Client } from '@aws-sdk/client-s3';
import { errorName } from '../storage/storage-errors.js';
import type { Metrics } from './metrics.js';

/** Times every S3 command at the SDK's outermost middleware: one place covers every call the service makes. */
export function instrumentStorage(client: S3Client, metrics: Metrics): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = context.commandName ?? 'unknown';
      const end = metrics.storageDuration.startTimer({ operation });
      try {
        const result = await next(args);
        end({ outcome: 'ok' });
        return result;
      } catch (error) {
        end({ outcome: 'error' });
        metrics.storageErrors.inc({ operation, error: errorName(error) });
        throw error;
      }
    },
    { step: 'initialize', name: 'assetsMetrics' },
  );
}
