/**
 * Policy-gradient training of the learned scorer on the simulator.
 *
 * 1. Warm start: regress the network onto the greedy heuristic's ranking, so
 *    learning starts from a sensible policy instead of random placements.
 * 2. REINFORCE with a per-goal baseline: each placement is an action sampled
 *    from softmax(scores) over the feasible nodes; its return is the realised
 *    outcome of that placement (objective.ts: goal-weighted cost and latency,
 *    SLO and downtime penalties) per replica-hour, so credit goes to the
 *    decision that caused it.
 * 3. Model selection on a validation seed that is neither a training seed nor
 *    the scenario's reporting seed.
 */
import { greedyPolicy } from '../heuristics.ts'
import { outcomeCost, type Outcome } from '../objective.ts'
import type { PlacementPolicy } from '../pipeline.ts'
import { createRng, deriveSeed } from '../rng.ts'
import type { Scenario } from '../scenario.ts'
import { simulateOne } from '../sim/simulator.ts'
import { FEATURE_COUNT, featureMatrix } from '../learned/features.ts'
import { adamStep, backward, createAdam, createMlp, forward, zeroGradients, type Mlp } from '../learned/mlp.ts'
import { mlpPolicy, samplingPolicy, type Step } from '../learned/mlp-policy.ts'

export interface TrainOptions {
  scenario: Scenario
  seed: number
  /** Policy-gradient episodes. */
  episodes: number
  /** Simulated hours per episode (shorter than the scenario keeps runs cheap). */
  hours: number
  hidden: number[]
  lr: number
  warmStartSteps: number
  /** Logit scale of the warm start: how sharply the initial policy follows greedy. */
  warmStartScale: number
  minibatch: number
  validationSeed: number
  log?: (line: string) => void
}

export interface EpisodeLog {
  episode: number
  meanReturn: number
  validationObjective: number
}

export interface TrainResult {
  mlp: Mlp
  history: EpisodeLog[]
  bestEpisode: number
  bestValidation: number
  greedyValidation: number
  warmStartValidation: number
}

function cloneMlp (m: Mlp): Mlp {
  return { sizes: [...m.sizes], weights: m.weights.map(w => Float64Array.from(w)), biases: m.biases.map(b => Float64Array.from(b)) }
}

/** Runs greedy once and keeps every candidate's features with greedy's total as the target. */
async function greedyDataset (scenario: Scenario, seed: number, hours: number): Promise<{ x: number[], y: number[] }> {
  const x: number[] = []
  const y: number[] = []
  const recorder: PlacementPolicy = {
    name: 'greedy-recorder',
    async rank (req, candidates, fabric) {
      const totals = await greedyPolicy.rank(req, candidates, fabric)
      const f = featureMatrix(req, candidates)
      for (let i = 0; i < f.length; i++) x.push(f[i] as number)
      for (const t of totals) y.push(t)
      return totals
    }
  }
  await simulateOne(scenario, recorder, { seed, hours })
  return { x, y }
}

async function warmStart (mlp: Mlp, opts: TrainOptions, rngSeed: number): Promise<void> {
  const data = await greedyDataset(opts.scenario, deriveSeed(opts.seed, 'warm'), opts.hours)
  const rows = data.y.length
  const rng = createRng(rngSeed)
  const adam = createAdam(mlp, 3e-3)
  const batch = 256
  for (let step = 0; step < opts.warmStartSteps; step++) {
    const xb = new Float64Array(batch * FEATURE_COUNT)
    const yb = new Float64Array(batch)
    for (let b = 0; b < batch; b++) {
      const r = Math.floor(rng.next() * rows)
      for (let k = 0; k < FEATURE_COUNT; k++) xb[b * FEATURE_COUNT + k] = data.x[r * FEATURE_COUNT + k] as number
      yb[b] = opts.warmStartScale * (data.y[r] as number)
    }
    const cache = forward(mlp, xb, batch)
    const out = cache.acts[cache.acts.length - 1] as Float64Array
    const d = new Float64Array(batch)
    for (let b = 0; b < batch; b++) d[b] = 2 * ((out[b] as number) - (yb[b] as number)) / batch
    const grads = zeroGradients(mlp)
    backward(mlp, cache, d, grads)
    adamStep(mlp, adam, grads, 10)
  }
}

/** Per-replica-hour return of one placement: the negated objective it accrued. */
function returnOf (o: Outcome, minHours: number): number {
  return -outcomeCost(o) / Math.max(o.hours, minHours)
}

