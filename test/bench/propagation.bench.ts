/**
 * Telemetry across 8 daemons on loopback, 4 in each of two regions.
 *
 *   node test/bench/propagation.bench.ts [--json] [--seconds S]
 *
 * - propagation: from a sample being taken on its sender to its arrival on
 *   a receiver, from every daemon's `hyperion_telemetry_propagation_seconds`
 *   histogram (merged; quantiles read at bucket upper bounds, so they err high);
 * - message size: `hyperion_telemetry_message_bytes`;
 * - messages received per node per second, against the per-region model
 *   (region size - 1) / period: what a node processes does not grow with
 *   the fabric;
 * - idle CPU% and RSS of one daemon with telemetry on, over S seconds.
 *
 * Daemons are the built package, run as users run it.
 */
import { join } from 'node:path'
import { sleep, TestFabric, type NodeProcess } from '../utils/harness.ts'
import { buildDaemon, cpuSeconds, rssBytes } from './daemon.ts'
import { median, report, round } from './stats.ts'

const i = process.argv.indexOf('--seconds')
const SECONDS = i >= 0 ? Number(process.argv[i + 1]) : 30
const PERIOD_S = 2

async function scrape (n: NodeProcess): Promise<string> {
  const addr = (await n.status()).metrics as string
  return await (await fetch(`http://${addr}/metrics`)).text()
}

/** Cumulative histogram buckets and counters of one metric, from Prometheus text. */
function histogram (text: string, name: string): Map<number, number> {
  const out = new Map<number, number>()
  for (const m of text.matchAll(new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\d+)`, 'gm'))) {
    out.set(m[1] === '+Inf' ? Infinity : Number(m[1]), Number(m[2]))
  }
  return out
}
const counter = (text: string, name: string): number => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1] ?? 0)

function quantile (buckets: Map<number, number>, q: number): number {
  const sorted = [...buckets].sort((a, b) => a[0] - b[0])
  const total = sorted.at(-1)?.[1] ?? 0
  for (const [le, count] of sorted) if (count >= q * total) return le
  return Infinity
}

const BIN = buildDaemon()

const fabric = new TestFabric(BIN)
try {
  const quiet = ['--log-level', 'warn', '--metrics', '127.0.0.1:0']
  const seed = await fabric.seed('a1', quiet)
  const nodes: NodeProcess[] = [seed]
  for (const [name, region] of [['a3', ''], ['a4', ''], ['b1', 'eu-west-1'], ['b2', 'eu-west-1'], ['b3', 'eu-west-1'], ['b4', 'eu-west-1']] as const) {
    nodes.push(await fabric.join(name, seed, [...quiet, ...(region !== '' ? ['--region', region, '--geography', 'EU'] : [])]))
  }
  // The daemon whose idle cost is measured serves no metrics, as by default.
  const idle = await fabric.join('a2', seed, ['--log-level', 'warn'])
  await sleep(5_000)
  const before = await Promise.all(nodes.map(scrape))
  const pid = idle.child?.pid as number
  const ticks0 = cpuSeconds(pid)
  const t0 = performance.now()
  const rssSamples: number[] = []
  for (let s = 0; s < SECONDS; s++) { rssSamples.push(rssBytes(pid)); await sleep(1_000) }
  const elapsedS = (performance.now() - t0) / 1000
  const cpu = (cpuSeconds(pid) - ticks0) / elapsedS * 100
  const after = await Promise.all(nodes.map(scrape))

  const merged = new Map<number, number>()
  for (const text of after) for (const [le, c] of histogram(text, 'hyperion_telemetry_propagation_seconds')) merged.set(le, (merged.get(le) ?? 0) + c)
  const sizeSum = after.reduce((a, t) => a + Number(/^hyperion_telemetry_message_bytes_sum (\S+)/m.exec(t)?.[1] ?? 0), 0)
  const sizeCount = after.reduce((a, t) => a + Number(/^hyperion_telemetry_message_bytes_count (\S+)/m.exec(t)?.[1] ?? 0), 0)
  const received = after.map((t, k) => (counter(t, 'hyperion_telemetry_received_total') - counter(before[k] as string, 'hyperion_telemetry_received_total')) / elapsedS)

  const result = {
    daemons: nodes.length + 1,
    regions: 2,
    samples: merged.get(Infinity) ?? 0,
    propagation: { p50Ms: round(quantile(merged, 0.5) * 1000, 1), p99Ms: round(quantile(merged, 0.99) * 1000, 1), targetP99Ms: 50 },
    messageBytes: round(sizeCount === 0 ? 0 : sizeSum / sizeCount, 0),
    receivedPerNodePerSecond: { median: round(median(received), 2), model: round(3 / PERIOD_S, 2), ifFabricWide: round(7 / PERIOD_S, 2) },
    idle: { seconds: SECONDS, cpuPercent: round(cpu, 2), medianRssMB: round(median(rssSamples) / 2 ** 20, 1), targetCpuPercent: 2, targetRssMB: 120 }
  }
  report([
    { measure: 'telemetry propagation p50, ms (8 daemons)', value: result.propagation.p50Ms, target: '-' },
    { measure: 'telemetry propagation p99, ms (8 daemons)', value: result.propagation.p99Ms, target: '< 50' },
    { measure: 'telemetry message, bytes (mean)', value: result.messageBytes, target: '< 512' },
    { measure: 'telemetry received per node, msg/s (median)', value: result.receivedPerNodePerSecond.median, target: `${result.receivedPerNodePerSecond.model} (region) vs ${result.receivedPerNodePerSecond.ifFabricWide} (fabric-wide)` },
    { measure: `idle CPU of one daemon, % of a core (${SECONDS} s)`, value: result.idle.cpuPercent, target: '< 2' },
    { measure: 'idle RSS of one daemon, MB (median)', value: result.idle.medianRssMB, target: '< 120' }
  ], result)
} finally {
  await fabric.teardown()
}
