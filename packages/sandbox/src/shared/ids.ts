import type { Random } from './random';

const HEX = '0123456789ABCDEF';
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
let instances = 0;

export interface IdSource {
  /** Outbound message id, shaped like Meta's (`wamid.` + base64 of the recipient and a unique tail). */
  outboundWamid(waId: string): string;
  /** Id of a message the simulated user sends. */
  inboundWamid(waId: string): string;
  /** Numeric Graph object id (media, template), unique for this sandbox instance. */
  objectId(): string;
  fbtraceId(): string;
}

function hex(n: number, width: number): string {
  let out = '';
  for (let i = 0; i < width; i++) {
    out = HEX[n % 16] + out;
    n = Math.floor(n / 16);
  }
  return out;
}

/**
 * wamids must stay unique across sandbox restarts (the server keys deliveries on them), so the tail mixes an
 * instance tag taken from the start time, the seed and a per-process counter with a running sequence.
 */
export function createIdSource(startMs: number, seed: number, random: Random): IdSource {
  instances += 1;
  const tag = hex(Math.abs(Math.floor(startMs / 1000) * 31 + seed * 7 + instances) % 0x1000000, 6);
  let seq = 0;
  let objectSeq = 0;
  const objectBase = 100_000_000_000_000 + (Math.floor(startMs / 1000) % 1_000_000) * 1_000_000_000;
  const wamid = (waId: string, marker: number): string => {
    seq += 1;
    const tail = tag + hex(seq, 12);
    const bytes = Buffer.allocUnsafe(waId.length + tail.length + 10);
    let o = 0;
    bytes[o++] = 0x1c;
    bytes[o++] = 0x18;
    bytes[o++] = waId.length;
    o += bytes.write(waId, o, 'latin1');
    bytes[o++] = 0x15;
    bytes[o++] = 0x02;
    bytes[o++] = 0x00;
    bytes[o++] = marker;
    bytes[o++] = 0x18;
    bytes[o++] = tail.length;
    o += bytes.write(tail, o, 'latin1');
    bytes[o++] = 0x00;
    return 'wamid.' + bytes.subarray(0, o).toString('base64');
  };
  return {
    outboundWamid: (waId) => wamid(waId, 0x11),
    inboundWamid: (waId) => wamid(waId, 0x12),
    objectId() {
      objectSeq += 1;
      return String(objectBase + objectSeq);
    },
    fbtraceId() {
      let out = 'A';
      for (let i = 0; i < 22; i++) out += B64[random.int(64)];
      return out;
    },
  };
}
