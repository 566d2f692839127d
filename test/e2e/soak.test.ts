import assert from 'node:assert/strict'
import { join } from 'node:path'
import { adminRequest, eventsAfter as readEvents } from '../utils/admin-http.ts'
import { eventually, sleep, type NodeProcess } from '../utils/harness.ts'
import { lossUnavailableReason, NetnsFabric, netnsUnavailableReason, ownNamespaces, type NetnsNode, skipUnless } from '../utils/netns.ts'

/** How long the lossy fabric runs: the issue asks for 10 minutes; HYPERION_SOAK_SECONDS shortens it for a quick look. */
const SECONDS = Number(process.env.HYPERION_SOAK_SECONDS ?? 600)

describe('failure detection under 10% packet loss (network namespaces)', function () {
  this.timeout((SECONDS + 180) * 1000)
  let fabric: NetnsFabric | undefined

  before(skipUnless('the soak', netnsUnavailableReason, lossUnavailableReason))
  afterEach(async () => { await fabric?.teardown(); fabric = undefined })
  after(() => { assert.deepEqual(ownNamespaces(), []) })

  it(`declares no healthy node dead over ${SECONDS} s of a 6-node fabric with 10% loss on every link`, async () => {
    fabric = await NetnsFabric.create({ hosts: 6 })
    const f = fabric
    const seed = await f.seed(f.host(1))
    const others: NetnsNode[] = []
    for (let i = 2; i <= 6; i++) others.push(await f.join(f.host(i), seed))
    const nodes = [seed, ...others]
    const ids = await Promise.all(nodes.map(async n => (await n.status()).peerId))
    await eventually('all six alive on every node', 30_000, async () => {
      for (const n of nodes) {
        const list = JSON.parse((await adminRequest(join(n.dataDir, 'admin.sock'), 'GET', '/v1/nodes')).body) as Array<{ peerId: string, state: string }>
        if (!ids.every(id => list.find(d => d.peerId === id)?.state === 'alive')) return false
      }
      return true
    })
    // Count only what happens once the loss is on (joining has its own history).
    const marks = await Promise.all(nodes.map(async n => Math.max(0, ...(await readEvents(join(n.dataDir, 'admin.sock'), 0, 500)).map(e => e.id))))
    for (const h of f.hosts) await f.setLoss(h, 10)
    const deadline = Date.now() + SECONDS * 1000
    while (Date.now() < deadline) {
      await sleep(Math.min(10_000, deadline - Date.now()))
      for (const n of nodes) assert.ok(n.running, `${n.name} stopped`)
    }
    const events = (await Promise.all(nodes.map(async (n, i) => await readEvents(join(n.dataDir, 'admin.sock'), marks[i] as number, 500)))).flat()
    const dead = events.filter(e => e.type === 'node.dead').length
    const suspect = events.filter(e => e.type === 'node.suspect').length
    const dropped = (await Promise.all(f.hosts.map(async h => await f.lossDropped(h)))).reduce((a, b) => a + b, 0)
    console.log(`      ${SECONDS} s at 10% loss: ${dropped} packets dropped, ${suspect} suspicions (refuted), ${dead} dead verdicts`)
    assert.ok(dropped > 100, `only ${dropped} packets were dropped: the loss was not applied`)
    assert.equal(dead, 0)
  })
})
