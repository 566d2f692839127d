import assert from 'node:assert/strict'
import fc from 'fast-check'
import { FabricState } from '../../../protocol/state/index.ts'
import type { StateEntry } from '../../../protocol/state/index.ts'
import { compareHlc } from '../../../protocol/hlc.ts'
import type { Hlc } from '../../../protocol/hlc.ts'
import { arbAction, entriesOf, stateOf, copyOf, syncPair, NODES } from './sim.ts'
import type { Action } from './sim.ts'

const arbSkews = fc.array(fc.integer({ min: -3, max: 3 }), { minLength: NODES.length, maxLength: NODES.length })
const arbEntries = fc.tuple(fc.array(arbAction, { maxLength: 30 }), arbSkews).map(([actions, skews]) => entriesOf(actions, skews))

/** For each entry and each replica other than its writer: 0–2 deliveries at random times (0 = dropped). */
const arbDeliveries = (n: number) => fc.array(
  fc.array(fc.array(fc.nat(1000), { maxLength: 2 }), { minLength: NODES.length, maxLength: NODES.length }),
  { minLength: n, maxLength: n })

/**
 * Writers apply their own entries at once; every other replica hears them by
 * lossy, duplicating, reordering gossip. Returns the three replicas.
 */
function gossip (entries: StateEntry[], deliveries: number[][][]): FabricState[] {
  const replicas = NODES.map(() => new FabricState())
  const queue: Array<{ at: number, replica: number, entry: StateEntry }> = []
  entries.forEach((entry, i) => {
    const writer = NODES.indexOf(entry.ts.node as typeof NODES[number])
    replicas[writer]?.apply(entry)
    deliveries[i]?.forEach((times, replica) => {
      if (replica === writer) return
      for (const at of times) queue.push({ at, replica, entry })
    })
  })
  queue.sort((x, y) => x.at - y.at)
  for (const d of queue) replicas[d.replica]?.apply(d.entry)
  return replicas
}

function syncAll (replicas: FabricState[], limit: number): void {
  // A↔B, B↔C, A↔C: after these three exchanges everyone has everything.
  for (const [i, j] of [[0, 1], [1, 2], [0, 2]] as const) syncPair(replicas[i] as FabricState, replicas[j] as FabricState, limit)
}

/**
 * Gossips and syncs `before`, collects tombstones on one replica at the
 * latest time written (causally stable: everyone has everything and has
 * received it), then gossips and syncs `after`, written by clocks past that
 * time. Every replica must end where collecting first and applying after does.
 */
function collectThenWriteMore (before: Action[], after: Action[], skews: number[], deliveries: number[][][]): void {
  const first = entriesOf(before, skews)
  const replicas = gossip(first, deliveries)
  syncAll(replicas, 4)
  // Everyone has every entry so far and has received the latest one, so
  // no clock can stamp anything earlier: its wall time is causally stable.
  const latest = first.map(e => e.ts).sort(compareHlc).at(-1) as Hlc
  const horizon = latest.wallMs
  const expected = (replicas[0] as FabricState).all().filter(e => e.value === null && e.ts.wallMs < horizon).length
  assert.equal((replicas[0] as FabricState).collectTombstones(horizon), expected)
  const endOfFirst = 1_000_000 + before.reduce((t, a) => t + a.advance, 0)
  const later = entriesOf(after, skews, endOfFirst, latest)
  const late = gossip(later, deliveries)
  replicas.forEach((r, i) => r.merge(late[i] as FabricState))
  syncAll(replicas, 4)
  const reference = stateOf(first)
  reference.collectTombstones(horizon)
  for (const e of later) reference.apply(e)
  for (const r of replicas) {
    assert.equal(r.horizon, horizon)
    assert.equal(r.digest(), reference.digest())
  }
}

