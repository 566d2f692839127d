/**
 * Join and idle cost of the daemon, as separate processes on loopback.
 *
 *   node test/bench/join.bench.ts [--json] [--runs N] [--idle-seconds S]
 *
 * - join: from spawning a joining node's process to its peer list being
 *   non-empty (polled on its admin socket every 10 ms), median of N runs.
 * - idle: RSS and CPU% of one daemon with two peers over S seconds, read
 *   from /proc (RSS sampled every second, median reported).
 *
 * Daemons run as users run them: the built package's bin (its shebang and
 * compiled JS), built first with `npm run build`.
 */
import { join } from 'node:path'
import { adminRequest } from '../utils/admin-http.ts'
import { NodeProcess, sleep, TestFabric } from '../utils/harness.ts'
import { buildDaemon, cpuSeconds, rssBytes } from './daemon.ts'
import { median, percentile, report, round } from './stats.ts'

function flag (name: string, fallback: number): number {
  const i = process.argv.indexOf(name)
  return i >= 0 ? Number(process.argv[i + 1]) : fallback
}

const RUNS = flag('--runs', 10)
const IDLE_SECONDS = flag('--idle-seconds', 30)
async function timeToJoined (fabric: TestFabric, seed: NodeProcess, i: number, bin: string): Promise<number> {
  const token = await fabric.token(seed)
  const n = fabric.node(`j${i}`, ['--bootstrap', fabric.bootstrap as string, '--join-token', token, '--log-level', 'warn'])
  const sock = join(n.dataDir, 'admin.sock')
  const t0 = performance.now()
  n.spawn(bin)
  for (;;) {
    if (!n.running) throw new Error(`joiner exited: ${n.stderr}`)
    try {
      const r = await adminRequest(sock, 'GET', '/v1/peers')
      if (r.status === 200 && (JSON.parse(r.body) as unknown[]).length > 0) break
    } catch {}
    if (performance.now() - t0 > 30_000) throw new Error('joiner did not join within 30 s')
    await sleep(10)
  }
  const ms = performance.now() - t0
  await n.kill()
  return ms
}

const BIN = buildDaemon()

const fabric = new TestFabric(BIN)
try {
  const seed = await fabric.seed('seed', ['--log-level', 'warn'])
  const joins: number[] = []
  for (let i = 0; i < RUNS; i++) joins.push(await timeToJoined(fabric, seed, i, BIN))

  const p2 = await fabric.join('peer2', seed, ['--log-level', 'warn'])
  await fabric.join('peer3', seed, ['--log-level', 'warn'])
  const pid = p2.child?.pid as number
  await sleep(3_000)
  const rss: number[] = []
  const ticks0 = cpuSeconds(pid)
  const t0 = performance.now()
  for (let s = 0; s < IDLE_SECONDS; s++) {
    rss.push(rssBytes(pid))
    await sleep(1_000)
  }
  const cpuPercent = (cpuSeconds(pid) - ticks0) / ((performance.now() - t0) / 1000) * 100
  const peers = (await p2.peers()).length

  const result = {
    join: { runs: RUNS, medianMs: round(median(joins)), p90Ms: round(percentile(joins, 90)), minMs: round(Math.min(...joins)), maxMs: round(Math.max(...joins)), targetMs: 1500 },
    idle: { seconds: IDLE_SECONDS, peers, medianRssMB: round(median(rss) / 2 ** 20), maxRssMB: round(Math.max(...rss) / 2 ** 20), cpuPercent: round(cpuPercent, 2), targetRssMB: 120 }
  }
  report([
    { measure: `process start → joined, ms (median of ${RUNS})`, value: result.join.medianMs, p90: result.join.p90Ms, target: '< 1500' },
    { measure: `idle RSS, MB (median over ${IDLE_SECONDS} s, ${peers} peers)`, value: result.idle.medianRssMB, p90: result.idle.maxRssMB, target: '< 120' },
    { measure: `idle CPU, % of one core (${IDLE_SECONDS} s)`, value: result.idle.cpuPercent, p90: '-', target: '-' }
  ], result)
} finally {
  await fabric.teardown()
}
