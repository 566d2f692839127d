/**
 * The fabric's replicated state, pure: entry types and their order
 * (entries.ts), the CRDT map and its digests (fabric-state.ts), validation of
 * entries from outside (entry-schema.ts), what apply/delete write (plan.ts)
 * and the diffing half of anti-entropy (sync.ts). Durability, gossip and
 * streams belong to the daemon.
 *
 * ```ts
 * const state = createFabricState()
 * checkFabricLimits(state, workload)
 * const plan = planApply(state.spec(workload.name), workload, clock.now())
 * if (plan.entry) { persist(plan.entry); state.apply(plan.entry); gossip(plan.entry) }
 * // on receipt: const entry = parseEntry(data); clock.receive(entry.ts); if (state.apply(entry)) persist(entry)
 * ```
 */
import { FabricState } from './fabric-state.ts'

export function createFabricState (): FabricState {
  return new FabricState()
}

export { FabricState, SYNC_BUCKETS, BUCKET_DIGEST_HEX, bucketOf } from './fabric-state.ts'
export type { KeyDigest, Page } from './fabric-state.ts'
export {
  entryKey, entryWriter, entryHash, compareEntries, isTombstone, specKey, assignmentKey, workloadPrefixes, REPLICA_STATES
} from './entries.ts'
export type {
  StateEntry, EntryType, SpecEntry, SpecValue, AssignmentEntry, AssignmentValue, StatusEntry, StatusValue, ReplicaState
} from './entries.ts'
export { parseEntry, MAX_STATUS_MESSAGE } from './entry-schema.ts'
export { ForgedWriterError, StateLimitError } from './errors.ts'
export { planApply, planDelete, checkFabricLimits, DEFAULT_FABRIC_LIMITS } from './plan.ts'
export type { ApplyPlan, ApplyOutcome, FabricLimits } from './plan.ts'
export { diffBuckets, diffKeys, chunk } from './sync.ts'
export type { KeyDiff } from './sync.ts'
