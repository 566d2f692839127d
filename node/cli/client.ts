import { request } from 'node:http'
import { HyperionError } from '../../protocol/errors.ts'
import { DaemonUnreachableError } from '../errors.ts'

/** An error the daemon answered with: its stable code, message and HTTP status. */
export class ApiResponseError extends HyperionError {
  readonly status: number

  constructor (status: number, code: string, message: string) {
    super(code, message)
    this.status = status
  }
}

/**
 * The CLI's only way to a running daemon: JSON over HTTP on the admin socket.
 */
export class AdminClient {
  private readonly socketPath: string
  private readonly dataDir: string

  constructor (socketPath: string, dataDir: string) {
    this.socketPath = socketPath
    this.dataDir = dataDir
  }

  /** `body` is sent as JSON; `raw` sends text as it is, with its own Content-Type (a YAML manifest). */
  async call<T> (method: string, path: string, body?: unknown, raw?: { text: string, contentType: string }): Promise<T> {
    const payload = raw?.text ?? (body === undefined ? undefined : JSON.stringify(body))
    const { status, text } = await new Promise<{ status: number, text: string }>((resolve, reject) => {
      const req = request({
        socketPath: this.socketPath,
        path,
        method,
        headers: payload == null ? {} : { 'content-type': raw?.contentType ?? 'application/json', 'content-length': Buffer.byteLength(payload) }
      }, res => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => { resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }) })
        res.on('error', reject)
      })
      req.setTimeout(30_000, () => { req.destroy(new Error('the daemon did not answer within 30 s')) })
      req.on('error', err => {
        const code = (err as NodeJS.ErrnoException).code
        if (code === 'ENOENT' || code === 'ECONNREFUSED') {
          reject(new DaemonUnreachableError(`no hyperion daemon is running on ${this.dataDir} (admin socket ${this.socketPath} ${code === 'ENOENT' ? 'does not exist' : 'refused the connection'}); start one with: hyperion start --data-dir ${this.dataDir}`))
        } else {
          reject(new DaemonUnreachableError(`cannot talk to the daemon on ${this.socketPath}: ${err.message}`, { cause: err }))
        }
      })
      if (payload != null) req.write(payload)
      req.end()
    })
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      throw new ApiResponseError(status, 'BAD_RESPONSE', `the daemon answered ${status} with a body that is not JSON`)
    }
    if (status >= 400) {
      const e = (parsed as { error?: { code?: string, message?: string } }).error
      throw new ApiResponseError(status, e?.code ?? 'ERROR', e?.message ?? `the daemon answered ${status}`)
    }
    return parsed as T
  }
}
