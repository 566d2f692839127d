/**
 * The replicated state is a map of keys to entries, and an entry is also the
 * op that writes it: applying an entry keeps whichever of (stored, incoming)
 * wins for its key. Three kinds, each a last-writer-wins register with its
 * own order:
 *
 * - spec: per workload name, ordered by HLC. A delete is a tombstone
 *   (`value: null`) so that it wins over older writes it has not met yet.
 * - assignment: per (workload, replica index), ordered by (coordinator epoch,
 *   HLC): a newer coordinator's decision beats an older one's even if the old
 *   coordinator's clock runs ahead.
 * - status: per (workload, replica index, node), written only by that node,
 *   ordered by its HLC. Keying by node keeps make-before-break honest: old
 *   and new replica report side by side.
 *
 * Equal order keys (a replayed or forged entry with the same timestamp but
 * different content) are broken by the entry's hash, so every replica picks
 * the same winner whatever the delivery order.
 */
import { compareHlc } from '../hlc.ts'
import type { Hlc } from '../hlc.ts'
import { canonicalHash } from '../manifest/canonical-json.ts'
import type { WorkloadManifest } from '../manifest/schema.ts'

export interface SpecValue {
  /** Normalised (defaults filled in), as `parseManifest` returns it. */
  readonly manifest: WorkloadManifest
  readonly specHash: string
}

export interface SpecEntry {
  readonly type: 'spec'
  readonly name: string
  readonly ts: Hlc
  /** Bumped when the spec changes; a tombstone keeps the last one, so a re-create continues from it. */
  readonly generation: number
  /** `null`: deleted (a tombstone). */
  readonly value: SpecValue | null
}

export interface AssignmentValue {
  /** The peer id that should run this replica. */
  readonly node: string
  /** The spec generation the placement was made for. */
  readonly generation: number
}

export interface AssignmentEntry {
  readonly type: 'assignment'
  readonly workload: string
  readonly index: number
  /** The deciding coordinator's epoch; orders before the clock. */
  readonly epoch: number
  readonly ts: Hlc
  /** `null`: the replica index is no longer wanted (scale-down, delete). */
  readonly value: AssignmentValue | null
}

export const REPLICA_STATES = ['pending', 'starting', 'running', 'succeeded', 'failed', 'stopped'] as const
export type ReplicaState = typeof REPLICA_STATES[number]

export interface StatusValue {
  readonly state: ReplicaState
  readonly restarts: number
  /** Wall-clock ms when the current run started. */
  readonly startedAt?: number
  readonly exitCode?: number
  /** Why, for `failed` or `pending`: shown by `describe`. */
  readonly message?: string
  /** The spec generation this replica runs. */
  readonly generation: number
}

export interface StatusEntry {
  readonly type: 'status'
  readonly workload: string
  readonly index: number
  /** The node running the replica: the only writer (its HLC's `node`). */
  readonly node: string
  readonly ts: Hlc
  /** `null`: this node no longer runs the replica. */
  readonly value: StatusValue | null
}

export type StateEntry = SpecEntry | AssignmentEntry | StatusEntry
export type EntryType = StateEntry['type']

/** The register an entry writes. Workload names are DNS labels, so '/' cannot collide. */
export function entryKey (entry: StateEntry): string {
  switch (entry.type) {
    case 'spec': return specKey(entry.name)
    case 'assignment': return assignmentKey(entry.workload, entry.index)
    case 'status': return `status/${entry.workload}/${entry.index}/${entry.node}`
  }
}

export const specKey = (name: string): string => `spec/${name}`
export const assignmentKey = (workload: string, index: number): string => `assignment/${workload}/${index}`
/** Every key of a workload's assignments and statuses starts with one of these. */
export const workloadPrefixes = (workload: string): string[] => [`assignment/${workload}/`, `status/${workload}/`]

/** The node that wrote the entry; gossip receivers check it against the message's signer. */
export function entryWriter (entry: StateEntry): string {
  return entry.ts.node
}

/** SHA-256 of the entry's canonical JSON: its identity in digests and the last tie-breaker. */
export function entryHash (entry: StateEntry): string {
  return canonicalHash(entry)
}

/**
 * Compares two entries of the same key: > 0 when `a` wins. Total (hashes
 * differ for different entries), so the winner does not depend on order.
 */
export function compareEntries (a: StateEntry, aHash: string, b: StateEntry, bHash: string): number {
  if (a.type === 'assignment' && b.type === 'assignment' && a.epoch !== b.epoch) return a.epoch - b.epoch
  const byClock = compareHlc(a.ts, b.ts)
  if (byClock !== 0) return byClock
  return aHash < bHash ? -1 : aHash > bHash ? 1 : 0
}

export function isTombstone (entry: StateEntry): boolean {
  return entry.value === null
}
