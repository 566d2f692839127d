/**
 * A validated manifest plus what the rest of the fabric computes from it:
 * resource amounts as integers (the scheduler compares numbers, not "4Gi")
 * and the hashes that make `apply` idempotent.
 */
import { cpuToMillicores, gpuToCount, memoryToBytes } from '../quantity.ts'
import { canonicalHash } from './canonical-json.ts'
import { GPU_RESOURCE } from './schema.ts'
import type { WorkloadManifest } from './schema.ts'

/** One replica's needs; an absent limit counts as 0 (asks for nothing). */
export interface ResourceAmounts {
  readonly cpuMillis: number
  readonly memoryBytes: number
  readonly gpus: number
}

export interface ContainerResources extends ResourceAmounts {
  readonly name: string
}

export interface Workload {
  readonly name: string
  /** Defaults filled in, quantities as written; what is stored and replicated. */
  readonly manifest: WorkloadManifest
  readonly resources: {
    readonly containers: readonly ContainerResources[]
    /** The sum over containers: what one replica needs from a node. */
    readonly perReplica: ResourceAmounts
  }
  /**
   * SHA-256 of the canonical `spec`: equal means "the same workload", so
   * applying it again keeps the generation; a different one bumps it.
   */
  readonly specHash: string
  /** SHA-256 of the whole canonical manifest: a label-only change alters this, not `specHash`. */
  readonly manifestHash: string
}

export function normalizeManifest (manifest: WorkloadManifest): Workload {
  const containers = manifest.spec.template.spec.containers.map(c => {
    const limits = c.resources.limits
    return {
      name: c.name,
      cpuMillis: limits.cpu === undefined ? 0 : cpuToMillicores(limits.cpu),
      memoryBytes: limits.memory === undefined ? 0 : memoryToBytes(limits.memory),
      gpus: limits[GPU_RESOURCE] === undefined ? 0 : gpuToCount(limits[GPU_RESOURCE])
    }
  })
  const perReplica = containers.reduce((sum, c) => ({
    cpuMillis: sum.cpuMillis + c.cpuMillis,
    memoryBytes: sum.memoryBytes + c.memoryBytes,
    gpus: sum.gpus + c.gpus
  }), { cpuMillis: 0, memoryBytes: 0, gpus: 0 })
  return {
    name: manifest.metadata.name,
    manifest,
    resources: { containers, perReplica },
    specHash: canonicalHash(manifest.spec),
    manifestHash: canonicalHash(manifest)
  }
}
