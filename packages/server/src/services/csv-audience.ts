import type { Readable } from 'node:stream';
import { parse, type CsvError } from 'csv-parse';
import type { CsvStore } from '../adapters/storage/csv-store';
import { memberSetKey, type SegmentStore } from '../adapters/storage/segment-store';
import type { AuditLog } from './audit';
import { conflict, validationError } from './errors';
import { normalisePhones, type NormalisedPhones } from './phone-batch';
import type { Actor, Clock, IdSource } from './ports';

export interface CsvSummary {
  /** Data lines read (the header and blank lines excluded). */
  lines: number;
  /** Distinct numbers now in the segment. */
  accepted: number;
  /** Lines repeating a number already accepted (merged into it). */
  duplicates: number;
  refused: number;
  /** The first refused lines with the reason (`refused` counts them all). */
  errors: { line: number; message: string }[];
}

/** Normalises a batch of raw numbers to E.164, or says why not (core's `normalisePhone`). */
export type PhoneNormaliser = (raw: readonly string[]) => Promise<NormalisedPhones>;
export const inlinePhoneNormaliser: PhoneNormaliser = async (raw) => normalisePhones(raw);

/** The downloadable template: the header and nothing else, so an upload of it as is adds nobody. */
export const CSV_TEMPLATE = 'phone,id\n';
export const CSV_COLUMNS_HELP =
  'The first line names the columns: `phone` (required: WhatsApp numbers with + or 00 and the country code) and optionally `id` (the one-ID of an existing profile).';

/**
 * Lines per batch. Small on purpose: what a batch holds (its phone fields, the worker's copy of them and
 * its answer) lives until the batch is written, so larger batches keep more memory for no gain: a
 * million-line upload peaked ~20 MB higher at 5,000 lines a batch, in the same time.
 */
const BATCH = 1000;
/** Batches read and not yet written (bounds memory): enough that the worker has its next one while one is written. */
const AHEAD = 4;
/** Refused lines reported in detail (the first ones in the file); `refused` counts them all. */
const MAX_REPORTED = 1000;
const PHONE_COLUMNS = new Set(['phone', 'whatsapp']);
/** Identity types that are not the channel's target ID type: a file of them is refused by name. */
const OTHER_ID_TYPES = new Set(['email', 'external_id', 'user_id', 'one_id', 'openid', 'unionid', 'line', 'wechat']);
const STAGING_TTL_MS = 24 * 3_600_000;

/** Lines read and waiting to be normalised: the phone fields, and beside them line numbers and one-IDs. */
interface Batch {
  lines: number[];
  phones: string[];
  /** The `id` field of each line ('' when empty), or null when the file has no `id` column. */
  ids: string[] | null;
}

/**
 * CSV uploads into a csv or list segment, streamed: csv-parse reads the file with backpressure (BOM,
 * quoting, CRLF), lines are checked and written in batches of 1,000 into a new member set, and
 * duplicates are merged by the database's unique (set, phone) index, so memory stays flat for millions
 * of lines. Numbers are normalised a few batches ahead (on worker threads when the normaliser is the
 * pool) while earlier batches are written, in order. Each bad line is counted, and the first 1,000 are
 * reported with their number and reason. The new set replaces the old members at the end in one short
 * transaction; a failed upload leaves the old members in place.
 */
