import assert from 'node:assert/strict'
import { FabricState, SYNC_BUCKETS, entryKey, bucketOf } from '../../../protocol/state/index.ts'
import type { StateEntry, SpecEntry, AssignmentEntry, StatusEntry } from '../../../protocol/state/index.ts'
import type { Hlc } from '../../../protocol/hlc.ts'
import { WORKLOADS } from './sim.ts'

const ts = (wallMs: number, node = 'node-a', logical = 0): Hlc => ({ wallMs, logical, node })
const w = WORKLOADS[0]?.[0]!
const w2 = WORKLOADS[0]?.[1]!
const spec = (at: Hlc, workload = w, generation = 1): SpecEntry =>
  ({ type: 'spec', name: workload.name, ts: at, generation, value: { manifest: workload.manifest, specHash: workload.specHash } })
const tomb = (at: Hlc, name = w.name): SpecEntry => ({ type: 'spec', name, ts: at, generation: 1, value: null })
const assign = (epoch: number, at: Hlc, node: string | null, index = 0): AssignmentEntry =>
  ({ type: 'assignment', workload: w.name, index, epoch, ts: at, value: node === null ? null : { node, generation: 1 } })
const status = (at: Hlc, state: 'running' | 'failed', index = 0): StatusEntry =>
  ({ type: 'status', workload: w.name, index, node: at.node, ts: at, value: { state, restarts: 0, generation: 1 } })

