/** Small helpers shared by the benchmarks: medians and percentiles, and table output. */
export function percentile (values: number[], p: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[i] as number
}

export const median = (values: number[]): number => percentile(values, 50)

export function round (n: number, digits = 1): number {
  const f = 10 ** digits
  return Math.round(n * f) / f
}

/** Prints rows as an aligned table, or `json` as one document when `--json` was given. */
export function report (rows: Array<Record<string, string | number>>, json: unknown): void {
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(json, null, 2))
    return
  }
  const headers = Object.keys(rows[0] ?? {})
  const widths = headers.map(h => Math.max(h.length, ...rows.map(r => String(r[h]).length)))
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ')
  console.log(line(headers))
  console.log(line(widths.map(w => '-'.repeat(w))))
  for (const r of rows) console.log(line(headers.map(h => String(r[h]))))
}
