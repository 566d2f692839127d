/**
 * Nodes of a simulated fabric, built from a scenario's node classes: the
 * full fleet for the Hyperion policies, or the seed's static deployment
 * (one region, one class, on-demand) for the control group.
 */
import type { Scenario, ScenarioNodeClass } from '../scenario.ts'
import type { FabricSnapshot, NodeSnapshot } from '../types.ts'
import { disruptionTrace, type Disruption } from './trace.ts'

const GIB = 1024 ** 3

export interface SimNode extends NodeSnapshot {
  cls: ScenarioNodeClass
  noticeSeconds: number
  /** Spot nodes under notice keep serving (and billing) until reclaimed. */
  draining: boolean
  /** Hours at which billing last advanced. */
  billedAt: number
  cost: number
  disruptions: Disruption[]
}

function makeNode (scenario: Scenario, cls: ScenarioNodeClass, index: number, staticFleet: boolean, seed: number): SimNode {
  const region = scenario.regions.find(r => r.name === cls.region)
  if (region === undefined) throw new Error(`node class ${cls.name} names unknown region ${cls.region}`)
  const id = `${staticFleet ? 'static-' : ''}${cls.name}-${index}`
  const spot = staticFleet ? false : cls.spot
  const effective: ScenarioNodeClass = staticFleet ? { ...cls, spot: false, interruptionsPerDay: 0 } : cls
  return {
    id,
    region: cls.region,
    geography: region.geography,
    provider: region.provider,
    arch: cls.arch,
    labels: { ...cls.labels, arch: cls.arch, nodeClass: cls.name },
    drivers: [...cls.drivers],
    state: 'alive',
    cordoned: false,
    capacity: { cpuMillis: cls.cpu * 1000, memoryBytes: cls.memoryGiB * GIB, gpus: cls.gpus },
    allocated: { cpuMillis: 0, memoryBytes: 0, gpus: 0 },
    replicas: 0,
    pricePerHour: staticFleet ? (cls.onDemandPricePerHour ?? cls.pricePerHour) : cls.pricePerHour,
    spot,
    interruptionsPerDay: spot ? cls.interruptionsPerDay : 0,
    failuresPerDay: cls.failuresPerDay,
    cls: effective,
    noticeSeconds: cls.noticeSeconds,
    draining: false,
    billedAt: 0,
    cost: 0,
    disruptions: disruptionTrace(scenario, effective, id, seed)
  }
}

export function buildFleet (scenario: Scenario, staticFleet: boolean, seed = scenario.seed): SimNode[] {
  const nodes: SimNode[] = []
  if (staticFleet) {
    const cls = scenario.nodeClasses.find(c => c.name === scenario.static.nodeClass)
    if (cls === undefined) throw new Error(`static.nodeClass ${scenario.static.nodeClass} is not a node class`)
    const n = scenario.static.count ?? cls.count
    for (let i = 0; i < n; i++) nodes.push(makeNode(scenario, cls, i, true, seed))
    return nodes
  }
  for (const cls of scenario.nodeClasses) {
    for (let i = 0; i < cls.count; i++) nodes.push(makeNode(scenario, cls, i, false, seed))
  }
  return nodes
}

export function fabricOf (scenario: Scenario, nodes: SimNode[]): FabricSnapshot {
  return { nodes, latencyMs: scenario.latencyMs }
}