describe('protocol/state: FabricState', () => {
  describe('spec registers (LWW by HLC)', () => {
    it('the later write wins whatever the arrival order', () => {
      const a = new FabricState()
      assert.equal(a.apply(spec(ts(10), w2, 2)), true)
      assert.equal(a.apply(spec(ts(5), w)), false)
      assert.equal(a.spec(w.name)?.value?.specHash, w2.specHash)
    })

    it('a delete wins over the older writes it has not seen, and loses to newer ones', () => {
      const a = new FabricState()
      a.apply(tomb(ts(10)))
      assert.equal(a.apply(spec(ts(9))), false)
      assert.deepEqual(a.specs(), [])
      assert.equal(a.spec(w.name)?.value, null, 'the tombstone stays, carrying the generation')
      assert.equal(a.apply(spec(ts(11))), true)
      assert.equal(a.specs().length, 1)
    })

    it('the node id breaks a tie of wall time and counter', () => {
      const a = new FabricState()
      a.apply(spec(ts(10, 'node-b'), w2))
      a.apply(spec(ts(10, 'node-a'), w))
      assert.equal(a.spec(w.name)?.value?.specHash, w2.specHash)
    })

    it('a different entry with the very same timestamp (replayed, forged) is ordered by hash, not arrival', () => {
      const x = spec(ts(10), w)
      const y = spec(ts(10), w2, 2)
      const one = new FabricState(); one.apply(x); one.apply(y)
      const two = new FabricState(); two.apply(y); two.apply(x)
      assert.equal(one.digest(), two.digest())
    })

    it('re-applying an entry reports no change', () => {
      const a = new FabricState()
      assert.equal(a.apply(spec(ts(10))), true)
      assert.equal(a.apply(spec(ts(10))), false)
    })
  })

  describe('assignments (LWW by epoch, then HLC)', () => {
    it('a newer epoch wins even against a clock far ahead', () => {
      const a = new FabricState()
      a.apply(assign(1, ts(1_000_000, 'node-a'), 'node-a'))
      assert.equal(a.apply(assign(2, ts(5, 'node-b'), 'node-b')), true)
      assert.equal(a.apply(assign(1, ts(2_000_000, 'node-a'), 'node-c')), false)
      assert.equal((a.assignments(w.name)[0]?.value)?.node, 'node-b')
    })

    it('within an epoch the later decision wins; null releases the index', () => {
      const a = new FabricState()
      a.apply(assign(3, ts(10), 'node-a'))
      a.apply(assign(3, ts(11), null))
      assert.equal(a.assignments(w.name)[0]?.value, null)
    })
  })

  describe('replica status (one register per running node)', () => {
    it('old and new replica of one index report side by side', () => {
      const a = new FabricState()
      a.apply(status(ts(10, 'node-a'), 'running'))
      a.apply(status(ts(11, 'node-b'), 'running'))
      a.apply(status(ts(12, 'node-a'), 'failed'))
      assert.deepEqual(a.statuses(w.name).map(s => [s.node, s.value?.state]), [['node-a', 'failed'], ['node-b', 'running']])
    })
  })

  describe('queries', () => {
    it('keeps workloads apart by name, even when one name prefixes another', () => {
      const other = WORKLOADS[1]?.[0]!
      const a = new FabricState()
      a.apply(spec(ts(1)))
      a.apply(spec(ts(1), other))
      a.apply(assign(1, ts(2), 'node-a', 1))
      a.apply({ ...assign(1, ts(2), 'node-a', 1), workload: `${w.name}-x` })
      assert.deepEqual(a.specs().map(s => s.name), [w.name, other.name].sort())
      assert.equal(a.assignments(w.name).length, 1)
      assert.equal(a.size, 4)
    })

    it('pages through all entries by key', () => {
      const a = new FabricState()
      for (let i = 0; i < 10; i++) a.apply(assign(1, ts(1), 'node-a', i))
      const seen: StateEntry[] = []
      let after: string | undefined
      let pages = 0
      do {
        const page = a.page(after, 3)
        assert.ok(page.items.length <= 3)
        seen.push(...page.items)
        after = page.next
        pages++
      } while (after !== undefined)
      assert.equal(pages, 4)
      assert.deepEqual(seen, a.all())
      assert.deepEqual(a.page(undefined, 10).next, undefined)
    })
  })

  describe('digests', () => {
    it('equal content gives equal digests; any change changes the digest and exactly one bucket', () => {
      const a = new FabricState()
      const b = new FabricState()
      assert.equal(a.digest(), b.digest())
      a.apply(spec(ts(1)))
      b.apply(spec(ts(1)))
      assert.equal(a.digest(), b.digest())
      const before = a.bucketDigests()
      a.apply(spec(ts(2)))
      assert.notEqual(a.digest(), b.digest())
      const after = a.bucketDigests()
      assert.equal(after.length, SYNC_BUCKETS)
      const changed = after.flatMap((d, i) => d === before[i] ? [] : [i])
      assert.deepEqual(changed, [bucketOf(entryKey(spec(ts(2))))])
    })

    it('key digests of a bucket list its keys with their entry hashes, paged', () => {
      const a = new FabricState()
      for (let i = 0; i < 300; i++) a.apply(assign(1, ts(1), 'node-a', i % 1000))
      const bucket = bucketOf(entryKey(assign(1, ts(1), 'node-a', 7)))
      const first = a.keyDigests(bucket, undefined, 1)
      assert.equal(first.items.length, 1)
      const all = a.keyDigests(bucket, undefined, 1000).items
      assert.ok(all.some(d => d.key === entryKey(assign(1, ts(1), 'node-a', 7))))
      assert.deepEqual(all.map(d => d.key), [...all.map(d => d.key)].sort())
    })
  })

  describe('tombstone collection', () => {
    it('drops tombstones older than the horizon, keeps newer ones and live entries', () => {
      const other = WORKLOADS[1]?.[0]!
      const a = new FabricState()
      a.apply(tomb(ts(10)))
      a.apply(tomb(ts(30), other.name))
      a.apply(assign(1, ts(5), null))
      a.apply(assign(1, ts(5), 'node-a', 1))
      assert.equal(a.collectTombstones(20), 2)
      assert.equal(a.spec(w.name), undefined)
      assert.equal(a.spec(other.name)?.value, null)
      assert.equal(a.assignments(w.name).length, 1)
      assert.equal(a.horizon, 20)
      assert.equal(a.collectTombstones(15), 0, 'the horizon never moves back')
      assert.equal(a.horizon, 20)
    })

    it('after collection, an old tombstone is not stored again, but still deletes what it beats', () => {
      const a = new FabricState()
      a.collectTombstones(100)
      assert.equal(a.apply(tomb(ts(50))), false)
      assert.equal(a.size, 0)
      a.apply(spec(ts(40)))
      assert.equal(a.apply(tomb(ts(50))), true)
      assert.equal(a.size, 0)
    })

    it('an assignment tombstone leaves a fence that still beats later writes of older epochs', () => {
      // Collected before or after the late write arrives: the same outcome.
      const late = assign(1, ts(30, 'node-b'), 'node-b')
      const collectedFirst = new FabricState()
      collectedFirst.apply(assign(2, ts(10), null))
      assert.equal(collectedFirst.collectTombstones(20), 1)
      assert.equal(collectedFirst.apply(late), false)
      const appliedFirst = new FabricState()
      appliedFirst.apply(assign(2, ts(10), null))
      assert.equal(appliedFirst.apply(late), false)
      appliedFirst.collectTombstones(20)
      assert.equal(collectedFirst.digest(), appliedFirst.digest())
      // Hidden from queries, but part of the digest and of what sync sends.
      assert.equal(collectedFirst.size, 0)
      assert.deepEqual(collectedFirst.assignments(w.name), [])
      assert.deepEqual(collectedFirst.all(), [])
      assert.notEqual(collectedFirst.digest(), (() => { const e = new FabricState(); e.collectTombstones(20); return e.digest() })())
      const [fence] = collectedFirst.entriesFor([entryKey(late)])
      assert.deepEqual(fence, { ...assign(2, ts(0), null), ts: { wallMs: 0, logical: 0, node: 'node-a' } })
      // A write of the fence's epoch or newer replaces it.
      assert.equal(collectedFirst.apply(assign(2, ts(31, 'node-b'), 'node-b')), true)
      assert.equal(collectedFirst.size, 1)
      assert.equal(collectedFirst.assignments(w.name)[0]?.value?.node, 'node-b')
    })

    it('an epoch-0 assignment tombstone fences nothing and is dropped', () => {
      const a = new FabricState()
      a.apply(assign(0, ts(10), null))
      assert.equal(a.collectTombstones(20), 1)
      assert.equal(a.entriesFor([entryKey(assign(0, ts(10), null))]).length, 0)
      assert.equal(a.apply(assign(0, ts(30), 'node-b')), true)
    })

    it('fences travel by merge, keep the greater epoch, and an old tombstone arriving later leaves the same fence', () => {
      const a = new FabricState()
      a.apply(assign(1, ts(10), null))
      a.collectTombstones(20)
      const b = new FabricState()
      b.apply(assign(3, ts(12, 'node-b'), null))
      b.collectTombstones(20)
      const ab = new FabricState(); ab.merge(a); ab.merge(b)
      const ba = new FabricState(); ba.merge(b); ba.merge(a)
      assert.equal(ab.digest(), ba.digest())
      assert.equal(ab.digest(), b.digest())
      assert.equal(ab.merge(b), false)
      const late = new FabricState()
      late.collectTombstones(20)
      assert.equal(late.apply(assign(3, ts(12, 'node-b'), null)), true)
      assert.equal(late.apply(assign(3, ts(12, 'node-b'), null)), false)
      assert.equal(late.digest(), b.digest())
      assert.equal(late.apply(assign(2, ts(25), 'node-a')), false)
    })

    it('merging a state with a higher horizon collects here too', () => {
      const a = new FabricState()
      a.apply(tomb(ts(10)))
      const b = new FabricState()
      b.collectTombstones(20)
      assert.equal(a.merge(b), true)
      assert.equal(a.size, 0)
      assert.equal(a.digest(), b.digest())
    })
  })
})
