/**
 * Placement benchmark: every shipped scenario with every policy side by side
 * (simulator figures are deterministic), then placement throughput on 1,000
 * and 10,000-node synthetic fabrics for greedy and learned (medians of 5
 * runs; wall-clock, so they depend on the machine and its load).
 *
 *   node test/bench/policy.bench.ts [--json]
 */
import { readFileSync, readdirSync } from 'node:fs'
import { loadavg } from 'node:os'
import { greedyPolicy } from '../../policy/heuristics.ts'
import { loadLearnedPolicy } from '../../policy/learned/policy.ts'
import { place, type PlacementPolicy } from '../../policy/pipeline.ts'
import { loadScenario } from '../../policy/scenario.ts'
import { simulate, type SimulateReport } from '../../policy/simulate.ts'
import { syntheticFabric, syntheticRequests } from '../../policy/sim/synthetic.ts'
import { formatResultsTable } from '../../policy/sim/table.ts'

const json = process.argv.includes('--json')
const dir = new URL('../../fixtures/policy/scenarios/', import.meta.url)
const REPEATS = 5

function median (xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] as number
}

interface Throughput {
  nodes: number
  policy: string
  decisions: number
  medianDecisionsPerSecond: number
  runs: number[]
  /** Mean of (greedy total of the sampled choice) / (greedy total of the full-scan choice), when sampling applies. */
  sampledQuality?: number
}

async function throughput (nodes: number, policy: PlacementPolicy, decisions: number): Promise<Throughput> {
  const fabric = syntheticFabric(nodes, 1)
  const requests = syntheticRequests(decisions, 2)
  for (const r of requests.slice(0, 20)) await place(r, fabric, policy) // warm the JIT
  const runs: number[] = []
  for (let k = 0; k < REPEATS; k++) {
    const started = performance.now()
    for (const r of requests) await place(r, fabric, policy, { keepRanked: 1 })
    runs.push(decisions / ((performance.now() - started) / 1000))
  }
  return { nodes, policy: policy.name, decisions, medianDecisionsPerSecond: median(runs), runs }
}

/** How much the candidate sample costs in quality at this size, judged by greedy's own scores. */
async function samplingQuality (nodes: number, decisions: number): Promise<number> {
  const fabric = syntheticFabric(nodes, 1)
  let sum = 0
  let n = 0
  for (const r of syntheticRequests(decisions, 3)) {
    const sampled = await place(r, fabric, greedyPolicy, { keepRanked: 1 })
    const full = await place(r, fabric, greedyPolicy, { keepRanked: 1, maxCandidates: Infinity })
    const a = sampled.ranked[0]?.total
    const b = full.ranked[0]?.total
    if (a === undefined || b === undefined || b <= 0) continue
    sum += a / b
    n++
  }
  return n === 0 ? 1 : sum / n
}

// Throughput first, while the JIT has seen only the placement path (the simulator makes it megamorphic).
const learned = await loadLearnedPolicy()
const speed: Throughput[] = []
for (const [nodes, decisions] of [[1000, 1000], [10000, 200]] as const) {
  for (const policy of [greedyPolicy, learned.policy]) speed.push(await throughput(nodes, policy, decisions))
}
const quality10k = await samplingQuality(10000, 200)
for (const t of speed) if (t.nodes === 10000) t.sampledQuality = quality10k

const reports: Array<SimulateReport & { file: string }> = []
for (const file of readdirSync(dir).filter(f => f.endsWith('.json')).sort()) {
  const scenario = loadScenario(readFileSync(new URL(file, dir), 'utf8'))
  reports.push({ file, ...await simulate(scenario, { learned: learned.policy }) })
}

if (json) {
  console.log(JSON.stringify({ loadAverage: loadavg(), warnings: learned.warning === undefined ? [] : [learned.warning], scenarios: reports, throughput: speed }, null, 2))
} else {
  if (learned.warning !== undefined) console.log(`warning: ${learned.warning}\n`)
  for (const r of reports) {
    console.log(`### ${r.file}: ${r.scenario} (seed ${r.seed})\n`)
    console.log(formatResultsTable(r.results))
    for (const w of r.warnings) console.log(`note: ${w}`)
    console.log('')
  }
  console.log(`### placement throughput (one core, median of ${REPEATS}; load average ${loadavg().map(x => x.toFixed(1)).join(' ')})\n`)
  console.log('nodes   policy   decisions/s  runs')
  for (const t of speed) {
    console.log(`${String(t.nodes).padStart(5)}   ${t.policy.padEnd(7)}  ${t.medianDecisionsPerSecond.toFixed(0).padStart(11)}  ${t.runs.map(x => x.toFixed(0)).join(' ')}`)
  }
  console.log(`\n10,000 nodes score a strided sample of 1,000 feasible nodes; its choice reaches ${(100 * quality10k).toFixed(1)}% of the full scan's greedy score on average.`)
}
