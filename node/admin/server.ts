import { chmodSync, unlinkSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Logger } from 'pino'
import { HyperionError } from '../../protocol/errors.ts'
import { ApiError, statusFor } from './errors.ts'

export interface Request {
  method: string
  path: string
  params: Record<string, string>
  query: URLSearchParams
  /** The parsed JSON body, or undefined when there was none (or the route takes it raw). */
  body: unknown
  /** For routes with `raw`: the body as text (size-limited, not parsed) and its Content-Type. */
  text?: string
  contentType?: string
}

/** One Server-Sent Event. */
export interface SseMessage { id: number, event: string, data: unknown }

/**
 * A handler answers with a JSON body, or with an event stream: `sse` is
 * called with a `send` function and returns what to do when the client
 * goes away.
 */
export type Handler = (req: Request) => Promise<{ status?: number, body: unknown } | { sse: (send: (m: SseMessage) => void) => () => void }>

export interface Route {
  method: string
  /** `/v1/nodes/:id/cordon` style: `:name` segments become params. */
  path: string
  handler: Handler
  /** The handler parses the body itself (e.g. YAML): it gets `text`, any Content-Type. */
  raw?: boolean
}

export interface AdminServerInit {
  socketPath: string
  routes: Route[]
  /** @default 1_048_576 */
  maxBodyBytes?: number
}

/** Unix sockets carry a path limit of 108 bytes including the NUL on Linux. */
export const MAX_SOCKET_PATH_BYTES = 107

/**
 * HTTP/1.1 + JSON on a Unix socket (SPEC "Admin socket"). Its guarantees:
 * every failure has the shape `{"error": {"code", "message"}}`; a request
 * that fails validation changes nothing (handlers validate before they act);
 * no request, however malformed or large, takes the daemon down.
 */
export class AdminServer {
  private readonly init: AdminServerInit
  private readonly logger: Logger
  private readonly server: Server
  private readonly compiled: Array<{ method: string, parts: string[], handler: Handler, raw: boolean }>

  constructor (components: { logger: Logger }, init: AdminServerInit) {
    this.init = init
    this.logger = components.logger
    this.compiled = init.routes.map(r => ({ method: r.method, parts: r.path.split('/').filter(Boolean), handler: r.handler, raw: r.raw === true }))
    this.server = createServer((req, res) => { void this.handle(req, res) })
    // SSE and log-follow requests stay open: don't let the server time them out.
    this.server.requestTimeout = 0
  }

