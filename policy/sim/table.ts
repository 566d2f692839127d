/**
 * Renders simulation results as the fixed-width table `hyperion simulate`
 * prints: one row per policy, the SPEC's columns in the SPEC's order.
 */
import type { SimulationResult } from './simulator.ts'

const COLUMNS: Array<[string, (r: SimulationResult) => string]> = [
  ['policy', r => r.policy],
  ['cost $/h', r => r.costPerHour.toFixed(2)],
  ['p50 ms', r => r.p50LatencyMs.toFixed(1)],
  ['p99 ms', r => r.p99LatencyMs.toFixed(1)],
  ['SLO viol', r => String(r.sloViolations)],
  ['SLO ok', r => `${(100 * r.sloAttainment).toFixed(1)}%`],
  ['lat-goal p99', r => r.latencyGoalP99Ms === null ? '-' : r.latencyGoalP99Ms.toFixed(1)],
  ['lat-goal SLO ok', r => r.latencyGoalSloAttainment === null ? '-' : `${(100 * r.latencyGoalSloAttainment).toFixed(1)}%`],
  ['placed', r => String(r.placed)],
  ['unplaced', r => String(r.unplaced)],
  ['intr min', r => r.interruptedReplicaMinutes.toFixed(0)],
  ['migr', r => String(r.migrations)],
  ['dec/s', r => r.decisionsPerSecond.toFixed(0)],
  ['objective', r => r.objective.toFixed(3)]
]

export function formatResultsTable (results: SimulationResult[]): string {
  const rows = [COLUMNS.map(c => c[0]), ...results.map(r => COLUMNS.map(c => c[1](r)))]
  const widths = COLUMNS.map((_c, i) => Math.max(...rows.map(row => (row[i] as string).length)))
  return rows
    .map(row => row.map((cell, i) => i === 0 ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number)).join('  '))
    .join('\n')
}
