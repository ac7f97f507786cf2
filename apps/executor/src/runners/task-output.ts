import { redactText, secretFragments, toStorableText } from '@kairos/contracts';
import { TailBuffer } from './runner.port';

/**
 * Output as it may be stored and shown: the last `maxBytes` bytes, every secret value of the spec
 * scrubbed (redactText), and storable (no NUL: PostgreSQL text refuses it).
 *
 * The tail buffer keeps `longest secret` bytes more than it shows: a secret cut by the start of
 * the window cannot be recognised, so once output was truncated those first bytes are dropped after
 * redaction and only whole (hence scrubbed) secrets remain.
 */
export class RedactingTail {
  private readonly tail: TailBuffer;
  private readonly margin: number;

  constructor(
    private readonly maxBytes: number,
    private readonly secrets: readonly string[],
  ) {
    // The longest form redactText looks for (URL-encoding can make a fragment longer than its secret).
    this.margin = Math.max(0, ...secrets.flatMap(secretFragments).map((f) => Buffer.byteLength(f, 'utf8')));
    this.tail = new TailBuffer(maxBytes + this.margin);
  }

  push(chunk: Buffer): void {
    this.tail.push(chunk);
  }

  toString(): string {
    let text = this.tail.toString();
    if (this.secrets.length) {
      text = redactText(text, this.secrets);
      if (this.tail.truncated && this.margin > 0) text = Buffer.from(text, 'utf8').subarray(this.margin - 1).toString('utf8');
    }
    const bytes = Buffer.from(text, 'utf8');
    if (bytes.length > this.maxBytes) text = bytes.subarray(bytes.length - this.maxBytes).toString('utf8');
    return toStorableText(text);
  }
}

/** For error messages that may quote the spec (a program name, a URL). */
export function scrubMessage(message: string, secrets: readonly string[]): string {
  return toStorableText(redactText(message, secrets));
}
