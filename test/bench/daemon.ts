/**
 * What the daemon benchmarks share: the built `hyperion` they run (as users
 * run it: compiled JS with its shebang), and readings of a process from /proc.
 */
import { execFileSync } from 'node:child_process'
import { chmodSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { REPO } from '../utils/cli.ts'

/** Builds the package and returns the path of its `hyperion` bin. */
export function buildDaemon (): string {
  execFileSync('npm', ['run', 'build'], { cwd: REPO, stdio: 'ignore' })
  const bin = join(REPO, 'dist', 'node', 'cli', 'main.js')
  // npm sets the bit when it installs a bin; a plain build does not.
  chmodSync(bin, 0o755)
  return bin
}

/** Linux counts CPU time in clock ticks of 1/100 s. */
const CLK_TCK = 100

/** User + system CPU seconds a process has used so far. */
export function cpuSeconds (pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // Fields after the command name (which may hold spaces): utime and stime are the 14th and 15th overall.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(f[11]) + Number(f[12])) / CLK_TCK
}

export function rssBytes (pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024
}
