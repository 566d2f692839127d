/**
 * What a node says about itself to its region: the Telemetry message's types
 * and its compact, strict binary codec.
 */
export { CLOUD_PROVIDERS, NODE_PROVIDERS } from './types.ts'
export type { CloudProvider, GpuFacts, GpuSample, NodeFacts, NodeProvider, NodeSample, Telemetry } from './types.ts'
export { MAX_TELEMETRY_BYTES, MAX_TIMESTAMP_MS, TELEMETRY_LIMITS, TELEMETRY_VERSION, decodeTelemetry, encodeTelemetry } from './codec.ts'
