/**
 * A replica's status is the summary of its containers': the most urgent
 * state wins (a failing container makes the replica failed even while its
 * sidecar runs), restarts add up, and limits are enforced only if they are
 * for every container. The per-container detail stays in `containers`.
 */
import type { ReplicaState } from '../../protocol/state/entries.ts'
import type { LimitsReport } from './cgroups.ts'
import type { ContainerStatus } from './supervisor.ts'

export interface ReplicaStatus {
  readonly workload: string
  readonly index: number
  readonly generation?: number
  readonly state: ReplicaState
  readonly restarts: number
  readonly startedAt?: number
  readonly exitCode?: number
  readonly message?: string
  /** Known once every container has started at least once. */
  readonly limits?: LimitsReport
  readonly containers: Readonly<Record<string, ContainerStatus>>
}

/** First present wins. */
const URGENCY: readonly ReplicaState[] = ['failed', 'starting', 'pending', 'running', 'stopped', 'succeeded']

export function summarize (workload: string, index: number, generation: number | undefined, containers: Record<string, ContainerStatus>): ReplicaStatus {
  const all = Object.entries(containers)
  const state = URGENCY.find(s => all.some(([, c]) => c.state === s)) ?? 'pending'
  const lead = all.find(([, c]) => c.state === state)
  const message = lead === undefined || lead[1].message === undefined ? undefined : all.length > 1 ? `${lead[0]}: ${lead[1].message}` : lead[1].message
  const started = all.map(([, c]) => c.startedAt).filter(t => t !== undefined)
  const reports = all.map(([, c]) => c.limits)
  let limits: LimitsReport | undefined
  if (reports.length > 0 && reports.every(r => r !== undefined)) {
    limits = reports.find(r => !r.enforced) ?? reports[0]
  }
  const status: ReplicaStatus = {
    workload,
    index,
    generation,
    state,
    restarts: all.reduce((n, [, c]) => n + c.restarts, 0),
    startedAt: started.length === 0 ? undefined : Math.max(...started),
    exitCode: lead?.[1].exitCode,
    message,
    limits,
    containers: { ...containers }
  }
  return Object.fromEntries(Object.entries(status).filter(([, v]) => v !== undefined)) as unknown as ReplicaStatus
}
