import assert from 'node:assert/strict'
import { request } from 'node:http'
import { cpus, totalmem } from 'node:os'
import { join } from 'node:path'
import { awsImds } from '../utils/cloud-services.ts'
import { startMetadataServer } from '../utils/metadata-server.ts'
import { eventually, TestFabric, type NodeProcess } from '../utils/harness.ts'

interface NodeDoc {
  peerId: string
  state: string
  facts: { cores: number | null, memoryTotalBytes: number | null, diskTotalBytes: number | null, region: string }
  telemetry: { cpuLoadPercent: number | null, memoryAvailableBytes: number | null, diskAvailableBytes: number | null }
}

async function nodesOf (n: NodeProcess): Promise<NodeDoc[]> {
  const r = await n.cli(['nodes', '--json'])
  if (r.code !== 0) throw new Error(r.stderr)
  return JSON.parse(r.stdout) as NodeDoc[]
}

/** Reads the SSE stream of /v1/events until an event of `type` arrives. */
async function nextEvent (socketPath: string, type: string, timeoutMs: number): Promise<{ type: string, data?: Record<string, unknown> }> {
  return await new Promise((resolve, reject) => {
    const req = request({ socketPath, path: '/v1/events', method: 'GET' }, res => {
      let buf = ''
      res.on('data', (d: Buffer) => {
        buf += d.toString()
        for (const block of buf.split('\n\n')) {
          const data = /^data: (.*)$/m.exec(block)?.[1]
          if (data == null) continue
          const e = JSON.parse(data) as { type: string }
          if (e.type === type) { req.destroy(); clearTimeout(timer); resolve(e) }
        }
      })
    })
    const timer = setTimeout(() => { req.destroy(); reject(new Error(`no ${type} event within ${timeoutMs} ms`)) }, timeoutMs)
    req.on('error', () => {})
    req.end()
  })
}

describe('telemetry across daemons', function () {
  this.timeout(60_000)
  let fabric: TestFabric

  beforeEach(() => { fabric = new TestFabric() })
  afterEach(async () => { await fabric.teardown() })

  it('within 5 s every node lists all three with this machine\'s cpu, memory and disk', async () => {
    const n1 = await fabric.seed()
    const [t2, t3] = [await fabric.token(n1), await fabric.token(n1)]
    const n2 = fabric.node('n2', ['--bootstrap', fabric.bootstrap as string, '--join-token', t2]).spawn()
    const n3 = fabric.node('n3', ['--bootstrap', fabric.bootstrap as string, '--join-token', t3]).spawn()
    await Promise.all([n2.waitReady(), n3.waitReady()])
    const ids = await Promise.all([n1, n2, n3].map(async n => (await n.status()).peerId))
    const complete = (list: NodeDoc[]): boolean => ids.every(id => {
      const d = list.find(x => x.peerId === id)
      return d?.facts?.cores != null && d.telemetry?.memoryAvailableBytes != null && d.telemetry.diskAvailableBytes != null
    })
    await eventually('all three nodes with figures on every node', 5_000, async () =>
      (await Promise.all([n1, n2, n3].map(nodesOf))).every(complete))
    for (const n of [n1, n2, n3]) {
      for (const d of await nodesOf(n)) {
        assert.equal(d.state, 'alive')
        assert.equal(d.facts.region, 'local')
        assert.equal(d.facts.cores, cpus().length)
        assert.ok(Math.abs((d.facts.memoryTotalBytes as number) - totalmem()) / totalmem() < 0.01, `memory ${d.facts.memoryTotalBytes} vs ${totalmem()}`)
        assert.ok((d.facts.diskTotalBytes as number) > 0 && (d.telemetry.diskAvailableBytes as number) <= (d.facts.diskTotalBytes as number))
        assert.ok((d.telemetry.memoryAvailableBytes as number) <= (d.facts.memoryTotalBytes as number))
      }
    }
  })

  it('serves Prometheus metrics when asked, with libp2p\'s and hyperion\'s own', async () => {
    const n1 = await fabric.seed('n1', ['--metrics', '127.0.0.1:0'])
    await fabric.join('n2', n1)
    const addr = (await n1.status()).metrics as string
    assert.match(addr, /^127\.0\.0\.1:\d+$/)
    let text = ''
    await eventually('telemetry counted', 8_000, async () => {
      text = await (await fetch(`http://${addr}/metrics`)).text()
      return /^hyperion_telemetry_received_total [1-9]/m.test(text) && /^hyperion_peers 1$/m.test(text)
    })
    assert.match(text, /^hyperion_telemetry_published_total [1-9]/m)
    assert.match(text, /^hyperion_fabric_nodes 2$/m)
    assert.match(text, /^hyperion_telemetry_message_bytes_bucket/m)
    assert.match(text, /^libp2p_/m)
    assert.equal((await fetch(`http://${addr}/other`)).status, 404)
    // Off unless asked for.
    const n2 = fabric.nodes[1] as NodeProcess
    assert.equal((await n2.status()).metrics, null)
  })

  it('a spot notice served by the AWS metadata endpoint becomes an event within one poll interval', async () => {
    const state = { lifecycle: 'spot', action: null as string | null }
    const imds = await startMetadataServer(awsImds(state))
    try {
      const n = fabric.node('spot', [])
      n.env = { HYPERION_CLOUD_METADATA: 'auto', HYPERION_METADATA_URL_AWS: imds.url, HYPERION_METADATA_URL_GCP: 'http://127.0.0.1:9', HYPERION_METADATA_URL_AZURE: 'http://127.0.0.1:9' }
      n.spawn()
      await n.waitReady()
      await eventually('AWS detected', 5_000, async () => ((await n.status()).hardware as { cloud: { provider: string } | null }).cloud?.provider === 'aws')
      const s = await n.status()
      assert.equal((s.hardware as { cloud: { lifecycle: string } }).cloud.lifecycle, 'spot')

      const waiting = nextEvent(join(n.dataDir, 'admin.sock'), 'spot.interruption', 5_000 + 2_000)
      state.action = 'terminate'
      const event = await waiting
      assert.equal(event.data?.provider, 'aws')
      assert.equal(event.data?.action, 'terminate')
    } finally {
      await imds.close()
    }
  })
})
