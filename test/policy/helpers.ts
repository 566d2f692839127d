/** Small fabrics and requests for the policy tests. */
import type { FabricSnapshot, NodeSnapshot, PlacementRequest } from '../../policy/types.ts'

const GIB = 1024 ** 3

export function node (id: string, over: Partial<NodeSnapshot> = {}): NodeSnapshot {
  return {
    id,
    region: 'us-east-1',
    geography: 'US',
    provider: 'aws',
    arch: 'amd64',
    labels: {},
    drivers: ['exec', 'container'],
    state: 'alive',
    cordoned: false,
    capacity: { cpuMillis: 8000, memoryBytes: 32 * GIB, gpus: 1 },
    allocated: { cpuMillis: 0, memoryBytes: 0, gpus: 0 },
    replicas: 0,
    pricePerHour: 1,
    spot: false,
    interruptionsPerDay: 0,
    failuresPerDay: 0,
    ...over
  }
}

export function request (over: Partial<PlacementRequest> = {}): PlacementRequest {
  return {
    workload: 'w',
    replica: 0,
    resources: { cpuMillis: 1000, memoryBytes: 2 * GIB, gpus: 0 },
    driver: 'container',
    goal: 'default',
    constraints: {},
    preferSpot: false,
    users: [],
    ...over
  }
}

export const LATENCY: FabricSnapshot['latencyMs'] = {
  'us-east-1': { 'eu-west-1': 80, 'edge-berlin-1': 95 },
  'eu-west-1': { 'edge-berlin-1': 30 }
}

export function fabric (nodes: NodeSnapshot[]): FabricSnapshot {
  return { nodes, latencyMs: LATENCY }
}
