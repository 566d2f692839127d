/**
 * Seeded pseudo-random numbers, so a simulation or a training run is
 * reproducible from its seed. mulberry32: 32-bit state, fast, good enough for
 * simulation (not for cryptography).
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next: () => number
}

export function createRng (seed: number): Rng {
  let state = (Math.trunc(seed) ^ 0x9e3779b9) >>> 0
  return {
    next () {
      state = (state + 0x6d2b79f5) >>> 0
      let t = state
      t = Math.imul(t ^ (t >>> 15), t | 1)
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296
    }
  }
}

/** Uniform in [lo, hi). */
export function uniform (rng: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * rng.next()
}

/** Integer uniform in [lo, hi] inclusive. */
export function uniformInt (rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng.next() * (hi - lo + 1))
}

/** Exponential with the given rate (events per unit); Infinity when rate is 0. */
export function exponential (rng: Rng, rate: number): number {
  if (rate <= 0) return Infinity
  return -Math.log(1 - rng.next()) / rate
}

/** Standard normal (Box–Muller), for weight initialisation. */
export function gaussian (rng: Rng): number {
  const u = 1 - rng.next()
  const v = rng.next()
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
}

/** Derives an independent stream from a seed and a label, so adding a draw in one place does not shift another. */
export function deriveSeed (seed: number, label: string): number {
  let h = 2166136261 ^ Math.trunc(seed)
  for (let i = 0; i < label.length; i++) {
    h = Math.imul(h ^ label.charCodeAt(i), 16777619)
  }
  return h >>> 0
}
