/**
 * The `HyperionWorkload` manifest of SPEC.md as a zod schema. Every object is
 * strict (an unknown field is a typo we refuse, not one we ignore), every
 * constraint carries the message users see after the field path, and
 * defaults are filled in here so that two manifests that mean the same thing
 * parse to the same value (and hash to the same `specHash`).
 *
 * Parsing the output again gives the same output: stored manifests are
 * re-validated with this schema when they arrive from other nodes.
 */
import { z } from 'zod'
import { cpuToMillicores, gpuToCount, memoryToBytes, quantityText, QuantityError } from '../quantity.ts'
import type { QuantityInput } from '../quantity.ts'

export const API_VERSION = 'hyperion.io/v1alpha1'
export const KIND = 'HyperionWorkload'
export const GPU_RESOURCE = 'nvidia.com/gpu'
/** Each replica is a replicated assignment entry: bound them so one manifest cannot flood the state. */
export const MAX_REPLICAS = 1000
export const MAX_CONTAINERS = 16
export const PROVIDERS = ['aws', 'gcp', 'azure', 'onprem', 'edge'] as const
export const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'] as const
export const GOALS = ['cost', 'latency', 'default'] as const

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/
const GEOGRAPHY = /^[A-Z]{2,16}$/
const LOCALITY = new RegExp(`^((${PROVIDERS.join('|')}):)?[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

const dnsLabel = z.string({ error: 'must be a string' })
  .max(63, { error: 'must be at most 63 characters' })
  .regex(DNS1123_LABEL, { error: "must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit" })

const regionName = z.string({ error: 'must be a string' })
  .max(63, { error: 'must be at most 63 characters' })
  .regex(DNS1123_LABEL, { error: "must be a region name such as us-east-1: lowercase letters, digits and '-'" })

/** Kubernetes label rules (`validation.IsQualifiedName`, `IsValidLabelValue`). */
function labelKeyProblem (key: string): string | undefined {
  const slash = key.lastIndexOf('/')
  const prefix = slash === -1 ? undefined : key.slice(0, slash)
  const name = slash === -1 ? key : key.slice(slash + 1)
  if (prefix !== undefined && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) {
    return 'must have a DNS-1123 subdomain as its prefix (before the /)'
  }
  if (name.length > 63 || !QUALIFIED_NAME.test(name)) {
    return "must be a label key: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit, with an optional prefix/"
  }
  return undefined
}

const labelMap = z.record(z.string(), z.string({ error: 'must be a string' })).superRefine((labels, ctx) => {
  for (const [key, value] of Object.entries(labels)) {
    const keyProblem = labelKeyProblem(key)
    if (keyProblem !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: `key ${keyProblem}` })
    if (value.length > 63 || (value !== '' && !QUALIFIED_NAME.test(value))) {
      ctx.addIssue({ code: 'custom', path: [key], message: "must be a label value: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit" })
    }
  }
})

/** A quantity as YAML gives it (`cpu: 2` is a number), kept as the text the user wrote. */
function quantity (check: (q: QuantityInput) => number) {
  return z.union([z.string(), z.number()], { error: 'must be a quantity such as "500m", "2" or "4Gi"' })
    .transform((input, ctx) => {
      try {
        const text = quantityText(input)
        check(text)
        return text
      } catch (err) {
        if (!(err instanceof QuantityError)) throw err
        ctx.addIssue({ code: 'custom', message: err.reason, input })
        return z.NEVER
      }
    })
}

const limitsSchema = z.strictObject({
  cpu: quantity(cpuToMillicores).optional(),
  memory: quantity(memoryToBytes).optional(),
  [GPU_RESOURCE]: quantity(gpuToCount).optional()
})

const stringList = z.array(z.string({ error: 'must be a string' }), { error: 'must be a list of strings' })

const containerSchema = z.strictObject({
  name: dnsLabel,
  image: z.string({ error: 'must be a string' }).regex(/^\S+$/, { error: 'must be an image reference without blanks' }).optional(),
  command: stringList.min(1, { error: 'must not be empty when given' }).optional(),
  args: stringList.default([]),
  env: z.array(z.strictObject({
    name: z.string({ error: 'must be a string' }).regex(ENV_NAME, { error: "must be an environment variable name: letters, digits, '_', '-' or '.', not starting with a digit" }),
    value: z.string({ error: 'must be a string' }).default('')
  }), { error: 'must be a list of {name, value}' }).default([]),
  workingDir: z.string({ error: 'must be a string' }).startsWith('/', { error: 'must be an absolute path' }).optional(),
  resources: z.strictObject({
    limits: limitsSchema.prefault({})
  }).prefault({})
}).superRefine((container, ctx) => {
  if (container.image === undefined && container.command === undefined) {
    ctx.addIssue({ code: 'custom', message: 'must set image (container runtime) or command (process)' })
  }
})

const containersSchema = z.array(containerSchema, { error: 'must be a list of containers' })
  .min(1, { error: 'must list at least one container' })
  .max(MAX_CONTAINERS, { error: `must list at most ${MAX_CONTAINERS} containers` })
  .superRefine((containers, ctx) => {
    const seen = new Set<string>()
    containers.forEach((c, i) => {
      if (seen.has(c.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: 'must be unique among the containers' })
      seen.add(c.name)
    })
  })

const constraintsSchema = z.strictObject({
  geographies: z.array(z.string({ error: 'must be a string' }).regex(GEOGRAPHY, { error: 'must be a geography code in capitals, such as US, EU or APAC' }), { error: 'must be a list' }).default([]),
  clouds: z.array(z.enum(PROVIDERS, { error: `must be one of ${PROVIDERS.join(', ')}` }), { error: 'must be a list' }).default([]),
  regions: z.array(regionName, { error: 'must be a list' }).default([]),
  nodeSelector: labelMap.default({}),
  preferSpot: z.boolean({ error: 'must be true or false' }).default(false)
})

const policySchema = z.strictObject({
  goal: z.enum(GOALS, { error: `must be one of ${GOALS.join(', ')}` }).default('default'),
  constraints: constraintsSchema.prefault({}),
  users: z.array(z.strictObject({
    region: regionName,
    weight: z.number({ error: 'must be a number' }).positive({ error: 'must be a number > 0' }).max(1e6, { error: 'must be at most 1000000' })
  }), { error: 'must be a list of {region, weight}' }).default([]),
  data: z.strictObject({
    locality: z.string({ error: 'must be a string' }).regex(LOCALITY, { error: `must be a region, optionally prefixed by a provider (${PROVIDERS.join('|')}:), such as aws:us-east-1` })
  }).optional(),
  sloLatencyMs: z.number({ error: 'must be a number' })
    .positive({ error: 'must be a number > 0' })
    .max(600_000, { error: 'must be at most 600000 (10 minutes)' })
    .optional()
})

export const workloadManifestSchema = z.strictObject({
  apiVersion: z.literal(API_VERSION, { error: `must be ${API_VERSION}` }),
  kind: z.literal(KIND, { error: `must be ${KIND}` }),
  metadata: z.strictObject({
    name: dnsLabel,
    labels: labelMap.default({})
  }, { error: 'must be an object with name (and optional labels)' }),
  spec: z.strictObject({
    replicas: z.number({ error: 'must be an integer >= 0' })
      .int({ error: 'must be an integer >= 0' })
      .min(0, { error: 'must be an integer >= 0' })
      .max(MAX_REPLICAS, { error: `must be at most ${MAX_REPLICAS}` })
      .default(1),
    restartPolicy: z.enum(RESTART_POLICIES, { error: `must be one of ${RESTART_POLICIES.join(', ')}` }).default('Always'),
    template: z.strictObject({
      spec: z.strictObject({ containers: containersSchema }, { error: 'must be an object with containers' })
    }, { error: 'must be an object with spec.containers' }),
    policy: policySchema.prefault({})
  }, { error: 'must be an object' })
}, { error: 'must be an object (a HyperionWorkload manifest)' })

/** A validated manifest with every default filled in; quantities as the user wrote them. */
export type WorkloadManifest = z.output<typeof workloadManifestSchema>
export type ContainerSpec = WorkloadManifest['spec']['template']['spec']['containers'][number]
export type PlacementPolicy = WorkloadManifest['spec']['policy']
