import { MalformedMessageError } from './errors.ts'

/**
 * Reads what `Writer` wrote, refusing anything out of bounds: every variable
 * length field has a maximum, every read names the field it was reading, and
 * `end()` refuses trailing bytes so two encodings of one value cannot exist.
 */
export class Reader {
  private pos = 0
  private readonly buf: Uint8Array
  private readonly what: string

  /** @param what names the message in errors, e.g. "membership certificate" */
  constructor (buf: Uint8Array, what: string) {
    this.buf = buf
    this.what = what
  }

  private fail (field: string, problem: string): never {
    throw new MalformedMessageError(`${this.what}: ${field}: ${problem}`)
  }

  private need (n: number, field: string): void {
    if (this.pos + n > this.buf.length) this.fail(field, `truncated (need ${n} bytes at offset ${this.pos}, have ${this.buf.length - this.pos})`)
  }

  u8 (field: string): number {
    this.need(1, field)
    return this.buf[this.pos++] as number
  }

  varint (field: string, max = Number.MAX_SAFE_INTEGER): number {
    let value = 0
    let scale = 1
    for (let i = 0; i < 8; i++) {
      this.need(1, field)
      const b = this.buf[this.pos++] as number
      value += (b & 0x7f) * scale
      if ((b & 0x80) === 0) {
        // A trailing zero byte would give the same number a second encoding.
        if (b === 0 && i > 0) this.fail(field, 'non-minimal varint')
        if (value > max) this.fail(field, `${value} exceeds the maximum ${max}`)
        return value
      }
      scale *= 0x80
    }
    return this.fail(field, 'varint longer than 8 bytes')
  }

  bool (field: string): boolean {
    const v = this.u8(field)
    if (v > 1) this.fail(field, `boolean must be 0 or 1, got ${v}`)
    return v === 1
  }

  fixed (field: string, length: number): Uint8Array {
    this.need(length, field)
    const out = this.buf.slice(this.pos, this.pos + length)
    this.pos += length
    return out
  }

  bytes (field: string, maxLength: number): Uint8Array {
    const length = this.varint(field)
    if (length > maxLength) this.fail(field, `length ${length} exceeds the maximum ${maxLength}`)
    return this.fixed(field, length)
  }

  string (field: string, maxLength: number): string {
    const raw = this.bytes(field, maxLength)
    try {
      // ignoreBOM: a leading U+FEFF is content, not a marker to strip; else two
      // byte strings would decode to one value.
      return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(raw)
    } catch {
      return this.fail(field, 'not valid UTF-8')
    }
  }

  /** Bytes consumed so far: lets a signature cover exactly the signed prefix. */
  get offset (): number {
    return this.pos
  }

  end (): void {
    if (this.pos !== this.buf.length) this.fail('end', `${this.buf.length - this.pos} unexpected trailing bytes`)
  }
}
