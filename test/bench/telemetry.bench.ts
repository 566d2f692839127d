/**
 * The telemetry message on the wire: encoded size of three kinds of node
 * (target < 512 bytes without GPUs) and encode/decode throughput, each the
 * median of RUNS runs of N messages. `node test/bench/telemetry.bench.ts [--json]`.
 */
import { MAX_TELEMETRY_BYTES, decodeTelemetry, encodeTelemetry } from '../../protocol/telemetry/index.ts'
import type { Telemetry } from '../../protocol/telemetry/index.ts'
import { median, report, round } from './stats.ts'

const N = 5_000
const RUNS = 5
const GiB = 2 ** 30
const now = Date.UTC(2025, 5, 1, 12)

const noGpu: Telemetry = {
  seq: 43_200, // a day of 2 s intervals
  at: now,
  startedAt: now - 86_400_000,
  facts: {
    region: 'eu-west-1',
    zone: 'eu-west-1a',
    geography: 'EU',
    provider: 'aws',
    labels: { 'gpu-class': 'none', tier: 'standard', 'example.com/rack': 'r12' },
    pricePerHour: 0.192,
    spot: false,
    priority: 10,
    version: '0.1.0',
    arch: 'x64',
    cpuModel: 'Intel(R) Xeon(R) Platinum 8259CL @ 2.50GHz',
    cores: 8,
    memoryTotalBytes: 32 * GiB,
    diskTotalBytes: 200 * GiB,
    gpus: [],
    jetson: null,
    cloud: { provider: 'aws', instanceType: 'm5.2xlarge', lifecycle: 'on-demand' }
  },
  sample: {
    cpuLoadPercent: 37.4,
    memoryAvailableBytes: 21_474_836_480,
    diskAvailableBytes: 150_323_855_360,
    temperatureC: 52.5,
    battery: null,
    gpus: [],
    interruption: null
  }
}

const fourGpus: Telemetry = {
  ...noGpu,
  facts: {
    ...noGpu.facts,
    labels: { ...noGpu.facts.labels, 'gpu-class': 'a100' },
    pricePerHour: 32.7726,
    cpuModel: 'AMD EPYC 7R32',
    cores: 96,
    memoryTotalBytes: 1152 * GiB,
    gpus: Array.from({ length: 4 }, () => ({ model: 'NVIDIA A100-SXM4-40GB', memoryTotalMiB: 40_960 })),
    cloud: { provider: 'aws', instanceType: 'p4d.24xlarge', lifecycle: 'spot' },
    spot: true
  },
  sample: {
    ...noGpu.sample,
    gpus: Array.from({ length: 4 }, (_, i) => ({ utilizationPercent: 95 - i, memoryUsedMiB: 38_000 + i, temperatureC: 64.5 + i, powerW: 287.123 + i })),
    interruption: { action: 'terminate', deadline: now + 120_000 }
  }
}

const jetson: Telemetry = {
  ...noGpu,
  facts: {
    ...noGpu.facts,
    region: 'edge-lyon',
    zone: 'edge-lyon-shop3',
    provider: 'edge',
    labels: { site: 'shop3', camera: 'entrance' },
    pricePerHour: 0,
    arch: 'arm64',
    cpuModel: 'ARMv8 Processor rev 1 (v8l)',
    cores: 6,
    memoryTotalBytes: 7_999_000_000,
    diskTotalBytes: 58 * GiB,
    gpus: [{ model: 'Orin (nvgpu)', memoryTotalMiB: null }],
    jetson: { model: 'NVIDIA Jetson Orin Nano Developer Kit', l4t: '36.3' },
    cloud: null
  },
  sample: {
    ...noGpu.sample,
    battery: { percent: 81, charging: false },
    gpus: [{ utilizationPercent: 42, memoryUsedMiB: null, temperatureC: 48.2, powerW: 3.105 }]
  }
}

/** Operations per second of `op` over N calls, median of RUNS runs. */
function opsPerSecond (op: () => unknown): number {
  for (let i = 0; i < N; i++) op() // warm-up, so the JIT has settled before timing
  const rates: number[] = []
  for (let run = 0; run < RUNS; run++) {
    const t = performance.now()
    for (let i = 0; i < N; i++) op()
    rates.push(N / ((performance.now() - t) / 1000))
  }
  return median(rates)
}

const nodes: Array<[string, Telemetry]> = [['no GPU', noGpu], ['4 GPUs', fourGpus], ['Jetson', jetson]]
const results = nodes.map(([node, t]) => {
  const bytes = encodeTelemetry(t)
  const encodeOpsPerSec = opsPerSecond(() => encodeTelemetry(t))
  const decodeOpsPerSec = opsPerSecond(() => decodeTelemetry(bytes))
  return {
    node,
    bytes: bytes.length,
    encodeOpsPerSec: Math.round(encodeOpsPerSec),
    decodeOpsPerSec: Math.round(decodeOpsPerSec),
    encodeMicros: round(1e6 / encodeOpsPerSec, 2),
    decodeMicros: round(1e6 / decodeOpsPerSec, 2)
  }
})

report(
  results.map(r => ({ node: r.node, bytes: r.bytes, 'encode ops/s': r.encodeOpsPerSec, 'decode ops/s': r.decodeOpsPerSec, 'encode µs': r.encodeMicros, 'decode µs': r.decodeMicros })),
  { iterations: N, runs: RUNS, maxBytes: MAX_TELEMETRY_BYTES, targetBytesNoGpu: 512, nodes: results }
)
