import assert from 'node:assert/strict'
import { join } from 'node:path'
import { adminRequest, eventsAfter } from '../utils/admin-http.ts'
import { eventually, TestFabric, type NodeProcess } from '../utils/harness.ts'

interface Status { peerId: string, role: string, coordinator: string | null, epoch: number | null }
interface NodeDoc { peerId: string, state: string, role: string }

/** Straight to the admin socket: polling through the CLI would add ~250 ms per look. */
async function get<T> (n: NodeProcess, path: string): Promise<T> {
  const r = await adminRequest(join(n.dataDir, 'admin.sock'), 'GET', path)
  if (r.status !== 200) throw new Error(`${path}: ${r.status} ${r.body}`)
  return JSON.parse(r.body) as T
}

/** The coordinator and epoch every one of `nodes` agrees on, or undefined. */
async function agreed (nodes: NodeProcess[]): Promise<{ coordinator: string, epoch: number } | undefined> {
  const views = await Promise.all(nodes.map(async n => await get<Status>(n, '/v1/status')))
  const first = views[0]
  if (first?.coordinator == null || first.epoch == null) return undefined
  if (!views.every(v => v.coordinator === first.coordinator && v.epoch === first.epoch)) return undefined
  const roles = views.filter(v => v.role === 'coordinator')
  if (roles.length > 1 || (roles.length === 1 && roles[0]?.peerId !== first.coordinator)) return undefined
  return { coordinator: first.coordinator, epoch: first.epoch }
}

describe('membership and coordinator election', function () {
  this.timeout(90_000)
  let fabric: TestFabric
  let nodes: NodeProcess[]

  beforeEach(async () => {
    fabric = new TestFabric()
    const n1 = await fabric.seed()
    nodes = [n1, await fabric.join('n2', n1), await fabric.join('n3', n1)]
  })
  afterEach(async () => { await fabric.teardown() })

  async function settled (): Promise<{ coordinator: string, epoch: number }> {
    let out: { coordinator: string, epoch: number } | undefined
    await eventually('one coordinator agreed by all three', 10_000, async () => { out = await agreed(nodes); return out != null })
    return out as { coordinator: string, epoch: number }
  }

  it('elects exactly one coordinator; after SIGKILL a new one with a higher epoch within 3 s, and the dead node is dead everywhere', async () => {
    const before = await settled()
    const ids = await Promise.all(nodes.map(async n => (await get<Status>(n, '/v1/status')).peerId))
    const victim = nodes[ids.indexOf(before.coordinator)] as NodeProcess
    const survivors = nodes.filter(n => n !== victim)
    const killedAt = Date.now()
    await victim.kill('SIGKILL')
    const electedMs = await eventually('a new coordinator agreed by both survivors', 10_000, async () => {
      const a = await agreed(survivors)
      return a != null && a.coordinator !== before.coordinator && a.epoch > before.epoch
    })
    let states: Array<string | undefined> = []
    await eventually('the victim dead on both survivors', 10_000, async () => {
      states = await Promise.all(survivors.map(async n => (await get<NodeDoc[]>(n, '/v1/nodes')).find(d => d.peerId === before.coordinator)?.state))
      return states.every(s => s === 'dead')
    }).catch(err => { throw new Error(`${(err as Error).message}; survivors see ${JSON.stringify(states)}`) })
    const total = Date.now() - killedAt
    assert.ok(electedMs <= 3_500 && total <= 4_000, `new coordinator after ${electedMs} ms, dead everywhere after ${total} ms`)
    // The story is on the event stream too.
    const events = await eventsAfter(join((survivors[0] as NodeProcess).dataDir, 'admin.sock'), 0, 500)
    const types = events.map(e => e.type)
    assert.ok(types.includes('node.suspect') && types.includes('node.dead'), types.join(', '))
    assert.equal(events.filter(e => e.type === 'coordinator.elected').at(-1)?.data.epoch, (await agreed(survivors))?.epoch)
  })

  it('a restarted coordinator does not take the role back while the new one is healthy', async () => {
    const first = await settled()
    const ids = await Promise.all(nodes.map(async n => (await get<Status>(n, '/v1/status')).peerId))
    const old = nodes[ids.indexOf(first.coordinator)] as NodeProcess
    await old.kill('SIGKILL')
    const survivors = nodes.filter(n => n !== old)
    let second: { coordinator: string, epoch: number } | undefined
    await eventually('a new coordinator', 10_000, async () => { second = await agreed(survivors); return second != null && second.coordinator !== first.coordinator })
    old.spawn()
    await old.waitReady()
    await eventually('the restarted node follows the new coordinator', 10_000, async () => (await get<Status>(old, '/v1/status')).coordinator === second?.coordinator)
    for (let i = 0; i < 6; i++) {
      const now = await agreed(nodes)
      assert.deepEqual(now, second, 'the coordinator changed after the old one came back')
      await new Promise(resolve => setTimeout(resolve, 500))
    }
  })

  it('a coordinator stopped with SIGTERM hands over at once, without waiting for failure detection', async () => {
    const first = await settled()
    const ids = await Promise.all(nodes.map(async n => (await get<Status>(n, '/v1/status')).peerId))
    const old = nodes[ids.indexOf(first.coordinator)] as NodeProcess
    const survivors = nodes.filter(n => n !== old)
    await old.kill('SIGTERM')
    const ms = await eventually('a new coordinator', 5_000, async () => {
      const a = await agreed(survivors)
      return a != null && a.coordinator !== first.coordinator && a.epoch > first.epoch
    })
    assert.ok(ms < 1_500, `hand-over took ${ms} ms`)
  })
})
