/**
 * PEM blocks read the way Go's encoding/pem.Decode reads them, because
 * containers/image compares what it decodes: text before a block is
 * skipped, `rest` is whatever follows the END line (so "PEM with trailing
 * data" can be told apart), and the body is standard base64 with
 * whitespace ignored.
 */
export interface PemBlock {
  readonly type: string;
  readonly bytes: Uint8Array;
  /** The text after the block's END line (its line ending consumed). */
  readonly rest: string;
}

const BLOCK = /(?:^|\n)-----BEGIN ([^\n-]*(?:-[^\n-]+)*)-----[ \t]*\r?\n([\s\S]*?)(?:^|\n)-----END \1-----[ \t]*(?:\r?\n|$)/;
const BODY = /^[A-Za-z0-9+/=\s]*$/;

/** The first well-formed PEM block in `text`, or undefined (Go: a nil block). Headers are not supported, as keys and certificates have none. */
export function decodePem(text: string): PemBlock | undefined {
  let remaining = text;
  for (;;) {
    const match = BLOCK.exec(remaining);
    if (match === null) return undefined;
    const [whole, type = '', body = ''] = match;
    const compact = body.replace(/\s+/g, '');
    const end = match.index + whole.length;
    if (BODY.test(body) && !body.includes(':') && /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(compact)) {
      return { type, bytes: new Uint8Array(Buffer.from(compact, 'base64')), rest: remaining.slice(end) };
    }
    // Go retries after a malformed block's BEGIN line.
    remaining = remaining.slice(match.index + 1);
  }
}

/** Every PEM block of `text` in order; Go's loop over pem.Decode after trimming surrounding whitespace. Undefined if some text is not PEM. */
export function decodeAllPem(text: string): PemBlock[] | undefined {
  const blocks: PemBlock[] = [];
  let remaining = text.trim();
  while (remaining.length > 0) {
    const block = decodePem(remaining);
    if (block === undefined) return undefined;
    blocks.push(block);
    remaining = block.rest.trim();
  }
  return blocks;
}

/** Every block of `text` with type `type`, skipping others (Go's CertPool.AppendCertsFromPEM loop). */
export function collectPem(text: string, type: string): Uint8Array[] {
  const blocks: Uint8Array[] = [];
  let remaining = text;
  for (let block = decodePem(remaining); block !== undefined; block = decodePem(remaining)) {
    if (block.type === type) blocks.push(block.bytes);
    remaining = block.rest;
  }
  return blocks;
}
