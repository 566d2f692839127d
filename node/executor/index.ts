/**
 * The node executor: runs the replicas assigned to this node.
 *
 * - exec driver: a container without `image` is a process in its own process
 *   group, working directory `<dataDir>/replicas/<workload>-<index>/`, output
 *   in size-capped rotating files, limits through cgroup v2 where the node
 *   can and reported `{enforced: false, reason}` where it cannot;
 * - container driver: podman, docker or nerdctl, only if its `info` answers;
 * - Supervisor: restartPolicy with exponential backoff on an injected Clock.
 *
 * ```ts
 * const executor = new Executor({}, { dataDir, onStatus: s => store.writeStatus(s) })
 * await executor.start()
 * executor.drivers()            // ['exec'] or ['exec', 'podman']: the node's facts
 * await executor.ensure([{ workload: 'web', index: 0, spec: workload }])
 * for await (const chunk of executor.logs('web', 0, { follow: true, signal })) out.write(chunk.data)
 * await executor.stop()         // SIGTERM, grace, SIGKILL: no process left
 * ```
 */
export { Executor, replicaKey } from './executor.ts'
export type { ExecutorComponents, ExecutorInit, ReplicaAssignment } from './executor.ts'
export type { ReplicaStatus } from './summary.ts'
export { summarize } from './summary.ts'
export { Supervisor, restartDelay, shouldRestart } from './supervisor.ts'
export type { ContainerStatus, RestartPolicy, SupervisorComponents, SupervisorInit } from './supervisor.ts'
export { ExecDriver, replicaDir, containerLogDir } from './exec-driver.ts'
export type { Driver, RunRequest, ExecDriverComponents, ExecDriverInit } from './exec-driver.ts'
export { ContainerDriver, detectContainerRuntimes, runArgs, containerName, CONTAINER_RUNTIMES } from './container-driver.ts'
export type { ContainerRuntime, ContainerRuntimeName, DetectOptions, ContainerDriverInit } from './container-driver.ts'
export { Cgroups, wrapCommand } from './cgroups.ts'
export type { CgroupsInit, CgroupSupport, LimitsReport, ReplicaCgroup } from './cgroups.ts'
export { spawnLogged, killGroup } from './process-run.ts'
export type { ExitInfo, ProcessRun, SpawnLoggedOptions } from './process-run.ts'
export { RotatingLog, logFiles, DEFAULT_LOG_MAX_BYTES, DEFAULT_LOG_MAX_FILES } from './rotating-log.ts'
export type { RotatingLogInit } from './rotating-log.ts'
export { readLogs } from './log-reader.ts'
export type { LogChunk, LogStream, ReadLogsOptions } from './log-reader.ts'
export { ReplicaSpecError, SpawnError, ReplicaNotFoundError, ExecutorNotRunningError, EXECUTOR_ERROR_CODES } from './errors.ts'
