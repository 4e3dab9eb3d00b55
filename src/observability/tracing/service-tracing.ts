// What a replica adds to its requests, storage calls and job runs when tracing is on. app.ts loads this
// module only then, so that a replica without tracing never loads the OpenTelemetry API.
export { traceJobRuns } from './job-tracing.js';
export { traceRequests } from './request-tracing.js';
export { traceStorage } from './storage-tracing.js';
