/**
 * A growable byte buffer for the fabric's compact binary messages: unsigned
 * varints (LEB128, up to 2^53-1 so they round-trip through JS numbers),
 * length-prefixed byte strings and UTF-8 strings, fixed-width bytes.
 * The matching `Reader` enforces limits on every field it reads back.
 */
export class Writer {
  private buf: Uint8Array
  private len = 0

  constructor (initialSize = 256) {
    this.buf = new Uint8Array(initialSize)
  }

  private reserve (n: number): void {
    if (this.len + n <= this.buf.length) return
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n))
    next.set(this.buf.subarray(0, this.len))
    this.buf = next
  }

  u8 (value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xff) throw new RangeError(`u8 out of range: ${value}`)
    this.reserve(1)
    this.buf[this.len++] = value
    return this
  }

  varint (value: number): this {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`varint out of range: ${value}`)
    this.reserve(8)
    let v = value
    while (v >= 0x80) {
      this.buf[this.len++] = (v % 0x80) | 0x80
      v = Math.floor(v / 0x80)
    }
    this.buf[this.len++] = v
    return this
  }

  bool (value: boolean): this {
    return this.u8(value ? 1 : 0)
  }

  /** Fixed-width bytes: the reader must know the width. */
  fixed (bytes: Uint8Array): this {
    this.reserve(bytes.length)
    this.buf.set(bytes, this.len)
    this.len += bytes.length
    return this
  }

  bytes (bytes: Uint8Array): this {
    this.varint(bytes.length)
    return this.fixed(bytes)
  }

  string (value: string): this {
    return this.bytes(new TextEncoder().encode(value))
  }

  finish (): Uint8Array {
    return this.buf.slice(0, this.len)
  }
}
