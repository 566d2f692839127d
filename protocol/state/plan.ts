/**
 * What `apply` and `delete` of the admin API write, decided from the current
 * register alone, so the answer (created / configured / unchanged and the
 * generation) is the same on every node that holds the same state.
 *
 * Generation follows Kubernetes: it counts spec changes. Re-applying the same
 * spec writes nothing; a label-only change is written but keeps the
 * generation; a re-create after a delete continues from the tombstone's.
 */
import type { Hlc } from '../hlc.ts'
import { canonicalHash } from '../manifest/canonical-json.ts'
import type { Workload } from '../manifest/normalize.ts'
import type { SpecEntry } from './entries.ts'
import { StateLimitError } from './errors.ts'
import type { FabricState } from './fabric-state.ts'

export interface FabricLimits {
  /**
   * Live workloads in the fabric. Every node holds every spec in memory and
   * on disk, so this bounds what a node must hold (× 256 KiB at worst).
   *
   * @default 10_000
   */
  maxWorkloads: number
  /**
   * Replicas wanted over all workloads: each is an assignment and a status
   * entry on every node.
   *
   * @default 100_000
   */
  maxTotalReplicas: number
}

export const DEFAULT_FABRIC_LIMITS: FabricLimits = { maxWorkloads: 10_000, maxTotalReplicas: 100_000 }

export type ApplyOutcome = 'created' | 'configured' | 'unchanged'

export interface ApplyPlan {
  readonly outcome: ApplyOutcome
  readonly generation: number
  /** The entry to persist, apply and gossip; absent when nothing changes. */
  readonly entry?: SpecEntry
}

/**
 * Throws `FABRIC_STATE_FULL` if applying `workload` would take the fabric
 * past `limits`. Checked where the write is taken; entries that arrive from
 * other nodes are not refused (that would make replicas diverge).
 */
export function checkFabricLimits (state: FabricState, workload: Workload, limits: FabricLimits = DEFAULT_FABRIC_LIMITS): void {
  const live = state.specs().filter(s => s.name !== workload.name)
  if (live.length + 1 > limits.maxWorkloads) {
    throw new StateLimitError(`metadata.name: the fabric already holds ${live.length} workloads, the limit is ${limits.maxWorkloads} (got ${JSON.stringify(workload.name)}); delete some first`)
  }
  const replicas = live.reduce((sum, s) => sum + (s.value?.manifest.spec.replicas ?? 0), 0)
  const wanted = workload.manifest.spec.replicas
  if (replicas + wanted > limits.maxTotalReplicas) {
    throw new StateLimitError(`spec.replicas: the fabric's workloads already want ${replicas} replicas, the limit is ${limits.maxTotalReplicas} (got ${wanted})`)
  }
}

/** `ts` is only stamped into a new entry; take it from the node's `HybridClock.now()`. */
export function planApply (current: SpecEntry | undefined, workload: Workload, ts: Hlc): ApplyPlan {
  const value = { manifest: workload.manifest, specHash: workload.specHash }
  if (current === undefined || current.value === null) {
    const generation = (current?.generation ?? 0) + 1
    return { outcome: 'created', generation, entry: { type: 'spec', name: workload.name, ts, generation, value } }
  }
  if (current.value.specHash !== workload.specHash) {
    const generation = current.generation + 1
    return { outcome: 'configured', generation, entry: { type: 'spec', name: workload.name, ts, generation, value } }
  }
  if (canonicalHash(current.value.manifest) !== workload.manifestHash) {
    return { outcome: 'configured', generation: current.generation, entry: { type: 'spec', name: workload.name, ts, generation: current.generation, value } }
  }
  return { outcome: 'unchanged', generation: current.generation }
}

/** The tombstone that deletes a workload, or undefined when there is no live one (a 404). */
export function planDelete (current: SpecEntry | undefined, ts: Hlc): SpecEntry | undefined {
  if (current === undefined || current.value === null) return undefined
  return { type: 'spec', name: current.name, ts, generation: current.generation, value: null }
}
