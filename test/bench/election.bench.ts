/**
 * Failure detection and election, timed.
 *
 *   node test/bench/election.bench.ts [--json] [--trials N] [--heal-trials M]
 *
 * - coordinator kill: SIGKILL the coordinator of a 3-node region, time until
 *   both survivors agree on a new one (N trials; the node is restarted between);
 * - member kill: SIGKILL a member, time until it is `dead` on both survivors;
 * - heal: in network namespaces, cut the coordinator away from the other two
 *   until each side has its own, heal, time until one coordinator remains
 *   (M trials; needs root and ip, else skipped with the reason).
 *
 * Polls the admin sockets every 20 ms. Daemons are the built package.
 */
import { join } from 'node:path'
import { adminRequest } from '../utils/admin-http.ts'
import { sleep, TestFabric, type NodeProcess } from '../utils/harness.ts'
import { NetnsFabric, netnsUnavailableReason } from '../utils/netns.ts'
import { buildDaemon } from './daemon.ts'
import { percentile, report, round } from './stats.ts'

const arg = (name: string, fallback: number): number => { const i = process.argv.indexOf(name); return i >= 0 ? Number(process.argv[i + 1]) : fallback }
const TRIALS = arg('--trials', 20)
const HEAL_TRIALS = arg('--heal-trials', 5)

interface Status { peerId: string, coordinator: string | null, epoch: number | null }
const status = async (n: NodeProcess): Promise<Status> => JSON.parse((await adminRequest(join(n.dataDir, 'admin.sock'), 'GET', '/v1/status')).body) as Status
const nodesOf = async (n: NodeProcess): Promise<Array<{ peerId: string, state: string }>> => JSON.parse((await adminRequest(join(n.dataDir, 'admin.sock'), 'GET', '/v1/nodes')).body)

async function until (what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<number> {
  const t0 = performance.now()
  while (performance.now() - t0 < timeoutMs) {
    try { if (await check()) return performance.now() - t0 } catch {}
    await sleep(20)
  }
  throw new Error(`timed out: ${what}`)
}

async function agreed (group: NodeProcess[]): Promise<Status | undefined> {
  const v = await Promise.all(group.map(status))
  const c = v[0]
  return c?.coordinator != null && v.every(x => x.coordinator === c.coordinator && x.epoch === c.epoch) ? c : undefined
}

/** Everyone alive, one coordinator agreed by all. */
async function stable (nodes: NodeProcess[]): Promise<Status> {
  let last = ''
  await until('stable fabric', 30_000, async () => {
    const ids = await Promise.all(nodes.map(async n => (await status(n)).peerId))
    const views = await Promise.all(nodes.map(nodesOf))
    const st = await Promise.all(nodes.map(status))
    last = JSON.stringify({ views: views.map(v => v.map(d => `${d.peerId.slice(-4)}:${d.state}`)), coordinators: st.map(s => `${s.coordinator?.slice(-4)}@${s.epoch}`) })
    return (await agreed(nodes)) != null && views.every(v => ids.every(id => v.find(d => d.peerId === id)?.state === 'alive'))
  }).catch(err => { throw new Error(`${(err as Error).message}: ${last}`) })
  return await agreed(nodes) as Status
}

const summary = (xs: number[]) => ({ trials: xs.length, p50Ms: round(percentile(xs, 50)), p95Ms: round(percentile(xs, 95)), maxMs: round(Math.max(...xs)) })

const BIN = buildDaemon()

const coordinatorKills: number[] = []
const memberKills: number[] = []
const heals: number[] = []
let healNote = ''

const fabric = new TestFabric(BIN)
try {
  // Fixed ports, as on real machines: a restarted node is found where it was.
  const port = 42_000 + (process.pid % 1000) * 3
  const args = (i: number): string[] => ['--log-level', 'warn', '--listen', `/ip4/127.0.0.1/udp/${port + i}/quic-v1`]
  const n1 = await fabric.seed('n1', args(0))
  const nodes = [n1, await fabric.join('n2', n1, args(1)), await fabric.join('n3', n1, args(2))]
  for (let t = 0; t < TRIALS; t++) {
    const before = await stable(nodes)
    const ids = await Promise.all(nodes.map(async n => (await status(n)).peerId))
    const victim = nodes[ids.indexOf(before.coordinator as string)] as NodeProcess
    const survivors = nodes.filter(n => n !== victim)
    await victim.kill('SIGKILL')
    coordinatorKills.push(await until('new coordinator', 15_000, async () => {
      const a = await agreed(survivors)
      return a != null && a.coordinator !== before.coordinator && (a.epoch ?? 0) > (before.epoch ?? 0)
    }))
    victim.spawn(BIN)
    await victim.waitReady()

    const now = await stable(nodes)
    const member = nodes.find((_, i) => ids[i] !== now.coordinator) as NodeProcess
    const memberId = ids[nodes.indexOf(member)] as string
    const others = nodes.filter(n => n !== member)
    await member.kill('SIGKILL')
    memberKills.push(await until('member dead everywhere', 15_000, async () =>
      (await Promise.all(others.map(nodesOf))).every(v => v.find(d => d.peerId === memberId)?.state === 'dead')))
    member.spawn(BIN)
    await member.waitReady()
  }
} finally {
  await fabric.teardown()
}

const reason = netnsUnavailableReason()
if (reason != null || HEAL_TRIALS === 0) {
  healNote = reason ?? 'skipped (--heal-trials 0)'
} else {
  const net = await NetnsFabric.create({ hosts: 3 })
  try {
    const seed = await net.seed(net.host(1), 'h1')
    const nodes = [seed, await net.join(net.host(2), seed), await net.join(net.host(3), seed)]
    for (let t = 0; t < HEAL_TRIALS; t++) {
      const before = await stable(nodes)
      const ids = await Promise.all(nodes.map(async n => (await status(n)).peerId))
      const lone = nodes[ids.indexOf(before.coordinator as string)] as NodeProcess
      const rest = nodes.filter(n => n !== lone)
      await net.partition([lone as never], rest as never[])
      await until('a coordinator on each side', 30_000, async () => {
        const a = await agreed(rest)
        return a != null && a.coordinator !== before.coordinator
      })
      await net.heal()
      heals.push(await until('one coordinator after heal', 60_000, async () => (await agreed(nodes)) != null))
    }
  } finally {
    await net.teardown()
  }
}

const result = {
  coordinatorKillToNewCoordinator: summary(coordinatorKills),
  memberKillToDeadEverywhere: summary(memberKills),
  healToSingleCoordinator: heals.length > 0 ? summary(heals) : { skipped: healNote },
  anchors: { memberlistLanSuspicionMs: '4·log10(N+1)·1 s = 2.4 s for N=3, plus probe time', nomadNodeLostMs: 20_000, kubernetesEvictionMs: 300_000 }
}
report([
  { measure: 'SIGKILL coordinator → new one agreed by survivors, ms', p50: result.coordinatorKillToNewCoordinator.p50Ms, p95: result.coordinatorKillToNewCoordinator.p95Ms, trials: coordinatorKills.length, target: '<= 3000' },
  { measure: 'SIGKILL member → dead on every survivor, ms', p50: result.memberKillToDeadEverywhere.p50Ms, p95: result.memberKillToDeadEverywhere.p95Ms, trials: memberKills.length, target: '<= 3000' },
  { measure: 'heal → single coordinator (netns), ms', p50: heals.length > 0 ? round(percentile(heals, 50)) : '-', p95: heals.length > 0 ? round(percentile(heals, 95)) : '-', trials: heals.length, target: heals.length > 0 ? '<= 5000' : healNote }
], result)
