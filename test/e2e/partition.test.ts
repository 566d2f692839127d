import assert from 'node:assert/strict'
import { join } from 'node:path'
import { adminRequest } from '../utils/admin-http.ts'
import { eventually, type NodeProcess } from '../utils/harness.ts'
import { NetnsFabric, netnsUnavailableReason, ownNamespaces, type NetnsNode, skipUnless } from '../utils/netns.ts'

interface Status { peerId: string, region: string, role: string, coordinator: string | null, epoch: number | null, fabricLeader: string | null }

async function status (n: NodeProcess): Promise<Status> {
  const r = await adminRequest(join(n.dataDir, 'admin.sock'), 'GET', '/v1/status')
  return JSON.parse(r.body) as Status
}

/** The one coordinator every node of `group` agrees on (and which says so itself), or undefined. */
async function coordinatorOf (group: NodeProcess[]): Promise<{ coordinator: string, epoch: number } | undefined> {
  const views = await Promise.all(group.map(status))
  const c = views[0]?.coordinator
  const e = views[0]?.epoch
  if (c == null || e == null || !views.every(v => v.coordinator === c && v.epoch === e)) return undefined
  if (views.filter(v => v.role === 'coordinator').length !== (views.some(v => v.peerId === c) ? 1 : 0)) return undefined
  return { coordinator: c, epoch: e }
}

/**
 * Real partitions: six daemons on six hosts (network namespaces), two regions
 * of three, links cut with blackhole routes between hosts.
 */
describe('election through real partitions (network namespaces)', function () {
  this.timeout(180_000)
  let fabric: NetnsFabric | undefined

  before(skipUnless('the partition suite', netnsUnavailableReason))
  afterEach(async () => { await fabric?.teardown(); fabric = undefined })
  after(() => { assert.deepEqual(ownNamespaces(), []) })

  it('each side of a split region elects its own coordinator; after the heal one per region within 5 s', async () => {
    fabric = await NetnsFabric.create({ hosts: 6 })
    const f = fabric
    const seed = await f.seed(f.host(1), 'a1')
    const joinAs = async (i: number, name: string, region: string[]): Promise<NetnsNode> => await f.join(f.host(i), seed, { name, args: region })
    const eu = ['--region', 'eu-west-1', '--geography', 'EU']
    const [a2, a3, b1, b2, b3] = await Promise.all([
      joinAs(2, 'a2', []), joinAs(3, 'a3', []), joinAs(4, 'b1', eu), joinAs(5, 'b2', eu), joinAs(6, 'b3', eu)
    ])
    const a = [seed, a2, a3]
    const b = [b1, b2, b3]
    await eventually('one coordinator per region', 20_000, async () => (await coordinatorOf(a)) != null && (await coordinatorOf(b)) != null)
    const before = { a: await coordinatorOf(a), b: await coordinatorOf(b) }

    // Cut each region 2 | 1: {a1, a2, b1, b2} on one side, {a3, b3} on the other.
    const left = [seed, a2, b1, b2]
    const right = [a3, b3]
    await f.partition(left, right)
    const sides = [[seed, a2], [a3], [b1, b2], [b3]]
    const ids = new Map<NodeProcess, string>()
    for (const n of [...a, ...b]) ids.set(n, (await status(n)).peerId)
    await eventually('a coordinator of its own on every side of every region', 30_000, async () =>
      (await Promise.all(sides.map(coordinatorOf))).every((c, i) => c != null && (sides[i] as NodeProcess[]).some(n => ids.get(n) === c.coordinator)))
    const split = await Promise.all(sides.map(coordinatorOf))
    assert.notEqual(split[0]?.coordinator, split[1]?.coordinator)
    assert.notEqual(split[2]?.coordinator, split[3]?.coordinator)
    // The part without the old coordinator moved to a higher epoch.
    for (const [i, region] of [[0, before.a], [2, before.b]] as const) {
      const side = [split[i], split[i + 1]]
      assert.ok(side.some(c => c?.coordinator !== region?.coordinator && (c?.epoch ?? 0) > (region?.epoch ?? 0)))
    }
    // Every connected part has a fabric leader.
    for (const part of [left, right]) {
      const leaders = await Promise.all(part.map(async n => (await status(n)).fabricLeader))
      assert.ok(leaders.every(l => l != null), `no fabric leader in a part: ${JSON.stringify(leaders)}`)
    }

    await f.heal()
    // Connections come back within one redial backoff (at most 5 s); from
    // there a single coordinator per region within 5 s.
    const healedAt = Date.now()
    await eventually('one coordinator per region again', 20_000, async () => (await coordinatorOf(a)) != null && (await coordinatorOf(b)) != null)
    const took = Date.now() - healedAt
    const after = { a: await coordinatorOf(a), b: await coordinatorOf(b) }
    const maxEpoch = (i: number, j: number): number => Math.max(split[i]?.epoch ?? 0, split[j]?.epoch ?? 0)
    assert.equal(after.a?.epoch, maxEpoch(0, 1))
    assert.equal(after.b?.epoch, maxEpoch(2, 3))
    assert.ok(took <= 10_000, `one coordinator per region ${took} ms after the heal`)
  })
})
