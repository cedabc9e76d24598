import { parentPort } from 'node:worker_threads';
import { normalisePhone } from '@wareach/core';

/** Worker thread body of the phone normaliser pool: core's normalisePhone over a batch. */
parentPort?.on('message', (m: { id: number; raw: string[] }) => {
  const out = m.raw.map((r) => {
    const x = normalisePhone(r);
    return x.ok ? ([true, x.value] as const) : ([false, x.error] as const);
  });
  parentPort!.postMessage({ id: m.id, out });
});
