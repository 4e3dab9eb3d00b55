import type { Logger } from 'pino';
import type { LifecycleEvent, LifecycleEvents } from '../domain/ports.js';
import type { Metrics } from './metrics.js';

/** The audit trail: one structured log line and one counter increment per lifecycle transition. */
export function auditLifecycle(logger: Logger, metrics: Metrics): LifecycleEvents {
  const audit = logger.child({ audit: true });
  return {
    emit(event: LifecycleEvent) {
      const { asset } = event;
      metrics.lifecycle.inc({ event: event.type, namespace: asset.namespace, reason: event.reason ?? '' });
      audit.info(
        { event: event.type, assetId: asset.id, ownerId: asset.ownerId, namespace: asset.namespace, actor: event.actor, reason: event.reason, reqId: event.requestId },
        event.type,
      );
    },
  };
}
