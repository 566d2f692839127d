import { InvalidInputError } from './errors.ts'

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/**
 * Parses a duration as users write them on command lines: `90s`, `30m`,
 * `24h`, `7d`, or compounds like `1h30m`. A bare number is refused, since
 * nobody can tell whether `3600` meant seconds or milliseconds.
 */
export function parseDuration (text: string, field = 'duration'): number {
  const s = text.trim()
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy
  let total = 0
  let matched = 0
  for (let m = re.exec(s); m != null; m = re.exec(s)) {
    total += Number(m[1]) * (UNITS[m[2] as string] as number)
    matched = re.lastIndex
  }
  if (s.length === 0 || matched !== s.length) {
    throw new InvalidInputError(`${field}: must be a duration like 90s, 30m, 24h or 7d (got '${text}')`)
  }
  return Math.round(total)
}

export function formatDuration (ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`
  }
  return `${ms}ms`
}
