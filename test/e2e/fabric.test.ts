import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { encodeToken, issueToken } from '../../protocol/membership/index.ts'
import { DataDir } from '../../node/config/data-dir.ts'
import { eventually, TestFabric, type NodeProcess } from '../utils/harness.ts'

/** Every node lists all the others (and only them) as peers. */
async function fullyConnected (nodes: NodeProcess[]): Promise<boolean> {
  const ids = await Promise.all(nodes.map(async n => (await n.status()).peerId))
  for (const [i, n] of nodes.entries()) {
    const listed = new Set((await n.peers()).map(p => p.peerId))
    const others = ids.filter((_, j) => j !== i)
    if (!others.every(id => listed.has(id))) return false
  }
  return true
}

describe('a fabric of daemon processes on loopback', function () {
  this.timeout(60_000)
  let fabric: TestFabric

  beforeEach(() => { fabric = new TestFabric() })
  afterEach(async () => { await fabric.teardown() })

  it('joins two nodes through the first one; all list each other within 5 s', async () => {
    const n1 = await fabric.seed()
    const [t2, t3] = [await fabric.token(n1), await fabric.token(n1)]
    const n2 = fabric.node('n2', ['--bootstrap', fabric.bootstrap as string, '--join-token', t2]).spawn()
    const n3 = fabric.node('n3', ['--bootstrap', fabric.bootstrap as string, '--join-token', t3]).spawn()
    // From the moment both have joined (process start-up time is the benchmark's business).
    await Promise.all([n2.waitReady(), n3.waitReady()])
    await eventually('every node lists the other two', 5_000, async () => await fullyConnected([n1, n2, n3]))
    const s1 = await n1.status()
    for (const n of [n2, n3]) {
      const s = await n.status()
      assert.equal(s.fabricId, s1.fabricId)
      assert.equal((s.membership as { role: string }).role, 'member')
    }
    const peersOf2 = await n2.peers()
    assert.equal(peersOf2.find(p => p.peerId === s1.peerId)?.role, 'admin')
  })

  it('a node killed with SIGKILL restarts with the same peer id and is listed again', async () => {
    const n1 = await fabric.seed()
    const n2 = await fabric.join('n2', n1)
    const n3 = await fabric.join('n3', n1)
    await eventually('full mesh', 5_000, async () => await fullyConnected([n1, n2, n3]))
    const before = (await n2.status()).peerId

    await n2.kill('SIGKILL')
    await eventually('n2 gone from the others', 15_000, async () =>
      !(await n1.peers()).some(p => p.peerId === before) && !(await n3.peers()).some(p => p.peerId === before))

    // Same data dir and flags: the stale pid file and socket must not stop it, and its certificate is reused.
    n2.spawn()
    const after = await n2.waitReady()
    assert.equal(after.peerId, before)
    await eventually('n2 back in every peer list', 5_000, async () => await fullyConnected([n1, n2, n3]))
  })

  it('SIGTERM stops a node cleanly: exit 0, socket and pid file removed, peers told at once', async () => {
    const n1 = await fabric.seed()
    const n2 = await fabric.join('n2', n1)
    const id2 = (await n2.status()).peerId
    await eventually('n1 lists n2', 5_000, async () => (await n1.peers()).some(p => p.peerId === id2))
    const stoppedAt = Date.now()
    assert.equal(await n2.kill('SIGTERM'), 0)
    assert.equal(existsSync(join(n2.dataDir, 'admin.sock')), false)
    assert.equal(existsSync(join(n2.dataDir, 'daemon.pid')), false)
    // Well under QUIC's 8 s idle timeout: the connection was closed, not abandoned.
    await eventually('n1 drops n2', 3_000, async () => !(await n1.peers()).some(p => p.peerId === id2))
    assert.ok(Date.now() - stoppedAt < 4_000)
  })

  it('a node without a token of this fabric never appears in any peer list', async () => {
    const n1 = await fabric.seed()
    const n2 = await fabric.join('n2', n1)
    // No token: it makes a fabric of its own and keeps dialling ours.
    const outsider = fabric.node('outsider', ['--bootstrap', fabric.bootstrap as string]).spawn()
    const o = await outsider.waitReady()
    assert.notEqual(o.fabricId, (await n1.status()).fabricId)
    for (let i = 0; i < 8; i++) {
      for (const n of [n1, n2]) assert.ok(!(await n.peers()).some(p => p.peerId === o.peerId), `${n.name} lists the outsider`)
      assert.equal((await outsider.peers()).length, 0)
      await new Promise(resolve => setTimeout(resolve, 500))
    }
    // Whichever side notices first drops the connection and logs why.
    assert.match(n1.stderr + outsider.stderr, /refusing peer without valid membership/)
  })

  it('refuses tampered, truncated, foreign and garbage tokens with a clear error', async () => {
    const n1 = await fabric.seed()
    const other = new TestFabric()
    try {
      const foreignSeed = await other.seed('f1')
      const foreign = await other.token(foreignSeed)
      const good = await fabric.token(n1)
      const tampered = good.slice(0, 40) + (good[40] === 'A' ? 'B' : 'A') + good.slice(41)
      const cases: Array<[string, string, RegExp]> = [
        ['tampered', tampered, /signature is invalid|malformed/i],
        ['truncated', good.slice(0, good.length - 10), /join token/i],
        ['foreign', foreign, /not a member of fabric|another fabric|is for fabric/i],
        ['garbage', 'not-a-token', /must start with 'hyp1\.'/]
      ]
      for (const [name, token, message] of cases) {
        const n = fabric.node(`bad-${name}`, ['--bootstrap', fabric.bootstrap as string, '--join-token', token]).spawn()
        const code = await n.waitExit(15_000)
        assert.notEqual(code, 0, `${name} token was accepted`)
        assert.match(n.stderr + n.stdout, message, `${name}: ${n.stderr}`)
      }
      const ids = (await n1.peers()).map(p => p.peerId)
      assert.deepEqual(ids, [])
    } finally {
      await other.teardown()
    }
  })

  it('refuses a token of this fabric that has expired, naming when it expired', async () => {
    const n1 = await fabric.seed()
    // The API signs nothing shorter than a minute, so sign an already expired
    // token with the fabric key itself, as an admin's clock would have.
    const key = new DataDir(n1.dataDir).loadFabricKey()
    assert.ok(key != null)
    const now = Date.now()
    const token = encodeToken(await issueToken({
      fabricPublicKey: key.publicKey.raw, tokenId: new Uint8Array(16).fill(7), role: 'member', region: '',
      issuedAt: now - 7_200_000, expiresAt: now - 3_600_000, certTtlMs: 86_400_000
    }, { privateKey: key }))
    const n = fabric.node('late', ['--bootstrap', fabric.bootstrap as string, '--join-token', token]).spawn()
    assert.notEqual(await n.waitExit(15_000), 0)
    assert.match(n.stderr, /join token expired at \d{4}-\d\d-\d\dT/)
    assert.deepEqual(await n1.peers(), [])

    const r = await n1.cli(['fabric', 'token', '--ttl', '1s'])
    assert.equal(r.code, 2)
    assert.match(r.stderr, /ttl: must be between 1m and 30d/)
  })
})
