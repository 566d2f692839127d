/**
 * A large random fabric for throughput measurements (1,000 or 10,000
 * nodes): realistic mix of regions, providers, spot and GPUs, some load.
 */
import { createRng, uniformInt } from '../rng.ts'
import type { FabricSnapshot, NodeSnapshot, PlacementRequest } from '../types.ts'

const GIB = 1024 ** 3
const REGIONS = [
  { region: 'us-east-1', geography: 'US', provider: 'aws' },
  { region: 'eu-west-1', geography: 'EU', provider: 'aws' },
  { region: 'us-central1', geography: 'US', provider: 'gcp' },
  { region: 'europe-west4', geography: 'EU', provider: 'gcp' },
  { region: 'eastus', geography: 'US', provider: 'azure' },
  { region: 'edge-berlin-1', geography: 'EU', provider: 'edge' }
]
const LATENCY: FabricSnapshot['latencyMs'] = {
  'us-east-1': { 'eu-west-1': 80.5, 'us-central1': 30, 'europe-west4': 88, eastus: 3, 'edge-berlin-1': 95 },
  'eu-west-1': { 'us-central1': 105, 'europe-west4': 19.6, eastus: 82, 'edge-berlin-1': 30 },
  'us-central1': { 'europe-west4': 110, eastus: 30, 'edge-berlin-1': 118 },
  'europe-west4': { eastus: 88, 'edge-berlin-1': 12 },
  eastus: { 'edge-berlin-1': 95 }
}

export function syntheticFabric (nodes: number, seed: number): FabricSnapshot {
  const rng = createRng(seed)
  const list: NodeSnapshot[] = []
  for (let i = 0; i < nodes; i++) {
    const where = REGIONS[uniformInt(rng, 0, REGIONS.length - 1)] as typeof REGIONS[number]
    const cpu = [4, 8, 16][uniformInt(rng, 0, 2)] as number
    const gpus = rng.next() < 0.3 ? 1 : 0
    const spot = where.provider !== 'edge' && rng.next() < 0.4
    const used = rng.next() * 0.8
    list.push({
      id: `node-${i}`,
      region: where.region,
      geography: where.geography,
      provider: where.provider,
      arch: where.provider === 'edge' ? 'arm64' : 'amd64',
      labels: {},
      drivers: ['exec', 'container'],
      state: rng.next() < 0.02 ? 'dead' : 'alive',
      cordoned: rng.next() < 0.01,
      capacity: { cpuMillis: cpu * 1000, memoryBytes: cpu * 4 * GIB, gpus },
      allocated: { cpuMillis: Math.floor(cpu * 1000 * used), memoryBytes: Math.floor(cpu * 4 * GIB * used), gpus: 0 },
      replicas: used > 0.1 ? 1 : 0,
      pricePerHour: (where.provider === 'edge' ? 0.03 : 0.05 * cpu + gpus * 0.8) * (spot ? 0.4 : 1),
      spot,
      interruptionsPerDay: spot ? 0.3 : 0,
      failuresPerDay: 0.002
    })
  }
  return { nodes: list, latencyMs: LATENCY }
}

/** A mix of requests like the shipped scenarios': latency-bound inference, default APIs, cost-bound batch. */
export function syntheticRequests (count: number, seed: number): PlacementRequest[] {
  const rng = createRng(seed)
  const out: PlacementRequest[] = []
  for (let i = 0; i < count; i++) {
    const kind = i % 3
    out.push({
      workload: `w${i}`,
      replica: 0,
      resources: { cpuMillis: 1000 * uniformInt(rng, 1, 4), memoryBytes: 2 * GIB, gpus: kind === 0 && rng.next() < 0.5 ? 1 : 0 },
      driver: 'container',
      goal: kind === 0 ? 'latency' : kind === 1 ? 'default' : 'cost',
      constraints: kind === 0 ? { geographies: ['EU', 'US'] } : {},
      preferSpot: kind === 2,
      users: kind === 2 ? [] : [{ region: 'eu-west-1', weight: 0.6 }, { region: 'us-east-1', weight: 0.4 }],
      ...(kind === 0 ? { sloLatencyMs: 60 } : {})
    })
  }
  return out
}
