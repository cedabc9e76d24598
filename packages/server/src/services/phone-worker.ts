import { parentPort } from 'node:worker_threads';
import { normalisePhones } from './phone-batch';

/** Worker thread body of the phone normaliser pool: core's normalisePhone over a batch, one at a time. */
parentPort?.on('message', (raw: string[]) => parentPort!.postMessage(normalisePhones(raw)));
