/** A media object of a send payload: exactly one of an uploaded media id or a public http(s) link (NOTES 1.4). */
import { fail } from './graph-error';
import { isHttpUrl, refuse, type JsonRecord } from './payload-reader';

export const MEDIA_TYPES = ['image', 'video', 'audio', 'document', 'sticker'] as const;
export type MediaType = (typeof MEDIA_TYPES)[number];

export interface MediaRef {
  id?: string;
  link?: string;
}

export function mediaRef(obj: JsonRecord, path: string): MediaRef {
  const id = obj['id'];
  const link = obj['link'];
  if (id !== undefined && link !== undefined) refuse(fail(100, `Param ${path} must have either id or link, not both.`));
  if (id === undefined && link === undefined) refuse(fail(131008, `The parameter ${path}['id'] or ${path}['link'] is required.`));
  if (id !== undefined) {
    if (typeof id !== 'string' || !/^\d{1,32}$/.test(id)) refuse(fail(131009, `${path}['id'] is not a valid media id.`));
    return { id };
  }
  if (typeof link !== 'string' || !isHttpUrl(link)) refuse(fail(131009, `${path}['link'] must be an http or https URL.`));
  return { link };
}
