/**
 * The scenario file of SPEC ("Scenario file"): a strict schema (unknown fields
 * are errors), documented defaults for optional fields, and cross-checks the
 * schema cannot express (every region pair has a latency, references resolve).
 */
import { parse as parseYaml } from 'yaml'
import { z } from 'zod'
import { InvalidScenarioError } from './errors.ts'

const name = z.string().min(1)
const count = z.number().int().min(1)
const nonNeg = z.number().finite().nonnegative()
const positive = z.number().finite().positive()
/** A fixed value or an inclusive [min, max] range drawn uniformly per workload. */
const range = z.union([positive, z.tuple([positive, positive])])
const intRange = z.union([count, z.tuple([count, count])])

const region = z.strictObject({ name, geography: name, provider: name })

const nodeClass = z.strictObject({
  name,
  region: name,
  count,
  cpu: positive,
  memoryGiB: positive,
  /** @default 0 */
  gpus: z.number().int().nonnegative().default(0),
  pricePerHour: nonNeg,
  /** Informational for spot classes (what the static baseline would pay). */
  onDemandPricePerHour: nonNeg.optional(),
  /** @default false */
  spot: z.boolean().default(false),
  /** @default 0 — only spot classes are interrupted. */
  interruptionsPerDay: nonNeg.default(0),
  /** @default 120 — the AWS spot notice. */
  noticeSeconds: nonNeg.default(120),
  /** @default 0 */
  failuresPerDay: nonNeg.default(0),
  /** @default 'amd64' */
  arch: name.default('amd64'),
  /** @default {} */
  labels: z.record(z.string(), z.string()).default({}),
  /** @default ['exec', 'container'] */
  drivers: z.array(z.enum(['exec', 'container'])).min(1).default(['exec', 'container'])
})

const constraints = z.strictObject({
  geographies: z.array(name).optional(),
  clouds: z.array(name).optional(),
  regions: z.array(name).optional(),
  nodeSelector: z.record(z.string(), z.string()).optional()
})

const workload = z.strictObject({
  name,
  /** How many workloads of this kind arrive over the run. */
  count,
  arrivalPerHour: positive,
  durationHours: range,
  /** @default 1 */
  replicas: intRange.default(1),
  cpu: positive,
  memoryGiB: positive,
  /** @default 0 */
  gpus: z.number().int().nonnegative().default(0),
  /** @default 'default' */
  goal: z.enum(['cost', 'latency', 'default']).default('default'),
  /** @default [] — batch work has no users and no latency. */
  users: z.array(z.strictObject({ region: name, weight: positive })).default([]),
  /** @default {} */
  constraints: constraints.default({}),
  /** @default false */
  preferSpot: z.boolean().default(false),
  dataLocality: name.optional(),
  sloLatencyMs: positive.optional(),
  /** @default 'container' */
  driver: z.enum(['exec', 'container']).default('container')
})

const scenarioSchema = z.strictObject({
  name,
  /** @default 1 */
  seed: z.number().int().default(1),
  durationHours: positive,
  regions: z.array(region).min(1),
  latencyMs: z.record(z.string(), z.record(z.string(), nonNeg)),
  nodeClasses: z.array(nodeClass).min(1),
  workloads: z.array(workload).min(1),
  static: z.strictObject({
    region: name,
    nodeClass: name,
    /** @default the class's count */
    count: count.optional()
  }),
  /** Time from placement until a replica serves. @default 60 */
  replicaStartupSeconds: nonNeg.default(60),
  /** Time until a failed or reclaimed node's capacity returns. @default 1 */
  recoveryHours: positive.default(1),
  /** Time without heartbeats before a failed node's replicas are re-placed. @default 10 */
  failureDetectionSeconds: nonNeg.default(10),
  /** Interval at which latency and cost are sampled. @default 5 */
  sampleMinutes: positive.default(5)
})

export type Scenario = z.infer<typeof scenarioSchema>
export type ScenarioNodeClass = Scenario['nodeClasses'][number]
export type ScenarioWorkload = Scenario['workloads'][number]

function pathOf (path: readonly PropertyKey[]): string {
  let out = 'scenario'
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `.${String(p)}`
  return out
}

