/**
 * A local HTTP server on 127.0.0.1 and an ephemeral port that stands in for a
 * cloud metadata service: a test gives a handler that answers from recorded
 * fixtures, and reads back the requests it got.
 */
import { createServer } from 'node:http'
import type { IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export interface Answer {
  status: number
  headers?: Record<string, string>
  body?: string
}

/** 'hang' keeps the request open until the server closes: a service that never answers. */
export type Handler = (req: IncomingMessage) => Answer | 'hang'

export interface MetadataServer {
  url: string
  requests: Array<{ method: string, path: string, headers: IncomingMessage['headers'] }>
  handler: Handler
  close: () => Promise<void>
}

export async function startMetadataServer (handler: Handler): Promise<MetadataServer> {
  const requests: MetadataServer['requests'] = []
  const state: MetadataServer = { url: '', requests, handler, close: async () => {} }
  const server = createServer((req, res) => {
    req.resume()
    requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers })
    const answer = state.handler(req)
    if (answer === 'hang') return
    res.writeHead(answer.status, answer.headers)
    res.end(answer.body ?? '')
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  state.close = async () => {
    server.closeAllConnections()
    await new Promise<void>(resolve => server.close(() => resolve()))
  }
  return state
}

/** A base URL on which nothing listens: connecting is refused at once. */
export async function closedPortUrl (): Promise<string> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  await new Promise<void>(resolve => server.close(() => resolve()))
  return `http://127.0.0.1:${port}`
}

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/hardware')

export function fixture (...parts: string[]): string {
  return readFileSync(join(fixtures, ...parts), 'utf8')
}

export function fixturePath (...parts: string[]): string {
  return join(fixtures, ...parts)
}
