import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { quic } from '@chainsafe/libp2p-quic'
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { protocolIds } from '../../protocol/protocols.ts'
import { adminRequest, type RawResponse } from '../utils/admin-http.ts'
import { REPO } from '../utils/cli.ts'
import { eventually, sleep, TestFabric, type NodeProcess } from '../utils/harness.ts'

const sock = (n: NodeProcess): string => join(n.dataDir, 'admin.sock')

function manifest (name: string, replicas = 1, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    apiVersion: 'hyperion.io/v1alpha1',
    kind: 'HyperionWorkload',
    metadata: { name },
    spec: { replicas, template: { spec: { containers: [{ name: 'app', command: ['/bin/sleep', '60'], resources: { limits: { cpu: '100m' } } }] } } },
    ...extra
  })
}

async function post (n: NodeProcess, body: string, contentType = 'application/json'): Promise<RawResponse> {
  return await adminRequest(sock(n), 'POST', '/v1/workloads', body, { 'content-type': contentType })
}

async function has (n: NodeProcess, name: string): Promise<boolean> {
  return (await adminRequest(sock(n), 'GET', `/v1/workloads/${name}`)).status === 200
}

async function digest (n: NodeProcess): Promise<string> {
  return (JSON.parse((await adminRequest(sock(n), 'GET', '/v1/state')).body) as { digest: string }).digest
}

async function threeNodes (fabric: TestFabric): Promise<NodeProcess[]> {
  const n1 = await fabric.seed('n1', ['--log-level', 'warn'])
  const [t2, t3] = [await fabric.token(n1), await fabric.token(n1)]
  const n2 = fabric.node('n2', ['--bootstrap', fabric.bootstrap as string, '--join-token', t2, '--log-level', 'warn']).spawn()
  const n3 = fabric.node('n3', ['--bootstrap', fabric.bootstrap as string, '--join-token', t3, '--log-level', 'warn']).spawn()
  await Promise.all([n2.waitReady(), n3.waitReady()])
  const nodes = [n1, n2, n3]
  await eventually('every node sees the other two', 15_000, async () => (await Promise.all(nodes.map(async n => (await n.peers()).length))).every(c => c === 2))
  return nodes
}

