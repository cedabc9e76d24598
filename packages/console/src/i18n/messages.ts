import type { Lang } from './define-messages';
import { adminMessages } from './messages-admin';
import { audienceMessages } from './messages-audience';
import { commonMessages } from './messages-common';
import { customerMessages } from './messages-customers';
import { pageMessages } from './messages-pages';
import { reportMessages } from './messages-reports';
import { wizardMessages } from './messages-wizard';

/** Every area's strings; add an area here once and its keys become valid `t()` arguments. */
const areas = { commonMessages, adminMessages, customerMessages, audienceMessages, wizardMessages, pageMessages, reportMessages };

type Areas = typeof areas;
export type MessageKey = { [A in keyof Areas]: keyof Areas[A]['en'] }[keyof Areas] & string;

const merge = (lang: Lang) => Object.assign({}, ...Object.values(areas).map((a) => a[lang])) as Record<MessageKey, string>;

export const messages: Record<Lang, Record<MessageKey, string>> = { en: merge('en'), zh: merge('zh') };
