/**
 * Decides at start what this machine is, and so which probes run: a Jetson
 * gets tegrastats, a machine with nvidia-smi gets the GPU probe, a laptop the
 * battery probe, a cloud instance an interruption watcher. Everything is
 * asked at once, so detection costs its slowest question, not their sum.
 */
import type { Clock } from '../protocol/clock.ts'
import { withDeadline } from './deadline.ts'
import { detectCloud } from './cloud/detect.ts'
import type { CloudDetectInit, DetectedCloud } from './cloud/detect.ts'
import { detectJetson } from './jetson/detect.ts'
import type { JetsonDetectInit, JetsonFacts } from './jetson/detect.ts'
import { gpuFacts, queryNvidiaSmi } from './nvidia/nvidia-smi.ts'
import type { GpuFacts, NvidiaSmiInit } from './nvidia/nvidia-smi.ts'
import { readBattery, readTemperature } from './system/probes.ts'

export interface DetectInit {
  /** false skips the question (the probe is then absent); an object configures it. */
  nvidiaSmi?: NvidiaSmiInit | false
  jetson?: JetsonDetectInit | false
  cloud?: CloudDetectInit | false
  /** Where sysfs classes are, for temperature sensors. @default '/sys/class' */
  sysfsRoot?: string
  /** Deadline of each local question (files, nvidia-smi, sensors). */
  timeoutMs: number
  onError?: (what: string, err: unknown) => void
}

export interface Detected {
  jetson: JetsonFacts | null
  /** null: no nvidia-smi (or not asked). [] : nvidia-smi present and lists no GPU. */
  gpus: GpuFacts[] | null
  /** The machine reports a battery. */
  battery: boolean
  /** The machine reports at least one temperature sensor. */
  temperature: boolean
  cloud: DetectedCloud | null
}

export async function detectHardware (components: { clock: Clock }, init: DetectInit): Promise<Detected> {
  const { clock } = components
  const ask = async <T>(what: string, q: (signal: AbortSignal) => Promise<T>): Promise<T | null> => {
    try {
      return await withDeadline(clock, `detect:${what}`, init.timeoutMs, q)
    } catch (err) {
      init.onError?.(what, err)
      return null
    }
  }
  const nvidia = init.nvidiaSmi
  const jetson = init.jetson
  const cloud = init.cloud
  const [j, g, b, t, c] = await Promise.all([
    jetson === false || jetson === undefined ? null : ask('jetson', async () => await detectJetson(jetson)),
    nvidia === false || nvidia === undefined ? null : ask('nvidia-smi', async s => await queryNvidiaSmi(nvidia, s)),
    ask('battery', async () => await readBattery()),
    ask('temperature', async () => await readTemperature(init.sysfsRoot)),
    // detectCloud keeps its own, shorter, per-provider deadline.
    cloud === false || cloud === undefined ? null : detectCloud({ clock }, { ...cloud, onError: init.onError })
  ])
  return {
    jetson: j,
    gpus: g === null ? null : gpuFacts(g),
    battery: b !== null,
    temperature: t !== null,
    cloud: c
  }
}
