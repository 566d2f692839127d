import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { validateManifest } from '../../../protocol/manifest/index.ts'
import type { Workload } from '../../../protocol/manifest/index.ts'
import type { LogChunk } from '../../../node/executor/index.ts'

export const FIXTURES = join(import.meta.dirname, '../../../fixtures/workloads')
export const ECHO_LOOP = join(FIXTURES, 'echo-loop.mjs')
export const EXIT_WITH = join(FIXTURES, 'exit-with.mjs')

export interface ContainerInput {
  name?: string
  command?: string[]
  args?: string[]
  image?: string
  env?: Array<{ name: string, value: string }>
  resources?: { limits: Record<string, string> }
}

export function workload (name: string, containers: ContainerInput[], restartPolicy = 'Always'): Workload {
  return validateManifest({
    apiVersion: 'hyperion.io/v1alpha1',
    kind: 'HyperionWorkload',
    metadata: { name },
    spec: {
      restartPolicy,
      template: { spec: { containers: containers.map((c, i) => ({ name: c.name ?? `c${i}`, ...c })) } }
    }
  })
}

/** An echo-loop container run with this node. */
export function echoLoop (flags: string[] = [], extra: ContainerInput = {}): ContainerInput {
  return { command: [process.execPath, ECHO_LOOP], args: flags, ...extra }
}

export function alive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Pids in process group `pgid`, zombies excluded. */
export function groupMembers (pgid: number): number[] {
  try {
    return execFileSync('pgrep', ['-g', String(pgid)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number)
      .filter(pid => !isZombie(pid))
  } catch {
    return []
  }
}

function isZombie (pid: number): boolean {
  try {
    return execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).trim().startsWith('Z')
  } catch {
    return true
  }
}

export async function waitFor (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 25))
  }
}

export async function collect (chunks: AsyncIterable<LogChunk>, stream?: 'stdout' | 'stderr'): Promise<string> {
  let text = ''
  for await (const chunk of chunks) if (stream === undefined || chunk.stream === stream) text += chunk.data.toString()
  return text
}

const scratchDirs = new Set<string>()

/** A temp dir removed by `removeScratch` (register it with `after`). */
export function scratch (prefix = 'hyp-exec-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  scratchDirs.add(dir)
  return dir
}

export function removeScratch (): void {
  for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true })
  scratchDirs.clear()
}