/** Advantages: return minus the mean of its goal's returns, scaled by that goal's spread. */
function advantages (outcomes: Outcome[], minHours: number): Float64Array {
  const byGoal = new Map<string, number[]>()
  const r = outcomes.map(o => returnOf(o, minHours))
  outcomes.forEach((o, i) => { const l = byGoal.get(o.goal) ?? []; l.push(r[i] as number); byGoal.set(o.goal, l) })
  const stats = new Map<string, { mean: number, std: number }>()
  for (const [g, l] of byGoal) {
    const mean = l.reduce((s, v) => s + v, 0) / l.length
    const std = Math.sqrt(l.reduce((s, v) => s + (v - mean) ** 2, 0) / l.length) || 1
    stats.set(g, { mean, std })
  }
  return Float64Array.from(outcomes.map((o, i) => {
    const s = stats.get(o.goal) as { mean: number, std: number }
    return ((r[i] as number) - s.mean) / s.std
  }))
}

async function validate (mlp: Mlp, opts: TrainOptions): Promise<number> {
  return (await simulateOne(opts.scenario, mlpPolicy(mlp), { seed: opts.validationSeed, hours: opts.hours })).objective
}

export async function train (opts: TrainOptions): Promise<TrainResult> {
  const log = opts.log ?? (() => {})
  const mlp = createMlp([FEATURE_COUNT, ...opts.hidden, 1], createRng(deriveSeed(opts.seed, 'init')))
  await warmStart(mlp, opts, deriveSeed(opts.seed, 'warm-batches'))
  const greedyValidation = (await simulateOne(opts.scenario, greedyPolicy, { seed: opts.validationSeed, hours: opts.hours })).objective
  const warmStartValidation = await validate(mlp, opts)
  log(`warm start: validation objective ${warmStartValidation.toFixed(4)} (greedy ${greedyValidation.toFixed(4)})`)
  let best = cloneMlp(mlp)
  let bestValidation = warmStartValidation
  let bestEpisode = 0
  const history: EpisodeLog[] = []
  const adam = createAdam(mlp, opts.lr)
  const rng = createRng(deriveSeed(opts.seed, 'sampling'))
  const minHours = opts.scenario.sampleMinutes / 60
  for (let ep = 1; ep <= opts.episodes; ep++) {
    const steps: Step[] = []
    const outcomes: Outcome[] = []
    const episodeSeed = deriveSeed(opts.seed, `episode:${ep}`)
    await simulateOne(opts.scenario, samplingPolicy(mlp, rng, steps), { seed: episodeSeed, hours: opts.hours, outcomes })
    if (steps.length !== outcomes.length) throw new Error(`trainer saw ${steps.length} decisions but ${outcomes.length} outcomes`)
    const adv = advantages(outcomes, minHours)
    const order = steps.map((_s, i) => i)
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rng.next() * (i + 1))
      const t = order[i] as number
      order[i] = order[j] as number
      order[j] = t
    }
    for (let start = 0; start < order.length; start += opts.minibatch) {
      const grads = zeroGradients(mlp)
      const batch = order.slice(start, start + opts.minibatch)
      for (const i of batch) {
        const s = steps[i] as Step
        const a = adv[i] as number
        if (s.n < 2 || a === 0) continue
        // d(-A·log π(chosen))/d logits = -A·(onehot - π): descend the negated objective.
        const cache = forward(mlp, s.x, s.n)
        const d = new Float64Array(s.n)
        for (let k = 0; k < s.n; k++) d[k] = a * (s.probs[k] as number) / batch.length
        d[s.chosen] = (d[s.chosen] as number) - a / batch.length
        backward(mlp, cache, d, grads)
      }
      adamStep(mlp, adam, grads)
    }
    const meanReturn = outcomes.reduce((s, o) => s + returnOf(o, minHours), 0) / Math.max(1, outcomes.length)
    const validationObjective = await validate(mlp, opts)
    history.push({ episode: ep, meanReturn, validationObjective })
    log(`episode ${ep}: ${steps.length} decisions, mean return ${meanReturn.toFixed(4)}, validation objective ${validationObjective.toFixed(4)}`)
    if (validationObjective < bestValidation) {
      best = cloneMlp(mlp)
      bestValidation = validationObjective
      bestEpisode = ep
    }
  }
  return { mlp: best, history, bestEpisode, bestValidation, greedyValidation, warmStartValidation }
}
