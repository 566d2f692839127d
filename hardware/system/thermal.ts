/**
 * Temperatures from Linux sysfs, read asynchronously: hwmon chips
 * (`/sys/class/hwmon/hwmonN/tempM_input`, millidegrees, with the chip's `name`)
 * and thermal zones (`/sys/class/thermal/thermal_zoneN/temp`, with its `type`).
 * Not si.cpuTemperature(): on Linux it shells out with execSync, blocking the
 * event loop on every sample.
 */
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'

export interface TemperatureReading {
  /** The CPU package (or its closest sensor), °C; null when no sensor is known to be the CPU's. */
  cpuC: number | null
  /** The hottest sensor, °C. */
  maxC: number
}

/** hwmon chip names and thermal zone types that measure the CPU, across x86 and ARM boards. */
const CPU_SENSORS = /^(coretemp|k10temp|zenpower|cpu_thermal|cpu-thermal|x86_pkg_temp|soc_thermal|cpu)$/i

/** Reads every sensor under `root` (default `/sys/class`); null when there is none. */
export async function readSysfsTemperatures (root = '/sys/class'): Promise<TemperatureReading | null> {
  const [hwmon, zones] = await Promise.all([readHwmon(join(root, 'hwmon')), readZones(join(root, 'thermal'))])
  const all = [...hwmon, ...zones]
  if (all.length === 0) return null
  const cpu = all.filter(s => CPU_SENSORS.test(s.name)).map(s => s.c)
  return { cpuC: cpu.length === 0 ? null : Math.max(...cpu), maxC: Math.max(...all.map(s => s.c)) }
}

interface Sensor { name: string, c: number }

async function readHwmon (dir: string): Promise<Sensor[]> {
  const chips = await list(dir)
  const perChip = await Promise.all(chips.map(async chip => {
    const name = (await text(join(dir, chip, 'name')))?.trim() ?? chip
    const inputs = (await list(join(dir, chip))).filter(f => /^temp\d+_input$/.test(f))
    const values = await Promise.all(inputs.map(async f => milli(await text(join(dir, chip, f)))))
    return values.filter((c): c is number => c !== null).map(c => ({ name, c }))
  }))
  return perChip.flat()
}

async function readZones (dir: string): Promise<Sensor[]> {
  const zones = (await list(dir)).filter(z => z.startsWith('thermal_zone'))
  const read = await Promise.all(zones.map(async z => {
    const c = milli(await text(join(dir, z, 'temp')))
    return c === null ? null : { name: (await text(join(dir, z, 'type')))?.trim() ?? z, c }
  }))
  return read.filter((s): s is Sensor => s !== null)
}

/** Millidegrees to °C; a sensor reading outside what silicon survives is no reading. */
function milli (raw: string | null): number | null {
  if (raw === null) return null
  const n = Number(raw.trim())
  if (raw.trim() === '' || !Number.isFinite(n)) return null
  const c = n / 1000
  return c > -40 && c < 150 ? Math.round(c * 10) / 10 : null
}

async function list (dir: string): Promise<string[]> {
  try {
    return await readdir(dir)
  } catch {
    return []
  }
}

/** A sensor that cannot be read now (EIO, ENODATA from a sleeping device) is skipped. */
async function text (path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8')
  } catch {
    return null
  }
}
