/**
 * CPU busy share between two readings of the kernel's per-core time counters.
 * Not si.currentLoad(): on Linux it runs `execSync('cat /proc/stat | grep cpu')`
 * on every call, which blocks the daemon's event loop for ~8 ms a sample and
 * cannot be cut short by a probe deadline. os.cpus() reads the same counters
 * in-process in ~0.05 ms.
 */

/** Cumulative ms per core, as os.cpus()[i].times. */
export interface CoreTimes {
  user: number
  nice: number
  sys: number
  idle: number
  irq: number
}

export class CpuLoadMeter {
  private readonly read: () => CoreTimes[]
  private last: { busy: number, total: number }

  constructor (read: () => CoreTimes[]) {
    this.read = read
    this.last = totals(read())
  }

  /**
   * Busy share of all cores since the previous call (or construction), 0–100;
   * null when no time has passed on the counters, which cannot say anything yet.
   */
  percent (): number | null {
    const now = totals(this.read())
    const total = now.total - this.last.total
    const busy = now.busy - this.last.busy
    this.last = now
    // Counters that went backwards (a core hot-unplugged) give no honest figure.
    if (total <= 0 || busy < 0) return null
    return Math.min(100, Math.round((busy / total) * 10000) / 100)
  }
}

function totals (cores: CoreTimes[]): { busy: number, total: number } {
  let busy = 0
  let total = 0
  for (const t of cores) {
    const b = t.user + t.nice + t.sys + t.irq
    busy += b
    total += b + t.idle
  }
  return { busy, total }
}
