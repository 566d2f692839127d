/**
 * NVIDIA GPUs through `nvidia-smi`: one CSV line per GPU for the fields below.
 * A machine without the binary has no NVIDIA GPU for our purposes (empty list);
 * a field the driver cannot read on a board (`[N/A]`, `[Not Supported]`) is null.
 */
import { execFile } from 'node:child_process'
import { NvidiaSmiParseError } from '../errors.ts'
import type { Probe } from '../probe.ts'

/** The query, in column order; the parser depends on this order. */
export const NVIDIA_SMI_FIELDS = [
  'uuid', 'name', 'utilization.gpu', 'memory.used', 'memory.total', 'temperature.gpu', 'power.draw'
] as const

export const NVIDIA_SMI_ARGS = [
  `--query-gpu=${NVIDIA_SMI_FIELDS.join(',')}`, '--format=csv,noheader,nounits'
] as const

export interface GpuSample {
  uuid: string
  /** Product name, e.g. "NVIDIA A10G". */
  model: string
  utilizationPercent: number | null
  memoryUsedMiB: number | null
  memoryTotalMiB: number | null
  temperatureC: number | null
  powerW: number | null
}

export interface GpuFacts {
  uuid: string
  model: string
  memoryTotalMiB: number | null
}

/** Parses `nvidia-smi --query-gpu=… --format=csv,noheader,nounits` output. */
export function parseNvidiaSmiCsv (text: string): GpuSample[] {
  const gpus: GpuSample[] = []
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]?.trim() ?? ''
    if (line === '') continue
    // GPU names carry no commas, and nvidia-smi does not quote: split plainly.
    const cols = line.split(',').map(c => c.trim())
    if (cols.length !== NVIDIA_SMI_FIELDS.length) {
      throw new NvidiaSmiParseError(`nvidia-smi line ${i + 1}: must have ${NVIDIA_SMI_FIELDS.length} columns (${NVIDIA_SMI_FIELDS.join(',')}): current line has ${cols.length}: ${JSON.stringify(line.slice(0, 200))}`)
    }
    const [uuid = '', model = '', util, memUsed, memTotal, temp, power] = cols
    if (!/^GPU-[0-9a-fA-F-]+$/.test(uuid)) {
      throw new NvidiaSmiParseError(`nvidia-smi line ${i + 1}: uuid must look like GPU-xxxxxxxx-…: current value is ${JSON.stringify(uuid.slice(0, 80))}`)
    }
    gpus.push({
      uuid,
      model,
      utilizationPercent: num(util, 'utilization.gpu', i, 0, 100),
      memoryUsedMiB: num(memUsed, 'memory.used', i, 0, 1e9),
      memoryTotalMiB: num(memTotal, 'memory.total', i, 0, 1e9),
      temperatureC: num(temp, 'temperature.gpu', i, -50, 200),
      powerW: num(power, 'power.draw', i, 0, 1e5)
    })
  }
  return gpus
}

function num (raw: string | undefined, field: string, line: number, min: number, max: number): number | null {
  if (raw === undefined || /^\[.*\]$/.test(raw)) return null // [N/A], [Not Supported], [Unknown Error]
  const n = Number(raw)
  if (raw === '' || !Number.isFinite(n) || n < min || n > max) {
    throw new NvidiaSmiParseError(`nvidia-smi line ${line + 1}: ${field} must be a number in [${min}, ${max}] or [N/A]: current value is ${JSON.stringify(raw.slice(0, 40))}`)
  }
  return n
}

export interface NvidiaSmiInit {
  /**
   * The binary, a name looked up on PATH or an absolute path.
   * @default 'nvidia-smi'
   */
  binary?: string
}

/**
 * Runs the query once. Resolves to null when the binary is absent, so the caller
 * can tell "no NVIDIA stack" from "GPUs present but failing" (which throws).
 */
export async function queryNvidiaSmi (init: NvidiaSmiInit, signal: AbortSignal): Promise<GpuSample[] | null> {
  const binary = init.binary ?? 'nvidia-smi'
  let stdout: string
  try {
    stdout = await new Promise<string>((resolve, reject) => {
      execFile(binary, [...NVIDIA_SMI_ARGS], { signal, maxBuffer: 1 << 20, encoding: 'utf8' }, (err, out) => {
        if (err !== null) reject(err)
        else resolve(out)
      })
    })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw err
  }
  return parseNvidiaSmiCsv(stdout)
}

/**
 * The GPU probe, put in the set only where a first query found the binary; that
 * query also gave the static facts (see gpuFacts), so the probe has only a
 * dynamic part.
 */
export function nvidiaSmiProbe (init: NvidiaSmiInit): Probe<never, GpuSample[]> {
  return {
    name: 'gpus',
    sample: async signal => {
      const gpus = await queryNvidiaSmi(init, signal)
      if (gpus === null) throw new Error(`${init.binary ?? 'nvidia-smi'} is gone`)
      return gpus
    }
  }
}

export function gpuFacts (gpus: readonly GpuSample[]): GpuFacts[] {
  return gpus.map(g => ({ uuid: g.uuid, model: g.model, memoryTotalMiB: g.memoryTotalMiB }))
}
