/**
 * Replicated state: apply cost, propagation and catch-up, with built daemons
 * on loopback (as users run them, `npm run build` first).
 *
 *   node test/bench/state.bench.ts [--json] [--applies N] [--fanout N] [--catchup N] [--concurrency C]
 *
 * - apply: N manifests POSTed to a lone node's admin socket one at a time
 *   (latency p50/p99: each answer comes after the op is fsync'd), then N
 *   more with C in flight (throughput).
 * - fan-out: 1,000 workloads applied on one node (C in flight) until all 5
 *   other nodes list them, from the first request.
 * - catch-up: a node stopped while N ops (deletes of every workload so far,
 *   then creates) are applied elsewhere, restarted; time from its process
 *   start to the same state digest as the others.
 */
import { join } from 'node:path'
import { adminRequest } from '../utils/admin-http.ts'
import { sleep, TestFabric, type NodeProcess } from '../utils/harness.ts'
import { buildDaemon } from './daemon.ts'
import { percentile, report, round } from './stats.ts'

function flag (name: string, fallback: number): number {
  const i = process.argv.indexOf(name)
  return i >= 0 ? Number(process.argv[i + 1]) : fallback
}

const APPLIES = flag('--applies', 500)
const FANOUT = flag('--fanout', 1000)
const CATCHUP = flag('--catchup', 10_000)
const CONCURRENCY = flag('--concurrency', 8)
const QUIET = ['--log-level', 'warn']

const sock = (n: NodeProcess): string => join(n.dataDir, 'admin.sock')
const manifest = (name: string): string => JSON.stringify({
  apiVersion: 'hyperion.io/v1alpha1',
  kind: 'HyperionWorkload',
  metadata: { name, labels: { bench: 'state' } },
  spec: { replicas: 2, template: { spec: { containers: [{ name: 'app', command: ['/bin/sleep', '3600'], resources: { limits: { cpu: '250m', memory: '256Mi' } } }] } } }
})

async function apply (n: NodeProcess, name: string): Promise<number> {
  const t0 = performance.now()
  const r = await adminRequest(sock(n), 'POST', '/v1/workloads', manifest(name))
  if (r.status !== 201) throw new Error(`apply ${name}: ${r.status} ${r.body}`)
  return performance.now() - t0
}

/** Applies `names` with `concurrency` requests in flight; returns the wall time. */
async function applyAll (n: NodeProcess, names: string[], concurrency: number): Promise<number> {
  const t0 = performance.now()
  let next = 0
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < names.length) await apply(n, names[next++] as string)
  }))
  return performance.now() - t0
}

async function stateOf (n: NodeProcess): Promise<{ digest: string, workloads: number }> {
  return JSON.parse((await adminRequest(sock(n), 'GET', '/v1/state')).body) as { digest: string, workloads: number }
}

async function until (what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const t0 = performance.now()
  while (!(await check().catch(() => false))) {
    if (performance.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`)
    await sleep(50)
  }
}

const BIN = buildDaemon()

const fabric = new TestFabric(BIN)
try {
  const n1 = await fabric.seed('n1', QUIET)
  await sleep(1_000)

  // 1. Apply latency (one at a time) and throughput (C in flight) on a lone
  //    node: what the admin API and the fsync cost, without peers' load on
  //    this shared two-core machine.
  const latencies: number[] = []
  for (let i = 0; i < APPLIES; i++) latencies.push(await apply(n1, `lat-${i}`))
  const names = Array.from({ length: APPLIES }, (_, i) => `tput-${i}`)
  const tputMs = await applyAll(n1, names, CONCURRENCY)

  // The 5 others join and get the first 2 × APPLIES workloads by sync.
  const others: NodeProcess[] = []
  for (let i = 2; i <= 6; i++) others.push(await fabric.join(`n${i}`, n1, QUIET))
  await until('joiners synced', 60_000, async () => (await Promise.all(others.map(stateOf))).every(s => s.workloads === 2 * APPLIES))
  await sleep(2_000)

  // 2. 1,000 workloads applied on node 1, visible on the 5 others.
  const fanNames = Array.from({ length: FANOUT }, (_, i) => `fan-${i}`)
  const t0 = performance.now()
  const fanApplyMs = await applyAll(n1, fanNames, CONCURRENCY)
  const target = 2 * APPLIES + FANOUT
  await until('fan-out', 120_000, async () => (await Promise.all(others.map(stateOf))).every(s => s.workloads === target))
  const fanMs = performance.now() - t0

  // 3. Catch-up: n2 misses CATCHUP ops. The other four are stopped first so
  //    the two-core machine measures sync, not six daemons gossiping.
  const [n2, ...rest] = others as [NodeProcess, ...NodeProcess[]]
  await Promise.all(rest.map(async n => await n.kill()))
  await n2.kill()
  // The missed ops delete every workload so far, then create new ones: each
  // op a different key, so all CATCHUP entries must travel (and the fabric
  // stays under its 10,000-workload limit).
  const existing = [...latencies.keys()].map(i => `lat-${i}`).concat(names, fanNames).slice(0, CATCHUP)
  const m0 = performance.now()
  let nextDelete = 0
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (nextDelete < existing.length) {
      const r = await adminRequest(sock(n1), 'DELETE', `/v1/workloads/${existing[nextDelete++] as string}`)
      if (r.status !== 202) throw new Error(`delete: ${r.status} ${r.body}`)
    }
  }))
  await applyAll(n1, Array.from({ length: CATCHUP - existing.length }, (_, i) => `miss-${i}`), CONCURRENCY)
  const missedMs = performance.now() - m0
  const want = await stateOf(n1)
  const c0 = performance.now()
  n2.spawn(BIN)
  await until('catch-up', 600_000, async () => (await stateOf(n2)).digest === want.digest)
  const catchupMs = performance.now() - c0

  const result = {
    apply: {
      sequential: APPLIES,
      p50Ms: round(percentile(latencies, 50), 2),
      p99Ms: round(percentile(latencies, 99), 2),
      sequentialPerSecond: round(APPLIES / (latencies.reduce((a, b) => a + b, 0) / 1000)),
      concurrency: CONCURRENCY,
      concurrentPerSecond: round(APPLIES / (tputMs / 1000))
    },
    fanout: { workloads: FANOUT, nodes: others.length, appliedInMs: round(fanApplyMs), visibleEverywhereMs: round(fanMs) },
    catchup: { missedOps: CATCHUP, appliedInMs: round(missedMs), totalWorkloads: want.workloads, catchupMs: round(catchupMs) }
  }
  report([
    { measure: `apply latency p50, ms (${APPLIES} sequential, fsync'd)`, value: result.apply.p50Ms, note: `p99 ${result.apply.p99Ms} ms` },
    { measure: 'apply throughput, sequential, ops/s', value: result.apply.sequentialPerSecond, note: '' },
    { measure: `apply throughput, ${CONCURRENCY} in flight, ops/s`, value: result.apply.concurrentPerSecond, note: '' },
    { measure: `${FANOUT} workloads applied on 1 node → on all ${others.length} others, ms`, value: result.fanout.visibleEverywhereMs, note: `applying took ${result.fanout.appliedInMs} ms` },
    { measure: `catch-up of a node that missed ${CATCHUP} ops, ms`, value: result.catchup.catchupMs, note: `process start → same digest; ${want.workloads} workloads in all` }
  ], result)
} finally {
  await fabric.teardown()
}
