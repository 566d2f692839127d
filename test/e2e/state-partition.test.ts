import assert from 'node:assert/strict'
import { join } from 'node:path'
import { adminRequest } from '../utils/admin-http.ts'
import { eventually, sleep, type NodeProcess } from '../utils/harness.ts'
import { NetnsFabric, netnsUnavailableReason, type NetnsNode, skipUnless } from '../utils/netns.ts'

const sock = (n: NodeProcess): string => join(n.dataDir, 'admin.sock')
const manifest = (name: string, replicas = 1): string => JSON.stringify({
  apiVersion: 'hyperion.io/v1alpha1',
  kind: 'HyperionWorkload',
  metadata: { name },
  spec: { replicas, template: { spec: { containers: [{ name: 'app', command: ['/bin/sleep', '60'] }] } } }
})

async function apply (n: NodeProcess, body: string): Promise<number> {
  const r = await adminRequest(sock(n), 'POST', '/v1/workloads', body, { 'content-type': 'application/json' })
  assert.ok(r.status === 200 || r.status === 201, r.body)
  return (JSON.parse(r.body) as { generation: number }).generation
}

async function names (n: NodeProcess): Promise<string[]> {
  return (JSON.parse((await adminRequest(sock(n), 'GET', '/v1/workloads')).body) as Array<{ name: string }>).map(w => w.name)
}

async function digest (n: NodeProcess): Promise<string> {
  return (JSON.parse((await adminRequest(sock(n), 'GET', '/v1/state')).body) as { digest: string }).digest
}

async function peersOf (n: NodeProcess): Promise<number> {
  return (await n.peers()).length
}

describe('replicated state through a network partition (netns hosts)', function () {
  this.timeout(150_000)
  let fabric: NetnsFabric | undefined

  before(skipUnless('the partition test', netnsUnavailableReason))
  afterEach(async () => { await fabric?.teardown(); fabric = undefined })

  it('both sides keep taking writes; after the heal every node holds the same state and the later update wins', async () => {
    fabric = await NetnsFabric.create({ hosts: 3 })
    const quiet = ['--log-level', 'warn']
    const n1 = await fabric.seed(fabric.host(1), 'n1', quiet)
    const [n2, n3] = await Promise.all([fabric.join(fabric.host(2), n1, { args: quiet }), fabric.join(fabric.host(3), n1, { args: quiet })]) as [NetnsNode, NetnsNode]
    const nodes = [n1, n2, n3]
    await eventually('full mesh', 15_000, async () => (await Promise.all(nodes.map(peersOf))).every(c => c === 2))
    await apply(n1, manifest('shared'))
    await eventually('shared everywhere', 10_000, async () => (await Promise.all(nodes.map(names))).every(l => l.includes('shared')))

    await fabric.partition([n3], [n1, n2])
    await eventually('the sides drop each other (QUIC idle timeout 8 s)', 20_000, async () => await peersOf(n3) === 0 && await peersOf(n1) === 1)

    assert.equal(await apply(n1, manifest('left-only')), 1)
    assert.equal(await apply(n1, manifest('shared', 2)), 2)
    await sleep(50)
    assert.equal(await apply(n3, manifest('right-only')), 1)
    assert.equal(await apply(n3, manifest('shared', 5)), 2)
    await eventually('node 2 has the left side\'s writes', 5_000, async () => (await names(n2)).includes('left-only'))
    await sleep(1_000)
    assert.deepEqual(await names(n3), ['right-only', 'shared'], 'nothing crossed the partition')

    await fabric.heal()
    const reconnected = await eventually('the sides reconnect (re-dial backoff up to 30 s)', 60_000, async () => (await Promise.all(nodes.map(peersOf))).every(c => c === 2))
    const converged = await eventually('one digest everywhere', 15_000, async () => new Set(await Promise.all(nodes.map(digest))).size === 1)
    console.log(`      (reconnected ${reconnected} ms after the heal, same digest ${converged} ms later)`)
    assert.ok(converged <= 5_000, `converged ${converged} ms after reconnecting`)
    for (const n of nodes) {
      assert.deepEqual(await names(n), ['left-only', 'right-only', 'shared'])
      const shared = JSON.parse((await adminRequest(sock(n), 'GET', '/v1/workloads/shared')).body) as { spec: { replicas: number }, updatedBy: string }
      assert.equal(shared.spec.replicas, 5, `${n.name}: the later update wins`)
      assert.equal(shared.updatedBy, (await n3.status()).peerId)
    }
  })
})
