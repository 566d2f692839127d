import assert from 'node:assert/strict'
import { eventually, type NodeProcess } from '../utils/harness.ts'
import { NetnsFabric, netemUnavailableReason, netnsUnavailableReason, ownNamespaces, type NetnsHost, type NetnsNode, skipUnless } from '../utils/netns.ts'

/** Ids of the members `node` lists as connected. */
async function listed (node: NodeProcess): Promise<Set<string>> {
  return new Set((await node.peers()).map(p => p.peerId))
}

/** Every node lists all the others. */
async function fullyConnected (nodes: NodeProcess[], ids: string[]): Promise<boolean> {
  for (const [i, n] of nodes.entries()) {
    const seen = await listed(n)
    if (!ids.every((id, j) => j === i || seen.has(id))) return false
  }
  return true
}

/** A three-host fabric: seed on host 1, hosts 2 and 3 join through its LAN address. */
async function threeHostFabric (fabric: NetnsFabric): Promise<{ nodes: NetnsNode[], ids: string[] }> {
  const n1 = await fabric.seed(fabric.host(1))
  const [n2, n3] = await Promise.all([fabric.join(fabric.host(2), n1), fabric.join(fabric.host(3), n1)])
  const nodes = [n1, n2, n3]
  const ids = await Promise.all(nodes.map(async n => (await n.status()).peerId))
  return { nodes, ids }
}

const ECHO_PORT = 7777

/** Answers every datagram to ECHO_PORT on `addresses`, inside `host`, until the fabric is torn down. */
function startEcho (host: NetnsHost, addresses: string[]): void {
  const script = `const d = require('node:dgram')
    for (const a of process.argv.slice(1)) { const s = d.createSocket('udp4'); s.on('message', (m, r) => s.send(m, r.port, r.address)); s.bind(${ECHO_PORT}, a) }`
  void host.exec([process.execPath, '-e', script, ...addresses]).catch(() => {})
}

/** One UDP datagram from `from` to `address` and its echo back, inside the namespaces. */
async function udpEchoes (from: NetnsHost, address: string): Promise<boolean> {
  const script = `const s = require('node:dgram').createSocket('udp4')
    s.on('message', () => { console.log('echo'); process.exit(0) })
    s.send('x', ${ECHO_PORT}, process.argv[1]); setTimeout(() => process.exit(0), 400)`
  const out = await from.exec([process.execPath, '-e', script, address])
  return out.includes('echo')
}

