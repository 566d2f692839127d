import assert from 'node:assert/strict'
import type { NodeFacts, NodeSample, Telemetry } from '../../protocol/telemetry/index.ts'
import { decodeRegionSummary, encodeRegionSummary } from '../../protocol/telemetry/summary.ts'
import { FabricView, type NodeView } from '../../node/telemetry/fabric-view.ts'
import { summarise, summariser } from '../../node/telemetry/region-summaries.ts'
import { nodeFacts, nodeSample } from '../../node/telemetry/to-telemetry.ts'
import { DEFAULT_CONFIG } from '../../node/config/node-config.ts'

const facts = (over: Partial<NodeFacts> = {}): NodeFacts => ({
  region: 'eu-west-1', zone: 'eu-west-1a', geography: 'EU', provider: 'aws', labels: {}, pricePerHour: 0.5, spot: false, priority: 0,
  version: '0.1.0', arch: 'x64', cpuModel: 'Xeon', cores: 8, memoryTotalBytes: 32 * 2 ** 30, diskTotalBytes: 100 * 2 ** 30,
  gpus: [], jetson: null, cloud: null, ...over
})
const sample = (over: Partial<NodeSample> = {}): NodeSample => ({
  cpuLoadPercent: 10, memoryAvailableBytes: 16 * 2 ** 30, diskAvailableBytes: 50 * 2 ** 30, temperatureC: null, battery: null, gpus: [], interruption: null, ...over
})
const t = (seq: number, startedAt = 1, over: Partial<Telemetry> = {}): Telemetry => ({ seq, at: 1000 + seq, startedAt, facts: facts(), sample: sample(), ...over })

describe('fabric view', () => {
  it('keeps the newest telemetry per node and drops replays and reordering', () => {
    const v = new FabricView()
    assert.ok(v.update('a', t(2), 10))
    assert.ok(!v.update('a', t(2), 11))
    assert.ok(!v.update('a', t(1), 12))
    assert.ok(v.update('a', t(3), 13))
    assert.equal(v.get('a')?.seq, 3)
  })

  it('takes a restarted sender whose sequence starts again', () => {
    const v = new FabricView()
    v.update('a', t(50, 1), 10)
    assert.ok(v.update('a', t(1, 2), 11))
    assert.equal(v.get('a')?.startedAt, 2)
  })

  it('forgets nodes silent for longer than forgetAfterMs', () => {
    const v = new FabricView({ forgetAfterMs: 100 })
    v.update('a', t(1), 0)
    v.update('b', t(1), 90)
    assert.deepEqual(v.list(150).map(n => n.peerId), ['b'])
  })
})

describe('region summaries', () => {
  const view = (peerId: string, f: Partial<NodeFacts> = {}, s: Partial<NodeSample> = {}): NodeView =>
    ({ peerId, facts: facts(f), sample: sample(s), sampledAt: 0, receivedAt: 0, seq: 1, startedAt: 1 })

  it('picks the summariser by priority, then peer id, the same on every node', () => {
    const nodes = [view('p1'), view('p3'), view('p2', { priority: 5 })]
    assert.equal(summariser(nodes), 'p2')
    assert.equal(summariser([...nodes].reverse()), 'p2')
    assert.equal(summariser([view('p1'), view('p3')]), 'p3')
    assert.equal(summariser([]), undefined)
  })

  it('adds up a region and survives the wire', () => {
    const s = summarise('eu-west-1', 'EU', [
      view('a', { spot: true, pricePerHour: 0.2, gpus: [{ model: 'A10G', memoryTotalMiB: 24000 }] }, { cpuLoadPercent: 20 }),
      view('b', { pricePerHour: 0.9 }, { cpuLoadPercent: 40, interruption: { action: 'terminate', deadline: null } })
    ], 5000, 7)
    assert.equal(s.nodes, 2)
    assert.equal(s.spotNodes, 1)
    assert.equal(s.cores, 16)
    assert.equal(s.gpus, 1)
    assert.equal(s.minPricePerHour, 0.2)
    assert.equal(s.cpuLoadPercent, 30)
    assert.equal(s.interrupted, 1)
    assert.equal(s.epoch, 0)
    const bytes = encodeRegionSummary(s)
    assert.ok(bytes.length < 100, `${bytes.length} bytes`)
    assert.deepEqual(decodeRegionSummary(bytes), s)
  })

  it('refuses summaries that contradict themselves', () => {
    const s = summarise('eu-west-1', 'EU', [view('a')], 5000, 1)
    const bad = encodeRegionSummary({ ...s, spotNodes: 5 })
    assert.throws(() => decodeRegionSummary(bad), /spotNodes: 5 exceeds the maximum 1/)
    assert.throws(() => decodeRegionSummary(new Uint8Array([9])), /unsupported version 9/)
    assert.throws(() => decodeRegionSummary(new Uint8Array(600)), /exceeds the maximum 512/)
  })
})

describe('telemetry from config and hardware', () => {
  it('maps a machine without GPUs, keeping unknowns null', () => {
    const summary = {
      cpu: { model: 'Xeon', arch: 'x64', cores: 2, physicalCores: 1, maxSpeedMHz: null },
      memory: { totalBytes: 100 }, disk: { path: '/', totalBytes: 1000 }, os: null, network: null,
      probes: ['cpu', 'memory', 'disk'], gpus: [], jetson: null, cloud: null, battery: false, interruption: null
    }
    const f = nodeFacts({ ...DEFAULT_CONFIG, labels: { tier: 'gold' } }, summary, '9.9.9')
    assert.equal(f.cores, 2)
    assert.equal(f.region, 'local')
    assert.deepEqual(f.labels, { tier: 'gold' })
    const s = nodeSample(undefined, summary)
    assert.equal(s.cpuLoadPercent, null)
    assert.equal(s.memoryAvailableBytes, null)
    assert.deepEqual(s.gpus, [])
  })

  it('pairs GPU samples with facts by uuid, in the facts\' order', () => {
    const summary = {
      cpu: null, memory: null, disk: null, os: null, network: null, probes: [], jetson: null, cloud: null, battery: false,
      gpus: [{ uuid: 'g1', model: 'A10G', memoryTotalMiB: 24000 }, { uuid: 'g2', model: 'A10G', memoryTotalMiB: 24000 }],
      interruption: { provider: 'aws' as const, action: 'terminate', deadline: '2026-12-03T17:00:00Z' }
    }
    const hw = { at: 0, tookMs: 1, unknown: {}, values: { gpus: [{ uuid: 'g2', model: 'A10G', utilizationPercent: 80, memoryUsedMiB: 1, memoryTotalMiB: 24000, temperatureC: 60, powerW: 100 }] } }
    const s = nodeSample(hw as never, summary)
    assert.equal(s.gpus[0]?.utilizationPercent, null)
    assert.equal(s.gpus[1]?.utilizationPercent, 80)
    assert.equal(s.interruption?.deadline, Date.parse('2026-12-03T17:00:00Z'))
  })
})
