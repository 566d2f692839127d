/**
 * Test helpers for the state CRDT: a pool of valid workloads, a fast-check
 * arbitrary of write actions by a few nodes, and an anti-entropy exchange
 * between two states that uses only what the daemon would send over a
 * stream (JSON messages of bounded size, every entry through parseEntry).
 */
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { HybridClock } from '../../../protocol/hlc.ts'
import type { Hlc } from '../../../protocol/hlc.ts'
import { validateManifest } from '../../../protocol/manifest/index.ts'
import type { Workload } from '../../../protocol/manifest/index.ts'
import {
  FabricState, parseEntry, diffBuckets, diffKeys, chunk, REPLICA_STATES
} from '../../../protocol/state/index.ts'
import type { StateEntry, KeyDigest } from '../../../protocol/state/index.ts'

export const NAMES = ['alpha', 'beta', 'gamma'] as const
export const NODES = ['node-a', 'node-b', 'node-c'] as const

/** Three spec variants per name, so concurrent updates can really differ. */
export const WORKLOADS: Workload[][] = NAMES.map(name => [1, 2, 3].map(replicas => validateManifest({
  apiVersion: 'hyperion.io/v1alpha1',
  kind: 'HyperionWorkload',
  metadata: { name },
  spec: { replicas, template: { spec: { containers: [{ name: 'app', command: ['/bin/sleep', '60'], resources: { limits: { cpu: `${replicas * 100}m` } } }] } } }
})))

export type Action =
  | { writer: number, advance: number, kind: 'spec', name: number, variant: number, generation: number }
  | { writer: number, advance: number, kind: 'delete', name: number, generation: number }
  | { writer: number, advance: number, kind: 'assign', name: number, index: number, epoch: number, node: number | null }
  | { writer: number, advance: number, kind: 'status', name: number, index: number, state: number, restarts: number, gone: boolean }

const common = { writer: fc.nat(NODES.length - 1), advance: fc.nat(3), name: fc.nat(NAMES.length - 1) }

export const arbAction: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ ...common, kind: fc.constant('spec' as const), variant: fc.nat(2), generation: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ ...common, kind: fc.constant('delete' as const), generation: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ ...common, kind: fc.constant('assign' as const), index: fc.nat(2), epoch: fc.nat(3), node: fc.option(fc.nat(NODES.length - 1), { nil: null }) }),
  fc.record({ ...common, kind: fc.constant('status' as const), index: fc.nat(2), state: fc.nat(REPLICA_STATES.length - 1), restarts: fc.nat(3), gone: fc.boolean() })
)

/**
 * Turns actions into entries stamped by per-node clocks that share one fake
 * wall clock with a small skew each, so timestamps collide and interleave.
 */
export function entriesOf (actions: readonly Action[], skews: readonly number[], startMs = 1_000_000, seen?: Hlc): StateEntry[] {
  let wall = startMs
  const clocks = NODES.map((node, i) => {
    const clock = new HybridClock({ wallClock: () => wall + (skews[i] ?? 0) }, { node })
    // A node that has synced `seen` has received it: its clock is past it.
    if (seen !== undefined) clock.receive(seen)
    return clock
  })
  return actions.map(a => {
    wall += a.advance
    const ts = (clocks[a.writer] as HybridClock).now()
    const name = NAMES[a.name] as string
    switch (a.kind) {
      case 'spec': {
        const w = WORKLOADS[a.name]?.[a.variant] as Workload
        return { type: 'spec', name, ts, generation: a.generation, value: { manifest: w.manifest, specHash: w.specHash } }
      }
      case 'delete':
        return { type: 'spec', name, ts, generation: a.generation, value: null }
      case 'assign':
        return { type: 'assignment', workload: name, index: a.index, epoch: a.epoch, ts, value: a.node === null ? null : { node: NODES[a.node] as string, generation: 1 } }
      case 'status':
        return {
          type: 'status', workload: name, index: a.index, node: ts.node, ts,
          value: a.gone ? null : { state: REPLICA_STATES[a.state] as typeof REPLICA_STATES[number], restarts: a.restarts, generation: 1 }
        }
    }
  })
}

export function stateOf (entries: Iterable<StateEntry>): FabricState {
  const s = new FabricState()
  for (const e of entries) s.apply(e)
  return s
}

export function copyOf (state: FabricState): FabricState {
  const s = new FabricState()
  s.merge(state)
  return s
}

/** Over the wire: JSON out, JSON in, validated. */
function wire (entries: StateEntry[]): StateEntry[] {
  return (JSON.parse(JSON.stringify(entries)) as unknown[]).map(parseEntry)
}

export interface SyncStats { messages: number, entriesSent: number, largestMessage: number }

/**
 * One anti-entropy exchange from `a` (initiator) to `b`, following the steps
 * of protocol/state/sync.ts. No message carries more than `limit` items.
 */
export function syncPair (a: FabricState, b: FabricState, limit: number, stats: SyncStats = { messages: 0, entriesSent: 0, largestMessage: 0 }): SyncStats {
  const send = <T>(items: T[]): T[] => {
    stats.messages++
    stats.largestMessage = Math.max(stats.largestMessage, items.length)
    return items
  }
  send([a.digest()])
  if (a.digest() === b.digest()) return stats
  // Bucket digests are one fixed-size message, not counted against `limit`.
  stats.messages++
  const theirs = b.bucketDigests()
  const horizon = Math.max(a.horizon, b.horizon)
  a.collectTombstones(horizon)
  b.collectTombstones(horizon)
  for (const bucket of diffBuckets(a.bucketDigests(), theirs)) {
    const theirKeys: KeyDigest[] = []
    let after: string | undefined
    do {
      const page = b.keyDigests(bucket, after, limit)
      theirKeys.push(...send(page.items))
      after = page.next
    } while (after !== undefined)
    const mine: KeyDigest[] = []
    after = undefined
    do {
      const page = a.keyDigests(bucket, after, limit)
      mine.push(...page.items)
      after = page.next
    } while (after !== undefined)
    const { pull, push } = diffKeys(mine, theirKeys)
    for (const keys of chunk(pull, limit)) {
      const got = wire(send(b.entriesFor(send(keys))))
      stats.entriesSent += got.length
      for (const e of got) a.apply(e)
    }
    for (const keys of chunk(push, limit)) {
      const sent = wire(send(a.entriesFor(keys)))
      stats.entriesSent += sent.length
      for (const e of sent) b.apply(e)
    }
  }
  assert.equal(a.digest(), b.digest(), 'one exchange must leave both sides equal')
  return stats
}