describe('daemons as separate hosts in network namespaces', function () {
  this.timeout(60_000)
  let fabric: NetnsFabric | undefined

  before(skipUnless('the netns suite', netnsUnavailableReason))
  afterEach(async () => { await fabric?.teardown(); fabric = undefined })
  after(() => { assert.deepEqual(ownNamespaces(), [], 'every namespace of this run is gone') })

  it('cuts and heals links symmetrically at once, keeping other links and loopback', async () => {
    fabric = await NetnsFabric.create({ hosts: 3 })
    const [h1, h2, h3] = fabric.hosts as [NetnsHost, NetnsHost, NetnsHost]
    for (const h of fabric.hosts) startEcho(h, [h.address, '127.0.0.1'])
    await eventually('echo servers answer', 5_000, async () => await udpEchoes(h1, h2.address) && await udpEchoes(h1, h3.address) && await udpEchoes(h2, h3.address))

    await fabric.partition([h3], [h1, h2])
    assert.deepEqual(fabric.partitions, [[1, 3], [2, 3]])
    for (const [a, b] of [[h1, h3], [h3, h1], [h2, h3], [h3, h2]] as const) assert.equal(await udpEchoes(a, b.address), false, `host ${a.index} still reaches host ${b.index}`)
    assert.equal(await udpEchoes(h1, h2.address), true, 'hosts 1 and 2 stay connected')
    assert.equal(await udpEchoes(h3, '127.0.0.1'), true, 'loopback works on a cut host')

    await fabric.heal()
    assert.deepEqual(fabric.partitions, [])
    for (const [a, b] of [[h1, h3], [h3, h2]] as const) assert.equal(await udpEchoes(a, b.address), true, `host ${a.index} does not reach host ${b.index} after heal`)
  })

  it('three daemons on three hosts form a fabric over 10.77 and list each other within 5 s', async () => {
    fabric = await NetnsFabric.create({ hosts: 3 })
    const started = Date.now()
    const { nodes, ids } = await threeHostFabric(fabric)
    assert.match(fabric.bootstrap as string, /^\/ip4\/10\.77\.0\.1\/udp\/4001\/quic-v1\/p2p\//)
    const ready = Date.now() - started
    const mesh = await eventually('every node lists the other two', 5_000, async () => await fullyConnected(nodes, ids))
    console.log(`      (three daemons ready after ${ready} ms, all listing each other ${mesh} ms later)`)
    for (const n of nodes.slice(1)) {
      const addrs = (await n.peers()).find(p => p.peerId === ids[0])?.addrs ?? []
      assert.ok(addrs.some(a => a.startsWith('/ip4/10.77.0.1/')), `${n.name} reaches the seed over the LAN: ${addrs.join(', ')}`)
    }
  })

  it('a partition drops host 3 from the others\' peer lists and back; heal reconnects all three', async function () {
    this.timeout(90_000)
    fabric = await NetnsFabric.create({ hosts: 3 })
    const { nodes, ids } = await threeHostFabric(fabric)
    const [n1, n2, n3] = nodes as [NetnsNode, NetnsNode, NetnsNode]
    const [id1, id2, id3] = ids as [string, string, string]
    await eventually('full mesh', 5_000, async () => await fullyConnected(nodes, ids))

    await fabric.partition([n3], [n1, n2])
    const split = await eventually('host 3 and hosts 1–2 drop each other (QUIC idle timeout 8 s)', 15_000, async () => {
      const [l1, l2, l3] = await Promise.all([listed(n1), listed(n2), listed(n3)])
      return !l1.has(id3) && !l2.has(id3) && !l3.has(id1) && !l3.has(id2)
    })
    // The cut is between groups only, and the cut host's admin socket still answers.
    assert.ok((await listed(n1)).has(id2) && (await listed(n2)).has(id1), 'hosts 1 and 2 stay connected')
    assert.equal((await n3.status()).state, 'ready')

    await fabric.heal()
    const healed = await eventually('all three list each other again (re-dial backoff up to 30 s)', 40_000, async () => await fullyConnected(nodes, ids))
    console.log(`      (split seen after ${split} ms, healed after ${healed} ms)`)
  })

  describe('with tc netem', function () {
    before(skipUnless('the netem test', netemUnavailableReason))

    it('100 ms of delay on host 3 shows in the others\' rttMs for it', async () => {
      fabric = await NetnsFabric.create({ hosts: 3 })
      const { nodes, ids } = await threeHostFabric(fabric)
      const [n1, n2, n3] = nodes as [NetnsNode, NetnsNode, NetnsNode]
      await eventually('full mesh', 5_000, async () => await fullyConnected(nodes, ids))

      await fabric.setNetem(n3, { delayMs: 100 })
      const rtt = async (from: NodeProcess, to: string) => (await from.peers()).find(p => p.peerId === to)?.rttMs ?? null
      // libp2p pings each connection every 10 s.
      const took = await eventually('rttMs to host 3 >= 90 ms from hosts 1 and 2', 20_000, async () =>
        ((await rtt(n1, ids[2] as string)) ?? 0) >= 90 && ((await rtt(n2, ids[2] as string)) ?? 0) >= 90)
      const between = await rtt(n1, ids[1] as string)
      assert.ok(between == null || between < 50, `rttMs between hosts 1 and 2 stays low: ${between}`)
      console.log(`      (delay visible in rttMs after ${took} ms)`)
      await fabric.clearNetem(n3)
      assert.equal(fabric.host(3).netem, null)
    })
  })
})
