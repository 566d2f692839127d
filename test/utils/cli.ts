import { spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const MAIN = join(REPO, 'node', 'cli', 'main.ts')

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs `hyperion ARGS` as a separate process, the way a user does, and collects its output. */
export async function hyperion (args: string[], opts: { env?: NodeJS.ProcessEnv, input?: string, timeoutMs?: number } = {}): Promise<CliResult> {
  return await new Promise((resolve, reject) => {
    // Cloud metadata probes stay off: tests send nothing beyond loopback.
    const child = spawn(process.execPath, [MAIN, ...args], { env: { ...process.env, HYPERION_CLOUD_METADATA: 'off', ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`hyperion ${args.join(' ')} did not finish in ${opts.timeoutMs ?? 15_000} ms`)) }, opts.timeoutMs ?? 15_000)
    child.on('error', reject)
    child.on('close', code => { clearTimeout(timer); resolve({ code, stdout, stderr }) })
    child.stdin.end(opts.input ?? '')
  })
}

/** `hyperion ARGS --json`, parsed; fails the test with the command's stderr if it did not exit 0. */
export async function hyperionJson<T> (args: string[]): Promise<T> {
  const r = await hyperion([...args, '--json'])
  if (r.code !== 0) throw new Error(`hyperion ${args.join(' ')} exited ${r.code}: ${r.stderr}`)
  return JSON.parse(r.stdout) as T
}
