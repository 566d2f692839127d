import { EventEmitter } from 'node:events'

export interface FabricEvent {
  /** Increasing per daemon run: SSE clients resume with Last-Event-ID. */
  id: number
  /** ISO 8601 on this node's clock. */
  time: string
  /** Stable, dotted: `spot.interruption`, `member.joined`, … */
  type: string
  message: string
  data?: Record<string, unknown>
}

/**
 * Things that happened on or to this node, for `GET /v1/events` (SSE). A
 * bounded ring buffer, so a client that connects late still sees recent
 * history and a daemon that runs for months does not grow.
 */
export class EventLog {
  private readonly ring: FabricEvent[] = []
  private readonly capacity: number
  private readonly emitter = new EventEmitter()
  private nextId = 1
  private readonly now: () => number

  constructor (components: { now: () => number }, init: { capacity?: number } = {}) {
    this.now = components.now
    this.capacity = init.capacity ?? 1000
    this.emitter.setMaxListeners(0)
  }

  emit (type: string, message: string, data?: Record<string, unknown>): FabricEvent {
    const e: FabricEvent = { id: this.nextId++, time: new Date(this.now()).toISOString(), type, message, ...(data != null ? { data } : {}) }
    this.ring.push(e)
    if (this.ring.length > this.capacity) this.ring.shift()
    this.emitter.emit('event', e)
    return e
  }

  /** Events after `afterId` still in the buffer. */
  since (afterId = 0): FabricEvent[] {
    return this.ring.filter(e => e.id > afterId)
  }

  subscribe (fn: (e: FabricEvent) => void): () => void {
    this.emitter.on('event', fn)
    return () => { this.emitter.off('event', fn) }
  }
}