function valueAt (input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined
    v = (v as Record<PropertyKey, unknown>)[p]
  }
  return v
}

function show (v: unknown): string {
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v)
  if (v === undefined) return 'nothing'
  const s = JSON.stringify(v)
  return s.length > 60 ? `${s.slice(0, 57)}...` : s
}

function fail (field: string, problem: string): never {
  throw new InvalidScenarioError(`${field}: ${problem}`)
}

/** Checks what a per-field schema cannot: references and completeness. */
function crossCheck (s: Scenario): void {
  const regions = new Map<string, Scenario['regions'][number]>()
  s.regions.forEach((r, i) => {
    if (regions.has(r.name)) fail(`scenario.regions[${i}].name`, `duplicate region ${show(r.name)}`)
    regions.set(r.name, r)
  })
  const known = (field: string, r: string): void => {
    if (!regions.has(r)) fail(field, `unknown region ${show(r)} (not in scenario.regions)`)
  }
  for (const [a, row] of Object.entries(s.latencyMs)) {
    known(`scenario.latencyMs.${a}`, a)
    for (const b of Object.keys(row)) known(`scenario.latencyMs.${a}.${b}`, b)
  }
  const names = [...regions.keys()]
  for (let i = 0; i < names.length; i++) {
    for (let j = i + 1; j < names.length; j++) {
      const a = names[i] as string
      const b = names[j] as string
      if (s.latencyMs[a]?.[b] === undefined && s.latencyMs[b]?.[a] === undefined) {
        fail('scenario.latencyMs', `no latency between ${show(a)} and ${show(b)}; every region pair needs one`)
      }
    }
  }
  const classes = new Set<string>()
  s.nodeClasses.forEach((c, i) => {
    if (classes.has(c.name)) fail(`scenario.nodeClasses[${i}].name`, `duplicate node class ${show(c.name)}`)
    classes.add(c.name)
    known(`scenario.nodeClasses[${i}].region`, c.region)
  })
  s.workloads.forEach((w, i) => {
    const at = `scenario.workloads[${i}]`
    w.users.forEach((u, j) => known(`${at}.users[${j}].region`, u.region))
    if (Array.isArray(w.durationHours) && w.durationHours[0] > w.durationHours[1]) fail(`${at}.durationHours`, `min > max, got ${show(w.durationHours)}`)
    if (Array.isArray(w.replicas) && w.replicas[0] > w.replicas[1]) fail(`${at}.replicas`, `min > max, got ${show(w.replicas)}`)
    w.constraints.regions?.forEach((r, j) => known(`${at}.constraints.regions[${j}]`, r))
  })
  known('scenario.static.region', s.static.region)
  const cls = s.nodeClasses.find(c => c.name === s.static.nodeClass)
  if (cls === undefined) fail('scenario.static.nodeClass', `unknown node class ${show(s.static.nodeClass)} (not in scenario.nodeClasses)`)
  if (cls.region !== s.static.region) fail('scenario.static.nodeClass', `class ${show(cls.name)} is in region ${show(cls.region)}, not static.region ${show(s.static.region)}`)
}

/**
 * Parses and validates a scenario: JSON or YAML text, or an already parsed
 * object. Throws InvalidScenarioError (code INVALID_SCENARIO) naming the field.
 */
export function loadScenario (input: string | unknown): Scenario {
  let raw = input
  if (typeof input === 'string') {
    try {
      raw = input.trimStart().startsWith('{') ? JSON.parse(input) : parseYaml(input)
    } catch (err) {
      throw new InvalidScenarioError(`scenario: not valid JSON or YAML (${(err as Error).message})`, { cause: err })
    }
  }
  const result = scenarioSchema.safeParse(raw)
  if (!result.success) {
    const messages = result.error.issues.slice(0, 5).map(issue => {
      if (issue.code === 'unrecognized_keys') {
        return issue.keys.map(k => `${pathOf([...issue.path, k])}: unknown field`).join('; ')
      }
      return `${pathOf(issue.path)}: ${issue.message.replace(/^Invalid input: /, '')}, got ${show(valueAt(raw, issue.path))}`
    })
    throw new InvalidScenarioError(messages.join('; '))
  }
  crossCheck(result.data)
  return result.data
}