describe('protocol/state: convergence (property tests)', function () {
  this.timeout(20_000)

  it('replicas fed lossy, duplicated, reordered gossip converge after sync to the state of in-order delivery', () => {
    fc.assert(fc.property(
      arbEntries.chain(entries => fc.tuple(fc.constant(entries), arbDeliveries(entries.length), fc.integer({ min: 1, max: 5 }))),
      ([entries, deliveries, limit]) => {
        const reference = stateOf(entries)
        const replicas = gossip(entries, deliveries)
        syncAll(replicas, limit)
        for (const r of replicas) {
          assert.equal(r.digest(), reference.digest())
          assert.deepEqual(r.all(), reference.all())
        }
      }), { numRuns: 100 })
  })

  it('the order of apply does not matter, duplicates change nothing, and forged same-timestamp entries resolve alike', () => {
    // A forged or replayed entry reuses a real entry's timestamp with other content.
    const forge = (e: StateEntry): StateEntry => e.type === 'spec'
      ? { ...e, value: null }
      : e.type === 'assignment' ? { ...e, value: { node: 'node-x', generation: 9 } } : { ...e, value: null }
    fc.assert(fc.property(
      arbEntries.chain(entries => fc.tuple(fc.constant(entries), fc.subarray(entries))).chain(([entries, forgedFrom]) => {
        const all = [...entries, ...forgedFrom.map(forge)]
        return fc.tuple(fc.constant(all), fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }))
      }),
      ([entries, shuffled]) => {
        const a = stateOf(entries)
        const b = stateOf([...shuffled, ...entries])
        assert.equal(b.digest(), a.digest())
        for (const e of entries) assert.equal(a.apply(e), false, 'a re-applied entry must not report a change')
      }), { numRuns: 100 })
  })

  describe('merge laws', () => {
    const arbThree = fc.tuple(fc.array(arbAction, { maxLength: 30 }), arbSkews).chain(([actions, skews]) => {
      const entries = entriesOf(actions, skews)
      const sub = fc.subarray(entries)
      return fc.tuple(sub, sub, sub)
    })
    const merged = (...states: FabricState[]): FabricState => {
      const out = new FabricState()
      for (const s of states) out.merge(s)
      return out
    }

    it('is commutative: A ⊔ B = B ⊔ A', () => {
      fc.assert(fc.property(arbThree, ([x, y]) => {
        const [a, b] = [stateOf(x), stateOf(y)]
        const ab = copyOf(a); ab.merge(b)
        const ba = copyOf(b); ba.merge(a)
        assert.equal(ab.digest(), ba.digest())
      }), { numRuns: 60 })
    })

    it('is associative: (A ⊔ B) ⊔ C = A ⊔ (B ⊔ C)', () => {
      fc.assert(fc.property(arbThree, ([x, y, z]) => {
        const [a, b, c] = [stateOf(x), stateOf(y), stateOf(z)]
        const left = merged(merged(a, b), c)
        const right = merged(a, merged(b, c))
        assert.equal(left.digest(), right.digest())
        assert.equal(left.digest(), stateOf([...x, ...y, ...z]).digest())
      }), { numRuns: 60 })
    })

    it('is idempotent: A ⊔ A = A, and merging reports no change', () => {
      fc.assert(fc.property(arbThree, ([x]) => {
        const a = stateOf(x)
        const before = a.digest()
        assert.equal(a.merge(copyOf(a)), false)
        assert.equal(a.digest(), before)
      }), { numRuns: 60 })
    })
  })

  it('collecting tombstones at a causally stable time keeps replicas converging on later writes', () => {
    fc.assert(fc.property(
      fc.tuple(fc.array(arbAction, { minLength: 1, maxLength: 25 }), fc.array(arbAction, { maxLength: 25 }), arbSkews),
      fc.array(fc.array(fc.array(fc.nat(1000), { maxLength: 2 }), { minLength: 3, maxLength: 3 }), { minLength: 25, maxLength: 25 }),
      ([before, after, skews], deliveries) => collectThenWriteMore(before, after, skews, deliveries)
    ), { numRuns: 60 })
  })

  it('regression: a collected assignment tombstone still fences a later write of an older epoch (seed 275655585)', () => {
    // node-a releases beta/2 at epoch 1, then is collected on replica 0 only; node-b, a
    // deposed coordinator whose clock has passed the horizon, releases it again at epoch 0.
    collectThenWriteMore(
      [
        { writer: 2, advance: 0, name: 0, kind: 'assign', index: 0, epoch: 0, node: null },
        { writer: 0, advance: 0, name: 1, kind: 'assign', index: 2, epoch: 1, node: null }
      ],
      [{ writer: 1, advance: 0, name: 1, kind: 'assign', index: 2, epoch: 0, node: null }],
      [0, 0, 1],
      Array.from({ length: 25 }, () => [[], [], []]))
  })

  it('sync sends only what differs, in pages no larger than the limit', () => {
    const entries = entriesOf(Array.from({ length: 300 }, (_, i) => ({
      writer: i % 3, advance: 1, kind: 'assign' as const, name: i % 3, index: i % 3, epoch: i, node: i % 3
    })), [0, 0, 0])
    // 300 writes to 9 registers: build a larger state of distinct keys instead.
    const many: StateEntry[] = entries.map((e, i) => e.type === 'assignment' ? { ...e, workload: `w${i}` } : e)
    const a = stateOf(many)
    const b = stateOf(many.slice(0, 290))
    const stats = syncPair(a, b, 8)
    assert.equal(b.digest(), a.digest())
    assert.equal(stats.entriesSent, 10)
    assert.ok(stats.largestMessage <= 8)
    // A node that knows nothing still catches up, page by page.
    const empty = new FabricState()
    const full = syncPair(empty, a, 16)
    assert.equal(empty.digest(), a.digest())
    assert.equal(full.entriesSent, 300)
    assert.ok(full.largestMessage <= 16)
  })
})
