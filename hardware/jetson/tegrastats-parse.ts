/**
 * Parses one line of `tegrastats` output. Two families exist in the field:
 *
 * - L4T 28–32 (TX2, Xavier, Nano): `RAM 4722/7844MB (lfb 1x512kB) CPU [55%@2035,off] EMC_FREQ 2%@1866
 *   GR3D_FREQ 37%@1300 … GPU@45C thermal@46.4C VDD_IN 14025/14416` (power in mW without a unit).
 * - L4T 35–36 (Orin, JetPack 5–6): a `MM-DD-YYYY HH:MM:SS` prefix, `GR3D_FREQ 0%@[305,305]`
 *   (one frequency per GPC), lower-case sensors `cpu@48.06C tj@…` and `VDD_IN 4523mW/4523mW`.
 *
 * The parser reads fields by name rather than by position, because boards add
 * and drop fields (IRAM, APE, MTS, NVENC, VIC_FREQ) between releases.
 */
import { TegrastatsParseError } from '../errors.ts'

export interface FreqLoad {
  loadPercent: number
  /** MHz; null where the line gives only a load. For multi-GPC GPUs, the highest. */
  freqMHz: number | null
}

export interface PowerRail {
  currentMw: number
  averageMw: number
}

export interface TegrastatsSample {
  /** The line's own timestamp (Orin format), as printed; null in the older format. */
  timestamp: string | null
  ram: { usedMiB: number, totalMiB: number }
  swap: { usedMiB: number, totalMiB: number } | null
  /** One entry per core; null for a core that is `off` (power-gated). */
  cpus: Array<FreqLoad | null>
  emc: FreqLoad | null
  /** The GPU (GR3D). */
  gpu: FreqLoad | null
  /** Sensor name (lower-cased) → °C; sensors reading the -256 "absent" sentinel are left out. */
  temperaturesC: Record<string, number>
  /** Rail name → mW, as printed (VDD_IN, POM_5V_IN, VDD_GPU_SOC, …). */
  powerMw: Record<string, PowerRail>
  /** The module's input rail (VDD_IN or POM_5V_IN) current draw, mW; null where no such rail is printed. */
  totalPowerMw: number | null
}

/** Lines longer than this are not tegrastats output; refuse them before running regexes. */
const MAX_LINE = 4096

// Rails that measure the whole module's input. Boards without one (Xavier AGX on
// L4T 32 reports only per-domain rails) get no total rather than a guessed sum.
const INPUT_RAILS = ['VDD_IN', 'POM_5V_IN']
// Tokens with `a/bUNIT` that are memory, not power.
const NOT_POWER = new Set(['RAM', 'SWAP', 'IRAM'])

export function parseTegrastatsLine (line: string): TegrastatsSample {
  if (line.length > MAX_LINE) throw new TegrastatsParseError(`tegrastats line: must be at most ${MAX_LINE} characters: current length is ${line.length}`)
  const text = line.trim()
  const ts = /^(\d{2}-\d{2}-\d{4} \d{2}:\d{2}:\d{2})\s+/.exec(text)

  const ram = /\bRAM (\d+)\/(\d+)MB\b/.exec(text)
  if (ram === null) throw new TegrastatsParseError(`tegrastats line: must contain 'RAM used/totalMB': current line is ${JSON.stringify(text.slice(0, 120))}`)
  const swap = /\bSWAP (\d+)\/(\d+)MB\b/.exec(text)

  const cpuList = /\bCPU \[([^\]]*)\]/.exec(text)
  const cpus = cpuList === null ? [] : cpuList[1]!.split(',').map(parseCore)

  return {
    timestamp: ts?.[1] ?? null,
    ram: { usedMiB: int(ram[1]), totalMiB: int(ram[2]) },
    swap: swap === null ? null : { usedMiB: int(swap[1]), totalMiB: int(swap[2]) },
    cpus,
    emc: freqLoad(text, 'EMC_FREQ'),
    gpu: freqLoad(text, 'GR3D_FREQ'),
    temperaturesC: temperatures(text),
    ...power(text)
  }
}

function parseCore (raw: string, index: number): FreqLoad | null {
  const s = raw.trim()
  if (s === 'off') return null
  const m = /^(\d+)%(?:@(\d+))?$/.exec(s)
  if (m === null) throw new TegrastatsParseError(`tegrastats CPU[${index}]: must be 'off', 'N%' or 'N%@MHz': current value is ${JSON.stringify(s.slice(0, 40))}`)
  return { loadPercent: percent(m[1], `CPU[${index}]`), freqMHz: m[2] === undefined ? null : int(m[2]) }
}

function freqLoad (text: string, name: string): FreqLoad | null {
  const m = new RegExp(`\\b${name} (\\d+)%(?:@\\[?([\\d,]+)\\]?)?`).exec(text)
  if (m === null) return null
  const freqs = m[2]?.split(',').filter(f => f !== '').map(int) ?? []
  return { loadPercent: percent(m[1], name), freqMHz: freqs.length === 0 ? null : Math.max(...freqs) }
}

function temperatures (text: string): Record<string, number> {
  const out: Record<string, number> = {}
  for (const m of text.matchAll(/(?<![\w%])([A-Za-z][A-Za-z0-9_]*)@(-?\d+(?:\.\d+)?)C\b/g)) {
    const c = Number(m[2])
    // -256 (and on some Xavier releases other values below -40) means "no sensor":
    // Jetson modules are rated down to -25 °C, so nothing colder is a reading.
    if (c < -40) continue
    out[m[1]!.toLowerCase()] = c
  }
  return out
}

function power (text: string): { powerMw: Record<string, PowerRail>, totalPowerMw: number | null } {
  const powerMw: Record<string, PowerRail> = {}
  for (const m of text.matchAll(/(?<![\w%@])([A-Z][A-Z0-9_]*) (\d+)(?:mW)?\/(\d+)(?:mW)?(?![\w/])/g)) {
    if (NOT_POWER.has(m[1]!)) continue
    powerMw[m[1]!] = { currentMw: int(m[2]), averageMw: int(m[3]) }
  }
  const input = INPUT_RAILS.find(r => powerMw[r] !== undefined)
  return { powerMw, totalPowerMw: input === undefined ? null : powerMw[input]!.currentMw }
}

function int (s: string | undefined): number {
  const n = Number(s)
  if (s === undefined || !Number.isSafeInteger(n)) throw new TegrastatsParseError(`tegrastats: must be an integer: current value is ${JSON.stringify(s)}`)
  return n
}

function percent (s: string | undefined, field: string): number {
  const n = int(s)
  if (n > 100) throw new TegrastatsParseError(`tegrastats ${field}: load must be 0–100%: current value is ${n}`)
  return n
}