export function createCsvAudienceService(deps: {
  csv: CsvStore;
  segments: SegmentStore;
  audit: AuditLog;
  clock: Clock;
  ids: IdSource;
  normalise?: PhoneNormaliser;
}) {
  const normalise = deps.normalise ?? inlinePhoneNormaliser;

  function header(record: string[]): { phone: number; id: number } {
    const names = record.map((c) => c.trim().toLowerCase());
    const problems: string[] = [];
    const wrongType = names.filter((n) => OTHER_ID_TYPES.has(n));
    if (wrongType.length) problems.push(`column ${wrongType.map((n) => `"${n}"`).join(', ')} holds another ID type: this channel sends to WhatsApp phone numbers, so the list must hold phone numbers`);
    const unknown = names.filter((n) => !PHONE_COLUMNS.has(n) && n !== 'id' && !OTHER_ID_TYPES.has(n));
    if (unknown.length) problems.push(`unknown column ${unknown.map((n) => `"${n}"`).join(', ')}`);
    const phone = names.findIndex((n) => PHONE_COLUMNS.has(n));
    if (phone < 0) problems.push('there is no "phone" column');
    if (names.filter((n) => PHONE_COLUMNS.has(n)).length > 1 || names.filter((n) => n === 'id').length > 1) problems.push('a column is named twice');
    if (problems.length) throw validationError([{ path: 'file.line.1', message: `${problems.join('; ')}. ${CSV_COLUMNS_HELP}` }], 'The CSV header is not valid');
    return { phone, id: names.indexOf('id') };
  }

  return {
    async upload(actor: Actor, segmentId: string, input: Readable): Promise<CsvSummary> {
      const segment = await deps.segments.get(segmentId);
      if (!segment) throw validationError([{ path: 'segmentId', message: `segment ${segmentId} does not exist` }]);
      if (segment.kind === 'rule') throw conflict('a rule segment computes its members; upload CSV files into a csv or list segment');

      const summary: CsvSummary = { lines: 0, accepted: 0, duplicates: 0, refused: 0, errors: [] };
      // Lines are refused out of order (a batch's bad numbers are known only when it is written, after
      // later lines were read), so the first ones are kept by sorting: at most 2 × MAX_REPORTED are
      // held, and past the last line kept none can be among the first.
      let cutoff = Number.POSITIVE_INFINITY;
      const keepFirstErrors = () => {
        summary.errors.sort((a, b) => a.line - b.line);
        if (summary.errors.length < MAX_REPORTED) return;
        summary.errors.length = MAX_REPORTED;
        cutoff = summary.errors[MAX_REPORTED - 1]!.line;
      };
      const refuse = (line: number, message: string) => {
        summary.refused++;
        if (line > cutoff) return;
        summary.errors.push({ line, message });
        if (summary.errors.length >= 2 * MAX_REPORTED) keepFirstErrors();
      };
      const now = deps.clock.now();
      await deps.segments.sweepStale(now - STAGING_TTL_MS);
      const key = memberSetKey(now, deps.ids.next());

      async function write({ lines, ids }: Omit<Batch, 'phones'>, out: NormalisedPhones) {
        for (const [i, raw, reason] of out.refused) refuse(lines[i]!, /@/.test(raw) ? `"${raw}" is an email address, not a WhatsApp phone number: this list holds phone numbers` : `phone "${raw}" ${reason}`);
        let numbers = out.numbers;
        let valid = lines.length - out.refused.length;
        let profileIds: (string | null)[] | undefined;
        if (ids?.some((id) => id !== '')) {
          const phones = numbers.split('\n'); // '' where refused
          const existing = await deps.csv.existingProfiles([...new Set(ids.filter((id, i) => id !== '' && phones[i] !== ''))]);
          profileIds = ids.map((id, i) => {
            if (id === '') return null;
            if (phones[i] !== '' && !existing.has(id)) {
              refuse(lines[i]!, `id "${id}": no profile has this one-ID (leave it empty to send to the number alone)`);
              phones[i] = '';
              valid--;
            }
            return id;
          });
          numbers = phones.join('\n');
        }
        const inserted = await deps.csv.stage(key, numbers, profileIds);
        summary.accepted += inserted;
        summary.duplicates += valid - inserted;
      }

      // Line numbers are counted here rather than with csv-parse's `info` (an object per record costs
      // seconds per million lines): a record starts on the line after the previous one ended, and
      // spans one line more per newline inside its quoted fields. A skipped (malformed) record is
      // placed in that order through the number of records emitted before it.
      const parser = parse({ bom: true, relax_column_count: true, skip_empty_lines: false, skip_records_with_error: true });
      const skipped: { afterRecords: number; endLine: number; message: string }[] = [];
      parser.on('skip', (e: CsvError & { lines?: number }) => {
        const message = e.code === 'CSV_QUOTE_NOT_CLOSED' ? 'a quoted field is never closed, so the rest of the file was read as part of it' : e.message;
        skipped.push({ afterRecords: parser.info.records, endLine: e.lines ?? 0, message: `not valid CSV: ${message}` });
      });
      let nextLine = 1;
      let consumed = 0;
      const applySkips = (upTo: number) => {
        while (skipped.length && skipped[0]!.afterRecords <= upTo) {
          const sk = skipped.shift()!;
          summary.lines++;
          refuse(nextLine, sk.message);
          nextLine = Math.max(nextLine, sk.endLine) + 1;
        }
      };
      input.on('error', (e) => parser.destroy(e));
      input.pipe(parser);

      // Batches in flight, oldest first: each normalises at once and writes after the one before it.
      const ahead: Promise<void>[] = [];
      let last: Promise<void> = Promise.resolve();
      // Only the line numbers and one-IDs wait with a batch: the phone fields go to the normaliser now.
      const flush = async ({ lines, phones, ids }: Batch) => {
        if (lines.length === 0) return;
        const normalised = normalise(phones);
        const previous = last;
        last = (async () => {
          const out = await normalised;
          await previous;
          await write({ lines, ids }, out);
        })();
        // A failure is thrown where the batch is awaited; until then it must not count as unhandled.
        last.catch(() => undefined);
        ahead.push(last);
        while (ahead.length >= AHEAD) await ahead.shift();
      };

      let columns: { phone: number; id: number } | undefined;
      let width = 0;
      const newBatch = (): Batch => ({ lines: [], phones: [], ids: columns && columns.id >= 0 ? [] : null });
      let batch = newBatch();
      try {
        for await (const record of parser as AsyncIterable<string[]>) {
          applySkips(consumed);
          consumed++;
          const line = nextLine;
          nextLine += 1 + newlinesIn(record);
          if (record.length === 1 && record[0] === '') continue; // a blank line
          if (!columns) {
            columns = header(record);
            width = record.length;
            batch = newBatch();
            continue;
          }
          summary.lines++;
          if (record.length !== width) {
            refuse(line, `has ${record.length} field${record.length === 1 ? '' : 's'}; the header has ${width}`);
            continue;
          }
          const phone = (record[columns.phone] ?? '').trim();
          if (phone === '') {
            refuse(line, 'phone is empty');
            continue;
          }
          batch.lines.push(line);
          batch.phones.push(phone);
          batch.ids?.push((record[columns.id] ?? '').trim());
          if (batch.lines.length >= BATCH) {
            await flush(batch);
            batch = newBatch();
          }
        }
        applySkips(Number.POSITIVE_INFINITY);
        if (!columns) throw validationError([{ path: 'file', message: `the file is empty. ${CSV_COLUMNS_HELP}` }], 'The CSV file is empty');
        await flush(batch);
        while (ahead.length) await ahead.shift();
        keepFirstErrors();
        if (summary.accepted === 0) {
          throw validationError(
            summary.errors.slice(0, 100).map((e) => ({ path: `file.line.${e.line}`, message: e.message })).concat(summary.lines === 0 ? [{ path: 'file', message: 'holds no data lines under the header' }] : []),
            `No line of the file holds a valid phone number (${summary.refused} refused); the segment keeps its members`,
          );
        }
        const c = await deps.segments.switchSet(segmentId, segment.members_key, key, deps.clock.now());
        if (!c) throw conflict('the segment was changed (another upload, or deleted) while this file was read; upload it again');
        summary.accepted = c.members;
      } catch (e) {
        await Promise.allSettled(ahead);
        await deps.segments.dropSet(key);
        throw e;
      }
      await deps.audit.record(actor, { action: 'segment.csv_upload', entityType: 'segment', entityId: segmentId, details: { lines: summary.lines, accepted: summary.accepted, duplicates: summary.duplicates, refused: summary.refused } });
      return summary;
    },
  };
}
export type CsvAudienceService = ReturnType<typeof createCsvAudienceService>;

function newlinesIn(record: string[]): number {
  let n = 0;
  for (const field of record) {
    for (let i = field.indexOf('\n'); i !== -1; i = field.indexOf('\n', i + 1)) n++;
  }
  return n;
}
