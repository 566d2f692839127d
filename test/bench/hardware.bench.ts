/**
 * Cost of the hardware layer on this machine: start (detection + static facts),
 * one full dynamic sample (median of N), each probe's own reading, and the
 * parsers' throughput. `node test/bench/hardware.bench.ts [--json]`.
 *
 * Cloud metadata is pointed at a closed port on 127.0.0.1, so the figure is
 * that of a machine outside any cloud without touching the network.
 */
import { mkdtemp, readFileSync, rm } from 'node:fs'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { cpus, loadavg, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { promisify } from 'node:util'
import { createHardwareMonitor } from '../../hardware/index.ts'
import { parseTegrastatsLine } from '../../hardware/jetson/tegrastats-parse.ts'
import { parseNvidiaSmiCsv } from '../../hardware/nvidia/nvidia-smi.ts'
import { cpuProbe, diskProbe, memoryProbe, temperatureProbe } from '../../hardware/system/probes.ts'
import type { Probe } from '../../hardware/probe.ts'

const json = process.argv.includes('--json')
const N = 20
// A short pause between samples, as between intervals, so one sample's
// garbage and I/O completions do not land inside the next one's timing.
const SPACING_MS = 50
const pause = async (): Promise<void> => { await new Promise(resolve => setTimeout(resolve, SPACING_MS)) }
const fixtures = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/hardware')

function stats (ms: number[]): { median: number, p90: number, max: number } {
  const s = [...ms].sort((a, b) => a - b)
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))]!
  return { median: round(at(0.5)), p90: round(at(0.9)), max: round(s[s.length - 1]!) }
}

function round (n: number): number {
  return Math.round(n * 100) / 100
}

async function closedPort (): Promise<string> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  await new Promise<void>(resolve => server.close(() => resolve()))
  return `http://127.0.0.1:${port}`
}

const dataDir = await promisify(mkdtemp)(join(tmpdir(), 'hyperion-hw-bench-'))
const closed = await closedPort()
const hw = createHardwareMonitor({
  dataDir,
  intervalMs: 60_000, // the bench takes its own samples
  cloud: { aws: { baseUrl: closed }, gcp: { baseUrl: closed }, azure: { baseUrl: closed } }
})
let t = performance.now()
await hw.start()
const startMs = performance.now() - t

// A probe that blocks the event loop stalls the daemon's networking with it:
// record the worst event-loop delay while samples are taken.
const loopDelay = monitorEventLoopDelay({ resolution: 1 })
loopDelay.enable()
const full: number[] = []
for (let i = 0; i < N; i++) {
  await pause()
  t = performance.now()
  await hw.sampleNow()
  full.push(performance.now() - t)
}
loopDelay.disable()
const eventLoopDelayMaxMs = round(loopDelay.max / 1e6)
const summary = hw.summary()
await hw.stop()

const probes: Array<Probe<unknown, unknown>> = [
  cpuProbe({ loadavg, cpuTimes: () => cpus().map(c => c.times) }),
  memoryProbe(),
  diskProbe(dataDir),
  // This VM has no sensors: time the recorded laptop tree (5 hwmon chips, 2 zones) instead.
  { ...temperatureProbe(join(fixtures, 'sysfs', 'x86-laptop')), name: 'temperature (recorded x86 laptop sysfs)' }
]
const perProbe: Record<string, ReturnType<typeof stats>> = {}
for (const p of probes) {
  const ms: number[] = []
  for (let i = 0; i < N; i++) {
    await pause()
    t = performance.now()
    await p.sample!(new AbortController().signal)
    ms.push(performance.now() - t)
  }
  perProbe[p.name] = stats(ms)
}

const lines = ['tx2.txt', 'nano.txt', 'xavier-agx.txt', 'orin-agx-jp5.txt', 'orin-nano-jp6.txt']
  .flatMap(f => readFileSync(join(fixtures, 'tegrastats', f), 'utf8').split('\n').filter(l => l !== ''))
const csv = readFileSync(join(fixtures, 'nvidia-smi', 'a10g-x4.csv'), 'utf8')
const rate = (f: () => void, rounds: number): number => {
  const s = performance.now()
  for (let i = 0; i < rounds; i++) f()
  return Math.round(rounds / ((performance.now() - s) / 1000))
}
const tegrastatsLinesPerS = rate(() => { for (const l of lines) parseTegrastatsLine(l) }, 2000) * lines.length
const nvidiaSmiOutputsPerS = rate(() => parseNvidiaSmiCsv(csv), 20000)
await promisify(rm)(dataDir, { recursive: true, force: true })

const result = {
  machine: { cpu: summary.cpu?.model, cores: summary.cpu?.cores, probes: summary.probes },
  startMs: round(startMs),
  fullSampleMs: stats(full),
  eventLoopDelayMaxMs,
  probeSampleMs: perProbe,
  tegrastatsLinesPerS,
  nvidiaSmiOutputsPerS,
  samples: N,
  spacingMs: SPACING_MS
}

if (json) {
  console.log(JSON.stringify(result, null, 2))
} else {
  console.log(`machine: ${result.machine.cpu}, ${result.machine.cores} cores; probes: ${result.machine.probes.join(', ')}`)
  console.log('| measure | median | p90 | max |')
  console.log('|---|---|---|---|')
  console.log(`| start (detection + static facts), ms | ${result.startMs} | | |`)
  console.log(`| full dynamic sample, ms (N=${N}, ${SPACING_MS} ms apart) | ${result.fullSampleMs.median} | ${result.fullSampleMs.p90} | ${result.fullSampleMs.max} |`)
  console.log(`| event-loop delay while sampling (max), ms | | | ${eventLoopDelayMaxMs} |`)
  for (const [name, s] of Object.entries(perProbe)) console.log(`| ${name} probe sample, ms (N=${N}) | ${s.median} | ${s.p90} | ${s.max} |`)
  console.log(`| tegrastats parse, lines/s | ${tegrastatsLinesPerS} | | |`)
  console.log(`| nvidia-smi parse (4 GPUs), outputs/s | ${nvidiaSmiOutputsPerS} | | |`)
}
