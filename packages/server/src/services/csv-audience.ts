import type { Readable } from 'node:stream';
import { parse, type CsvError } from 'csv-parse';
import { normalisePhone, type Result } from '@wareach/core';
import type { CsvStore } from '../adapters/storage/csv-store';
import { memberSetKey, type SegmentStore } from '../adapters/storage/segment-store';
import type { AuditLog } from './audit';
import { conflict, validationError } from './errors';
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
export type PhoneNormaliser = (raw: readonly string[]) => Promise<Result<string, string>[]>;
export const inlinePhoneNormaliser: PhoneNormaliser = async (raw) => raw.map((r) => normalisePhone(r));

/** The downloadable template: the header and nothing else, so an upload of it as is adds nobody. */
export const CSV_TEMPLATE = 'phone,id\n';
export const CSV_COLUMNS_HELP =
  'The first line names the columns: `phone` (required: WhatsApp numbers with + or 00 and the country code) and optionally `id` (the one-ID of an existing profile).';

const BATCH = 5000;
/** Batches being normalised ahead of the one being written (bounds memory). */
const AHEAD = 3;
const MAX_REPORTED = 1000;
const PHONE_COLUMNS = new Set(['phone', 'whatsapp']);
/** Identity types that are not the channel's target ID type: a file of them is refused by name. */
const OTHER_ID_TYPES = new Set(['email', 'external_id', 'user_id', 'one_id', 'openid', 'unionid', 'line', 'wechat']);
const STAGING_TTL_MS = 24 * 3_600_000;

interface PendingLine {
  line: number;
  phone: string;
  id: string;
}

/**
 * CSV uploads into a csv or list segment, streamed: csv-parse reads the file with backpressure (BOM,
 * quoting, CRLF), lines are checked and written in batches of 5,000 into a new member set, and
 * duplicates are merged by the database's unique (set, phone) index, so memory stays flat for millions
 * of lines. Numbers are normalised a few batches ahead (on worker threads when the normaliser is the
 * pool) while earlier batches are written, in order. Each bad line is reported with its number and
 * reason. The new set replaces the old members at the end in one short transaction; a failed upload
 * leaves the old members in place.
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
      const refuse = (line: number, message: string) => {
        summary.refused++;
        if (summary.errors.length < MAX_REPORTED) summary.errors.push({ line, message });
      };
      const now = deps.clock.now();
      await deps.segments.sweepStale(now - STAGING_TTL_MS);
      const key = memberSetKey(now, deps.ids.next());

      async function write(batch: PendingLine[], phones: Result<string, string>[]) {
        const named = [...new Set(batch.map((b) => b.id).filter((id) => id !== ''))];
        const existing = await deps.csv.existingProfiles(named);
        const valid: { line: number; phone: string; profileId: string | null }[] = [];
        batch.forEach((b, i) => {
          const p = phones[i]!;
          if (!p.ok) return refuse(b.line, /@/.test(b.phone) ? `"${b.phone}" is an email address, not a WhatsApp phone number: this list holds phone numbers` : `phone "${b.phone}" ${p.error}`);
          if (b.id !== '' && !existing.has(b.id)) return refuse(b.line, `id "${b.id}": no profile has this one-ID (leave it empty to send to the number alone)`);
          valid.push({ line: b.line, phone: p.value, profileId: b.id === '' ? null : b.id });
        });
        const owners = await deps.csv.profilesByPhone(valid.filter((v) => v.profileId === null).map((v) => v.phone));
        const inserted = await deps.csv.stage(key, valid.map((v) => ({ phone: v.phone, profileId: v.profileId ?? owners.get(v.phone) ?? null })));
        summary.accepted += inserted;
        summary.duplicates += valid.length - inserted;
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
      const flush = async (lines: PendingLine[]) => {
        if (lines.length === 0) return;
        const phones = normalise(lines.map((b) => b.phone));
        const previous = last;
        last = (async () => {
          const normalised = await phones;
          await previous;
          await write(lines, normalised);
        })();
        // A failure is thrown where the batch is awaited; until then it must not count as unhandled.
        last.catch(() => undefined);
        ahead.push(last);
        while (ahead.length >= AHEAD) await ahead.shift();
      };

      let columns: { phone: number; id: number } | undefined;
      let width = 0;
      let batch: PendingLine[] = [];
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
          batch.push({ line, phone, id: columns.id >= 0 ? (record[columns.id] ?? '').trim() : '' });
          if (batch.length >= BATCH) {
            await flush(batch);
            batch = [];
          }
        }
        applySkips(Number.POSITIVE_INFINITY);
        if (!columns) throw validationError([{ path: 'file', message: `the file is empty. ${CSV_COLUMNS_HELP}` }], 'The CSV file is empty');
        await flush(batch);
        while (ahead.length) await ahead.shift();
        summary.errors.sort((a, b) => a.line - b.line);
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