  async start (): Promise<void> {
    const { socketPath } = this.init
    if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH_BYTES) {
      throw new HyperionError('SOCKET_PATH_TOO_LONG', `admin socket path is ${Buffer.byteLength(socketPath)} bytes, over the ${MAX_SOCKET_PATH_BYTES}-byte limit of Unix sockets: pass a shorter --admin-socket or --data-dir (${socketPath})`)
    }
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(socketPath, () => { this.server.off('error', reject); resolve() })
    })
    // Anyone who can talk to the socket controls the node: owner only.
    chmodSync(socketPath, 0o600)
  }

  async stop (): Promise<void> {
    this.server.closeAllConnections()
    await new Promise<void>(resolve => { this.server.close(() => { resolve() }) })
    try { unlinkSync(this.init.socketPath) } catch {}
  }

  private match (method: string, path: string): { handler?: Handler, raw?: boolean, params: Record<string, string>, allowed: string[] } {
    const parts = path.split('/').filter(Boolean)
    const allowed: string[] = []
    for (const r of this.compiled) {
      if (r.parts.length !== parts.length) continue
      const params: Record<string, string> = {}
      const ok = r.parts.every((p, i) => {
        const actual = parts[i] as string
        if (p.startsWith(':')) { params[p.slice(1)] = decodeURIComponent(actual); return true }
        return p === actual
      })
      if (!ok) continue
      if (r.method === method) return { handler: r.handler, raw: r.raw, params, allowed }
      allowed.push(r.method)
    }
    return { params: {}, allowed }
  }

  private async handle (req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now()
    const method = req.method ?? 'GET'
    const url = new URL(req.url ?? '/', 'http://admin')
    try {
      const { handler, raw, params, allowed } = this.match(method, url.pathname)
      if (handler == null) {
        if (allowed.length > 0) {
          res.setHeader('Allow', allowed.join(', '))
          throw new ApiError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on ${url.pathname}; use ${allowed.join(' or ')}`)
        }
        throw new ApiError(404, 'NOT_FOUND', `no such endpoint: ${method} ${url.pathname}`)
      }
      const text = await this.readText(req)
      const contentType = req.headers['content-type']
      const input = raw === true
        ? { body: undefined, ...(text !== undefined ? { text } : {}), ...(contentType !== undefined ? { contentType } : {}) }
        : { body: this.parseJson(text, contentType) }
      const out = await handler({ method, path: url.pathname, params, query: url.searchParams, ...input })
      if ('sse' in out) {
        this.stream(req, res, out.sse)
        return
      }
      this.send(res, out.status ?? 200, out.body)
    } catch (err) {
      this.fail(req, res, err)
    } finally {
      this.logger.debug({ method, path: url.pathname, status: res.statusCode, ms: Math.round(performance.now() - started) }, 'admin request')
    }
  }

  /** The body as text, refused above `maxBodyBytes` before it is buffered whole. */
  private async readText (req: IncomingMessage): Promise<string | undefined> {
    const max = this.init.maxBodyBytes ?? 1_048_576
    const declared = Number(req.headers['content-length'] ?? 0)
    if (declared > max) throw new ApiError(413, 'BODY_TOO_LARGE', `request body of ${declared} bytes exceeds the ${max}-byte limit`)
    const chunks: Buffer[] = []
    let size = 0
    for await (const chunk of req) {
      size += (chunk as Buffer).length
      if (size > max) throw new ApiError(413, 'BODY_TOO_LARGE', `request body exceeds the ${max}-byte limit`)
      chunks.push(chunk as Buffer)
    }
    if (size === 0) return undefined
    return Buffer.concat(chunks).toString('utf8')
  }

  private parseJson (text: string | undefined, contentType: string | undefined): unknown {
    if (text === undefined) return undefined
    const type = String(contentType ?? 'application/json')
    if (!type.includes('json')) throw new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', `content-type ${type} is not accepted here; send application/json`)
    try {
      return JSON.parse(text)
    } catch (err) {
      throw new ApiError(400, 'INVALID_JSON', `request body is not valid JSON: ${(err as Error).message}`)
    }
  }

  private send (res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body)
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
    res.end(text)
  }

  private stream (req: IncomingMessage, res: ServerResponse, sse: (send: (m: SseMessage) => void) => () => void): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' })
    res.write(': hyperion events\n\n')
    const cleanup = sse(m => { res.write(`id: ${m.id}\nevent: ${m.event}\ndata: ${JSON.stringify(m.data)}\n\n`) })
    // A comment line now and then keeps proxies and idle timeouts from closing a quiet stream.
    const keepAlive = setInterval(() => { res.write(': keep-alive\n\n') }, 15_000)
    keepAlive.unref()
    req.on('close', () => { clearInterval(keepAlive); cleanup() })
  }

  private fail (req: IncomingMessage, res: ServerResponse, err: unknown): void {
    const known = err instanceof HyperionError
    const status = known ? statusFor(err) : 500
    if (!known) this.logger.error({ err }, 'admin request failed')
    if (res.headersSent) { res.destroy(); return }
    // After a refused oversized body, close rather than drain what the client still sends.
    if (status === 413) {
      res.setHeader('connection', 'close')
      res.once('finish', () => { req.socket.destroy() })
    }
    this.send(res, status, { error: { code: known ? err.code : 'INTERNAL', message: known ? err.message : 'internal error; see the daemon log' } })
  }
}