describe('replicated workload state across daemons', function () {
  this.timeout(120_000)
  let fabric: TestFabric

  beforeEach(() => { fabric = new TestFabric() })
  afterEach(async () => { await fabric.teardown() })

  it('apply on node 1 shows on node 3 within 1 s; delete on node 3 removes it on node 1', async () => {
    const [n1, , n3] = await threeNodes(fabric) as [NodeProcess, NodeProcess, NodeProcess]
    // Warm-up: the gossip mesh forms on heartbeats after the peers connect.
    assert.equal((await post(n1, manifest('warm-up'))).status, 201)
    await eventually('warm-up on node 3', 10_000, async () => await has(n3, 'warm-up'))

    const r = await post(n1, manifest('web', 2))
    assert.equal(r.status, 201, r.body)
    assert.deepEqual(JSON.parse(r.body), { name: 'web', outcome: 'created', generation: 1, durable: true })
    const ms = await eventually('web on node 3', 5_000, async () => await has(n3, 'web'))
    assert.ok(ms < 1_000, `took ${ms} ms to reach node 3`)
    const got = await n3.cli(['get', 'workload', 'web', '--json'])
    assert.equal(got.code, 0, got.stderr)
    const doc = JSON.parse(got.stdout) as { name: string, generation: number, spec: { replicas: number }, status: { phase: string, reason: string, replicas: unknown[] } }
    assert.equal(doc.generation, 1)
    assert.equal(doc.spec.replicas, 2)
    assert.equal(doc.status.phase, 'Pending')
    assert.match(doc.status.reason, /no scheduler/)
    assert.deepEqual(doc.status.replicas, [])

    // Same manifest again: unchanged, same generation; a changed spec bumps it.
    assert.equal((await post(n1, manifest('web', 2))).status, 200)
    assert.equal(JSON.parse((await post(n1, manifest('web', 3))).body).generation, 2)

    const del = await n3.cli(['delete', 'workload', 'web', '--json'])
    assert.equal(del.code, 0, del.stderr)
    await eventually('web gone on node 1', 5_000, async () => !(await has(n1, 'web')))
    const missing = await n1.cli(['get', 'workload', 'web'])
    assert.equal(missing.code, 1)
    assert.match(missing.stderr, /no workload named "web"/)
    await eventually('same digest everywhere', 5_000, async () => new Set(await Promise.all(fabric.nodes.map(digest))).size === 1)
  })

  it('a workload acknowledged just before kill -9 is there after the restart', async () => {
    const n1 = await fabric.seed('n1', ['--log-level', 'warn'])
    const r = await post(n1, readFileSync(join(REPO, 'fixtures/manifests/resnet50-inference.yaml'), 'utf8'), 'application/yaml')
    n1.child?.kill('SIGKILL')
    assert.equal(r.status, 201, r.body)
    assert.equal(JSON.parse(r.body).durable, true)
    await n1.waitExit()
    n1.spawn()
    await n1.waitReady()
    const got = await n1.cli(['get', 'workloads', '--json'])
    assert.equal(got.code, 0, got.stderr)
    assert.deepEqual((JSON.parse(got.stdout) as Array<{ name: string }>).map(w => w.name), ['resnet50-inference'])
  })

  it('a node that was down during 100 applies catches up on restart through sync alone', async () => {
    const [n1, n2, n3] = await threeNodes(fabric) as [NodeProcess, NodeProcess, NodeProcess]
    await n3.kill()
    for (let i = 0; i < 100; i++) {
      const r = await post(i % 2 === 0 ? n1 : n2, manifest(`job-${i}`))
      assert.equal(r.status, 201, r.body)
    }
    // Gossipsub only advertises a message for a few heartbeats (3 s): past
    // that, nothing but the sync protocol can bring these to node 3.
    await sleep(4_000)
    const target = await digest(n1)
    await eventually('node 1 and 2 agree', 10_000, async () => await digest(n2) === target)
    n3.spawn()
    await n3.waitReady()
    const ms = await eventually('node 3 caught up', 30_000, async () => await digest(n3) === target)
    const list = JSON.parse((await adminRequest(sock(n3), 'GET', '/v1/workloads')).body) as unknown[]
    assert.equal(list.length, 100)
    const events = JSON.parse((await adminRequest(sock(n3), 'GET', '/v1/workloads/job-42/events')).body) as Array<{ data: { via: string } }>
    assert.deepEqual(events.map(e => e.data.via), ['sync'])
    console.log(`      caught up ${list.length} workloads in ${ms} ms after ready`)
  })

  it('gives a peer without a certificate no state and takes none from it', async () => {
    const n1 = await fabric.seed('n1', ['--log-level', 'warn'])
    assert.equal((await post(n1, manifest('secret'))).status, 201)
    const before = await digest(n1)
    const status = await n1.status()
    const ids = protocolIds(status.fabricId)
    const peer = await createLibp2p({
      addresses: { listen: ['/ip4/127.0.0.1/udp/0/quic-v1'] },
      transports: [quic()],
      services: { identify: identify(), pubsub: gossipsub({ allowPublishToZeroTopicPeers: true, scoreParams: { IPColocationFactorWeight: 0 } }) }
    })
    try {
      const conn = await peer.dial(multiaddr(status.listenAddrs[0] as string))
      // Asks for the state digest over the sync protocol: the stream is
      // reset unanswered (or the daemon has already hung up on us).
      let answer: unknown
      try {
        const lp = lpStream(await conn.newStream(ids.sync))
        await lp.write(new TextEncoder().encode(JSON.stringify({ t: 'root', digest: '00' })))
        answer = await lp.read({ signal: AbortSignal.timeout(5_000) })
      } catch {}
      assert.equal(answer, undefined, 'no answer to a non-member')
      // A forged tombstone on the control topic, stamped with the daemon's own id.
      const forged = { type: 'spec', name: 'secret', ts: { wallMs: Date.now(), logical: 0, node: status.peerId }, generation: 9, value: null }
      peer.services.pubsub.subscribe(ids.controlTopic)
      await sleep(1_500)
      await peer.services.pubsub.publish(ids.controlTopic, new TextEncoder().encode(JSON.stringify(forged))).catch(() => {})
      await sleep(500)
    } finally {
      await peer.stop()
    }
    assert.equal(await digest(n1), before)
    assert.equal(JSON.parse((await adminRequest(sock(n1), 'GET', '/v1/workloads/secret')).body).generation, 1)
  })

  it('refuses bad input with a clear error and changes nothing', async () => {
    const n1 = await fabric.seed('n1', ['--log-level', 'warn'])
    assert.equal((await post(n1, manifest('keep'))).status, 201)
    const before = await digest(n1)
    const cases: Array<[string, () => Promise<RawResponse>, number, string, RegExp]> = [
      ['broken YAML', async () => await post(n1, 'apiVersion: [unclosed\nkind: x\n', 'application/yaml'), 400, 'MANIFEST_SYNTAX', /not valid YAML/],
      ['wrong apiVersion', async () => await post(n1, manifest('a', 1, { apiVersion: 'apps/v1' })), 400, 'INVALID_MANIFEST', /apiVersion: .*apps\/v1/],
      ['wrong kind', async () => await post(n1, manifest('a', 1, { kind: 'Deployment' })), 400, 'INVALID_MANIFEST', /kind: .*Deployment/],
      ['negative replicas', async () => await post(n1, manifest('keep', -1)), 400, 'INVALID_MANIFEST', /spec\.replicas: must be an integer >= 0 \(got -1\)/],
      ['name not DNS-1123', async () => await post(n1, manifest('Not_A_Label')), 400, 'INVALID_MANIFEST', /metadata\.name: must be a DNS-1123 label/],
      ['10 MB manifest', async () => await post(n1, manifest('big', 1, { metadata: { name: 'big', labels: { a: 'x' }, annotations: 'y'.repeat(10 * 2 ** 20) } })), 413, 'BODY_TOO_LARGE', /exceeds the 1048576-byte limit/],
      ['unknown content type', async () => await post(n1, manifest('a'), 'text/plain'), 415, 'UNSUPPORTED_CONTENT_TYPE', /Content-Type/],
      ['empty body', async () => await adminRequest(sock(n1), 'POST', '/v1/workloads'), 400, 'INVALID_INPUT', /body: must be a HyperionWorkload manifest/],
      ['delete of a bad name', async () => await adminRequest(sock(n1), 'DELETE', '/v1/workloads/Bad_Name'), 400, 'INVALID_INPUT', /name: must be a DNS-1123 label/],
      ['delete of a missing workload', async () => await adminRequest(sock(n1), 'DELETE', '/v1/workloads/nope'), 404, 'NOT_FOUND', /no workload named "nope"/]
    ]
    for (const [what, send, status, code, message] of cases) {
      const r = await send()
      assert.equal(r.status, status, `${what}: ${r.body}`)
      const err = (JSON.parse(r.body) as { error: { code: string, message: string } }).error
      assert.equal(err.code, code, what)
      assert.match(err.message, message, what)
    }
    const cli = await n1.cli(['apply', '-f', join(REPO, 'fixtures/manifests/invalid-many-problems.yaml')])
    assert.equal(cli.code, 2)
    assert.match(cli.stderr, /spec\.replicas: must be an integer >= 0/)
    const stdin = await n1.cli(['apply', '-f', '-', '--json'])
    assert.equal(stdin.code, 2, 'an empty stdin is bad input')
    assert.equal(await digest(n1), before, 'a refused request changes nothing')
    assert.equal((await n1.status()).state, 'ready')
  })
})
