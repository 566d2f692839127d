import assert from 'node:assert/strict'
import fc from 'fast-check'
import { validateManifest } from '../../../protocol/manifest/index.ts'
import { FabricState, parseEntry, planApply } from '../../../protocol/state/index.ts'
import {
  decodeSyncMessage, initiateSync, serveSync, GET_KEYS, MAX_SYNC_MESSAGE_BYTES,
  type Channel, type SyncMessage, type SyncSide
} from '../../../node/state/sync-protocol.ts'
import { arbAction, entriesOf, stateOf, NODES } from '../../protocol/state/sim.ts'

/** Two ends of an in-memory wire: every message is JSON-encoded, measured and decoded as on a stream. */
function pipe (sizes: number[]): [Channel, Channel] {
  const queues: Array<{ items: string[], waiting?: (m: string) => void }> = [{ items: [] }, { items: [] }]
  const end = (me: number): Channel => ({
    send: async (m) => {
      const text = JSON.stringify(m)
      sizes.push(Buffer.byteLength(text))
      assert.ok(Buffer.byteLength(text) <= MAX_SYNC_MESSAGE_BYTES, `a ${m.t} message of ${text.length} bytes`)
      const q = queues[1 - me]!
      if (q.waiting !== undefined) { const w = q.waiting; q.waiting = undefined; w(text) } else q.items.push(text)
    },
    recv: async () => {
      const q = queues[me]!
      const text = q.items.shift() ?? await new Promise<string>(resolve => { q.waiting = resolve })
      return decodeSyncMessage(JSON.parse(text))
    }
  })
  return [end(0), end(1)]
}

function side (state: FabricState): SyncSide {
  return { state, accept: raw => raw.map(parseEntry).filter(e => state.apply(e)).length }
}

async function sync (a: FabricState, b: FabricState, sizes: number[] = []) {
  const [x, y] = pipe(sizes)
  const [stats] = await Promise.all([initiateSync(x, side(a)), serveSync(y, side(b))])
  return stats
}

const workload = (name: string, replicas = 1, annotation = '') => validateManifest({
  apiVersion: 'hyperion.io/v1alpha1',
  kind: 'HyperionWorkload',
  metadata: { name, ...(annotation !== '' ? { labels: { note: 'x' } } : {}) },
  spec: { replicas, template: { spec: { containers: [{ name: 'app', command: ['/bin/true'], args: annotation === '' ? [] : [annotation] }] } } }
})
const ts = (wallMs: number, node: string) => ({ wallMs, logical: 0, node })

describe('state sync protocol', () => {
  it('one session leaves two diverged replicas with the same digest', async () => {
    await fc.assert(fc.asyncProperty(fc.array(arbAction, { maxLength: 25 }), fc.array(arbAction, { maxLength: 25 }), async (left, right) => {
      const skews = NODES.map(() => 0)
      const a = stateOf(entriesOf(left, skews))
      const b = stateOf(entriesOf(right, skews, 1_000_010))
      const expected = stateOf([...a.all(), ...b.all()])
      await sync(a, b)
      assert.equal(a.digest(), b.digest())
      assert.equal(a.digest(), expected.digest())
    }), { numRuns: 60 })
  })

  it('equal replicas exchange only the root digest', async () => {
    const a = stateOf([planApply(undefined, workload('web'), ts(1, 'n1')).entry!])
    const b = stateOf(a.all())
    const sizes: number[] = []
    const stats = await sync(a, b, sizes)
    assert.equal(stats.equal, true)
    assert.equal(sizes.length, 4, 'root, buckets, done, bye')
  })

  it('moves 3,000 workloads to an empty node in bounded messages', async function () {
    this.timeout(60_000)
    const a = new FabricState()
    for (let i = 0; i < 3000; i++) a.apply(planApply(undefined, workload(`w-${i}`), ts(1000 + i, 'n1')).entry!)
    const b = new FabricState()
    const sizes: number[] = []
    const stats = await sync(b, a, sizes)
    assert.equal(b.digest(), a.digest())
    assert.equal(stats.pulled, 3000)
    assert.ok(Math.max(...sizes) <= 600 * 1024, `largest message ${Math.max(...sizes)} bytes`)
    assert.ok(sizes.length < 256 * 2 + 3000 / 10, `${sizes.length} messages`)
  })

  it('sends a large entry alone rather than refusing it', async () => {
    const big = planApply(undefined, workload('big', 1, 'x'.repeat(200 * 1024)), ts(1, 'n1')).entry!
    const small = Array.from({ length: 10 }, (_, i) => planApply(undefined, workload(`s-${i}`, 1, 'y'.repeat(100 * 1024)), ts(2 + i, 'n1')).entry!)
    const a = stateOf([big, ...small])
    const b = new FabricState()
    await sync(b, a)
    assert.equal(b.digest(), a.digest())
  })

  it('after a partition both sides keep both sides\' workloads and the later update wins', async () => {
    const base = planApply(undefined, workload('shared'), ts(1000, 'n1')).entry!
    const left = stateOf([base])
    const right = stateOf([base])
    left.apply(planApply(left.spec('shared'), workload('shared', 2), ts(2000, 'n1')).entry!)
    right.apply(planApply(right.spec('shared'), workload('shared', 5), ts(3000, 'n3')).entry!)
    left.apply(planApply(undefined, workload('left-only'), ts(2100, 'n1')).entry!)
    right.apply(planApply(undefined, workload('right-only'), ts(2200, 'n3')).entry!)
    await sync(left, right)
    assert.equal(left.digest(), right.digest())
    assert.deepEqual(left.specs().map(s => s.name), ['left-only', 'right-only', 'shared'])
    assert.equal(left.spec('shared')?.value?.manifest.spec.replicas, 5)
  })

  it('refuses malformed and oversized messages, naming the field', () => {
    const bad: Array<[unknown, RegExp]> = [
      [null, /message: must be an object/],
      [{ t: 'nope' }, /t: unknown message type/],
      [{ t: 'keys', bucket: 256 }, /keys\.bucket: must be an integer in \[0, 256\)/],
      [{ t: 'get', keys: Array.from({ length: GET_KEYS + 1 }, () => 'k') }, /get\.keys: must be at most 256 keys/],
      [{ t: 'root', digest: 'zz' }, /root\.digest: must be a hex digest/],
      [{ t: 'buckets', equal: false, buckets: ['a'] }, /buckets\.buckets: must be 256 digests/]
    ]
    for (const [m, re] of bad) assert.throws(() => decodeSyncMessage(m), (err: Error & { code?: string }) => err.code === 'SYNC_PROTOCOL' && re.test(err.message))
    const ok: SyncMessage = { t: 'keys', bucket: 3, after: 'spec/a' }
    assert.deepEqual(decodeSyncMessage(JSON.parse(JSON.stringify(ok))), ok)
  })
})
