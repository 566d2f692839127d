import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { PeerId } from '@libp2p/interface'
import { pino } from 'pino'
import { validateManifest } from '../../../protocol/manifest/index.ts'
import { planApply, type StateEntry } from '../../../protocol/state/index.ts'
import { EventLog } from '../../../node/events.ts'
import { HyperionMetrics } from '../../../node/metrics.ts'
import type { TopicSpec } from '../../../node/peer/gossip.ts'
import { StateService } from '../../../node/state/state-service.ts'
import { FakeClock } from '../../utils/fake-clock.ts'

const SELF = 'node-self'
const workload = (name: string, replicas = 1) => validateManifest({
  apiVersion: 'hyperion.io/v1alpha1',
  kind: 'HyperionWorkload',
  metadata: { name },
  spec: { replicas, template: { spec: { containers: [{ name: 'app', command: ['/bin/true'] }] } } }
})
const peer = (id: string): PeerId => ({ toString: () => id }) as unknown as PeerId

/** Runs a gossiped message through the registered decode/check/onMessage, as GossipBus's validator does. */
class FakeGossip {
  spec?: TopicSpec<unknown>
  published: unknown[] = []
  register<T> (spec: TopicSpec<T>): void { this.spec = spec as TopicSpec<unknown> }
  async publish (_topic: string, data: Uint8Array): Promise<number> { this.published.push(JSON.parse(new TextDecoder().decode(data))); return 1 }
  async deliver (entry: unknown, from: string): Promise<string | undefined> {
    const spec = this.spec as TopicSpec<unknown>
    let value: unknown
    try { value = spec.decode(new TextEncoder().encode(JSON.stringify(entry))) } catch (err) { const r = `malformed: ${(err as Error).message}`; spec.onReject?.(r); return r }
    const problem = await spec.check?.(value, peer(from))
    if (problem !== undefined) { spec.onReject?.(problem); return problem }
    spec.onMessage(value, peer(from))
    return undefined
  }
}

describe('StateService', () => {
  let dir: string
  let clock: FakeClock
  let gossip: FakeGossip
  let metrics: HyperionMetrics
  let handler: ((stream: unknown, connection: unknown) => void) | undefined
  const members = new Set(['node-b', 'node-c'])

  function service (): StateService {
    gossip = new FakeGossip()
    metrics = new HyperionMetrics()
    return new StateService({
      libp2p: { handle: async (_p: string, h: (s: unknown, c: unknown) => void) => { handler = h }, unhandle: async () => {}, getConnections: () => [], addEventListener: () => {}, removeEventListener: () => {} } as never,
      gossip,
      members: { isMember: (p: string) => members.has(p), addEventListener: () => {}, removeEventListener: () => {} } as never,
      clock,
      logger: pino({ level: 'silent' }),
      metrics,
      events: new EventLog({ now: () => clock.now() }),
      random: () => 0.5
    }, { path: join(dir, 'state.db'), self: SELF, syncProtocol: '/sync', controlTopic: '/control' })
  }

  async function rejected (reason: string): Promise<number> {
    const m = (await metrics.rejected.get()).values.find(v => v.labels.kind === 'state' && v.labels.reason === reason)
    return m?.value ?? 0
  }

  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'hyp-svc-')); clock = new FakeClock() })
  afterEach(() => { rmSync(dir, { recursive: true, force: true }) })

  it('applies idempotently, bumps the generation on a changed spec, gossips each write, and reloads after a restart', async () => {
    const s = service()
    await s.start()
    assert.deepEqual(s.apply(workload('web')), { name: 'web', outcome: 'created', generation: 1, durable: true })
    await clock.advance(5)
    assert.deepEqual(s.apply(workload('web')), { name: 'web', outcome: 'unchanged', generation: 1, durable: true })
    assert.equal(s.apply(workload('web', 3)).generation, 2)
    assert.equal(s.delete('web')?.outcome, 'deleted')
    assert.equal(s.delete('web'), undefined)
    assert.deepEqual(gossip.published.map(e => (e as StateEntry).ts.node), [SELF, SELF, SELF])
    const digest = s.state.digest()
    const last = (gossip.published.at(-1) as StateEntry).ts
    await s.stop()

    const again = service()
    await again.start()
    assert.equal(again.state.digest(), digest)
    assert.deepEqual(again.clock, last, 'the clock resumes from the last persisted write')
    await again.stop()
  })

  it('refuses a replayed op with a forged writer and counts it; the real writer\'s copy is accepted', async () => {
    const s = service()
    await s.start()
    const op = planApply(undefined, workload('web'), { wallMs: clock.now(), logical: 0, node: 'node-b' }).entry!
    const before = s.state.digest()
    const reason = await gossip.deliver(op, 'node-c')
    assert.match(reason ?? '', /^FORGED_WRITER: entry stamped by node-b but published by node-c/)
    assert.equal(await rejected('FORGED_WRITER'), 1)
    assert.equal(s.state.digest(), before)
    assert.equal(await gossip.deliver(op, 'node-b'), undefined)
    assert.equal(s.state.spec('web')?.generation, 1)
    await s.stop()
  })

  it('refuses an op stamped far in the future (a clock hours off) and a malformed one', async () => {
    const s = service()
    await s.start()
    const before = s.state.digest()
    const future = planApply(undefined, workload('late'), { wallMs: clock.now() + 2 * 3_600_000, logical: 0, node: 'node-b' }).entry!
    assert.match(await gossip.deliver(future, 'node-b') ?? '', /^CLOCK_DRIFT: timestamp from node-b is 7200000 ms ahead/)
    assert.match(await gossip.deliver({ ...future, generation: -1 }, 'node-b') ?? '', /^malformed: invalid state entry: entry\.generation/)
    assert.equal(await rejected('CLOCK_DRIFT'), 1)
    assert.equal(await rejected('malformed'), 1)
    // Sync takes the same checks, entry by entry.
    assert.equal(s.accept([future, { junk: true }]), 0)
    assert.equal(await rejected('CLOCK_DRIFT'), 2)
    assert.equal(s.state.digest(), before)
    await s.stop()
  })

  it('persists entries from peers, and a local write right after one is not overtaken on disk', async () => {
    const s = service()
    await s.start()
    const theirs = planApply(undefined, workload('web'), { wallMs: clock.now(), logical: 0, node: 'node-b' }).entry!
    const other = planApply(undefined, workload('api'), { wallMs: clock.now(), logical: 1, node: 'node-b' }).entry!
    assert.equal(await gossip.deliver(theirs, 'node-b'), undefined)
    // Not flushed yet: the local write must carry it, then win over it.
    assert.equal(s.apply(workload('web', 4)).generation, 2)
    assert.equal(await gossip.deliver(other, 'node-b'), undefined)
    await new Promise(resolve => setImmediate(resolve))
    const digest = s.state.digest()
    await s.stop()
    const again = service()
    await again.start()
    assert.equal(again.state.digest(), digest)
    assert.equal(again.state.spec('web')?.value?.manifest.spec.replicas, 4)
    assert.ok(again.state.spec('api') !== undefined)
    await again.stop()
  })

  it('refuses a sync stream from a peer that is not a member', async () => {
    const s = service()
    await s.start()
    let aborted: Error | undefined
    handler?.({ abort: (err: Error) => { aborted = err } }, { remotePeer: peer('outsider') })
    assert.match(aborted?.message ?? '', /not a fabric member/)
    assert.equal(await rejected('not a member'), 1)
    await s.stop()
  })
})
