/**
 * Renders a decision for `hyperion describe`: how many nodes were filtered and
 * why, then the chosen node with its named scores.
 */
import type { Decision } from './types.ts'

function fmt (x: number): string {
  return x.toFixed(2)
}

export function explain (decision: Decision): string {
  const counts = new Map<string, number>()
  for (const f of decision.filtered) counts.set(f.reason, (counts.get(f.reason) ?? 0) + 1)
  const reasons = [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([reason, n]) => `${n} ${reason}`)
  const feasible = decision.considered - decision.filtered.length
  let head = `${feasible}/${decision.considered} nodes feasible`
  if (reasons.length > 0) head += `: ${reasons.join(', ')}`
  const lines = [head]
  if (decision.sampled !== undefined) {
    lines.push(`scored a sample of ${decision.sampled.scored} of ${decision.sampled.feasible} feasible nodes`)
  }
  if (decision.fallback !== undefined) {
    lines.push(`fallback: ${decision.fallback.from} → ${decision.fallback.to} (${decision.fallback.reason})`)
  }
  const chosen = decision.ranked.find(r => r.node === decision.node)
  if (decision.node === undefined || chosen === undefined) {
    lines.push(`no placement for ${decision.workload}[${decision.replica}] by ${decision.policy}`)
  } else {
    const scores = Object.entries(chosen.scores).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')
    lines.push(`chose ${chosen.node} by ${decision.policy} (total ${fmt(chosen.total)}): ${scores}`)
    for (const r of decision.ranked) {
      if (r.node !== chosen.node) lines.push(`  runner-up ${r.node} (total ${fmt(r.total)})`)
    }
  }
  for (const w of decision.warnings) lines.push(`warning: ${w}`)
  return lines.join('\n')
}
