import { parentPort } from 'node:worker_threads';
import { parsePiece, type ImportKind } from './import-parse';

/**
 * Worker thread body of an NDJSON import: parses the pieces it is sent, in order, one at a time. It says
 * 'ready' once loaded: until then the importing thread parses pieces itself instead of waiting.
 */
parentPort?.on('message', (m: { kind: ImportKind; bytes: Uint8Array; now: number }) => {
  const piece = parsePiece(m.kind, Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength).toString('utf8'), m.now);
  const e = piece.events;
  parentPort!.postMessage(piece, e ? [e.at.buffer as ArrayBuffer, e.lengths.buffer as ArrayBuffer, e.starts.buffer as ArrayBuffer] : []);
});
parentPort?.postMessage('ready');
