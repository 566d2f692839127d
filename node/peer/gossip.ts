import { TopicValidatorResult, type GossipSub, type Message } from '@libp2p/gossipsub'
import type { PeerId } from '@libp2p/interface'
import type { Logger } from 'pino'
import type { Clock } from '../../protocol/clock.ts'
import type { MemberRegistry } from './members.ts'

export interface TopicSpec<T> {
  topic: string
  /** Throws on a malformed message; the thrown message is logged as the reason. */
  decode: (data: Uint8Array) => T
  /**
   * Extra checks on a decoded message from a signed author. Returning a
   * string rejects the message with that reason. Runs before `onMessage`.
   */
  check?: (value: T, from: PeerId) => Promise<string | undefined>
  onMessage: (value: T, from: PeerId) => void
  /** Told the reason of every rejection, for metrics. */
  onReject?: (reason: string) => void
  /**
   * Whether the author must already be a known member. Off only for the
   * topic on which members prove themselves.
   * @default true
   */
  authorMustBeMember?: boolean
}

/**
 * Gossipsub as the fabric uses it: every message must be signed (StrictSign),
 * relayed by a member, authored by a member, and decode under the topic's
 * strict codec. Messages from peers not (yet) proven members are dropped;
 * malformed or contradictory ones from members are Rejected, which costs the
 * relaying peer score. (A validator that throws only counts as Ignore, so
 * nothing here throws.)
 */
export class GossipBus {
  private readonly pubsub: GossipSub
  private readonly members: MemberRegistry
  private readonly clock: Clock
  private readonly logger: Logger
  private readonly specs = new Map<string, TopicSpec<unknown>>()
  private readonly decoded = new Map<string, unknown>()
  private readonly onMessage = (evt: CustomEvent<Message>): void => { this.deliver(evt.detail) }

  constructor (components: { pubsub: GossipSub, members: MemberRegistry, clock: Clock, logger: Logger }) {
    this.pubsub = components.pubsub
    this.members = components.members
    this.clock = components.clock
    this.logger = components.logger
    this.pubsub.addEventListener('message', this.onMessage)
  }

  register<T> (spec: TopicSpec<T>): void {
    this.specs.set(spec.topic, spec as TopicSpec<unknown>)
    this.pubsub.topicValidators.set(spec.topic, async (peer, msg) => this.validate(spec as TopicSpec<unknown>, peer, msg))
    this.pubsub.subscribe(spec.topic)
  }

  async publish (topic: string, data: Uint8Array): Promise<number> {
    const result = await this.pubsub.publish(topic, data)
    return result.recipients.length
  }

  stop (): void {
    this.pubsub.removeEventListener('message', this.onMessage)
    for (const topic of this.specs.keys()) {
      this.pubsub.topicValidators.delete(topic)
      this.pubsub.unsubscribe(topic)
    }
  }

  private async validate (spec: TopicSpec<unknown>, source: PeerId, msg: Message): Promise<TopicValidatorResult> {
    const reject = (reason: string): TopicValidatorResult => {
      this.logger.warn({ topic: spec.topic, source: source.toString(), reason }, 'gossip message rejected')
      spec.onReject?.(reason)
      return TopicValidatorResult.Reject
    }
    // Membership is proved beside gossip (hello, join, announce), so a
    // message can overtake its author's or relay's proof by a few ms. Drop
    // it unpunished (Ignore): an outsider gains nothing, since it is
    // disconnected when its proving window ends, and a member is not
    // penalised for a race.
    const ignore = (reason: string): TopicValidatorResult => {
      this.logger.debug({ topic: spec.topic, source: source.toString(), reason }, 'gossip message dropped')
      spec.onReject?.(reason)
      return TopicValidatorResult.Ignore
    }
    const now = this.clock.now()
    if (!this.members.isMember(source.toString(), now)) return ignore('relayed by a peer that is not a member')
    if (msg.type !== 'signed') return reject('unsigned message')
    if ((spec.authorMustBeMember ?? true) && !this.members.isMember(msg.from.toString(), now)) return ignore('author is not a member')
    let value: unknown
    try {
      value = spec.decode(msg.data)
    } catch (err) {
      return reject(`malformed: ${(err as Error).message}`)
    }
    const problem = await spec.check?.(value, msg.from)
    if (problem != null) return reject(problem)
    this.decoded.set(msgKey(msg), value)
    return TopicValidatorResult.Accept
  }

  private deliver (msg: Message): void {
    const spec = this.specs.get(msg.topic)
    if (spec == null || msg.type !== 'signed') return
    const key = msgKey(msg)
    // Validation already decoded it; decode again only if that was another instance.
    const value = this.decoded.has(key) ? this.decoded.get(key) : spec.decode(msg.data)
    this.decoded.delete(key)
    try {
      spec.onMessage(value, msg.from)
    } catch (err) {
      this.logger.error({ topic: msg.topic, err }, 'gossip handler failed')
    }
  }
}

function msgKey (msg: Message & { type: 'signed' }): string {
  return `${msg.from.toString()}/${msg.sequenceNumber}`
}
