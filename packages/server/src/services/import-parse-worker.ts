import { parentPort } from 'node:worker_threads';
import { parsePiece, type ImportKind } from './import-parse';

/** Worker thread body of an NDJSON import: parses the pieces it is sent, in order, one at a time. */
parentPort?.on('message', (m: { kind: ImportKind; bytes: Uint8Array; now: number }) => {
  const piece = parsePiece(m.kind, Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength).toString('utf8'), m.now);
  parentPort!.postMessage(piece, piece.events ? [piece.events.at.buffer as ArrayBuffer, piece.events.lengths.buffer as ArrayBuffer] : []);
});
