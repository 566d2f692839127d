/**
 * The `HyperionWorkload` manifest: parse (YAML/JSON), validate (zod, strict,
 * every problem reported as `path: problem (got value)`), normalise
 * (defaults, integer resource amounts) and hash (idempotent apply).
 *
 * ```ts
 * const workload = parseManifest(body, req.headers['content-type'])
 * workload.resources.perReplica // { cpuMillis: 2000, memoryBytes: 4294967296, gpus: 1 }
 * ```
 */
export { parseManifest, validateManifest, MAX_MANIFEST_BYTES } from './parse.ts'
export type { ParseManifestOptions } from './parse.ts'
export { normalizeManifest } from './normalize.ts'
export type { Workload, ResourceAmounts, ContainerResources } from './normalize.ts'
export {
  workloadManifestSchema, API_VERSION, KIND, GPU_RESOURCE, MAX_REPLICAS, MAX_CONTAINERS, PROVIDERS, RESTART_POLICIES, GOALS
} from './schema.ts'
export type { WorkloadManifest, ContainerSpec, PlacementPolicy } from './schema.ts'
export { ManifestError, MANIFEST_ERROR_CODES, renderIssue, renderPath } from './errors.ts'
export type { ManifestIssue, ManifestErrorCode } from './errors.ts'
export { canonicalJson, canonicalHash } from './canonical-json.ts'
