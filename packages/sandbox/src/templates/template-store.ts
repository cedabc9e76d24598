/**
 * Templates per WABA, in creation order, with Meta's cursor paging (`paging.cursors.before/after`, opaque
 * base64 strings naming the first and last item of the page).
 */
import type { Template, TemplateDraft, TemplateStatus } from './template-model';

export interface TemplateFilter {
  name?: string;
  language?: string;
  status?: string;
  category?: string;
}

export interface TemplatePage {
  items: Template[];
  before?: string;
  after?: string;
  hasNext: boolean;
  hasPrevious: boolean;
}

const encodeCursor = (id: string): string => Buffer.from(id, 'utf8').toString('base64url');
const decodeCursor = (cursor: string): string => Buffer.from(cursor, 'base64url').toString('utf8');

export class TemplateStore {
  private readonly byWaba = new Map<string, Template[]>();
  private readonly byId = new Map<string, { wabaId: string; template: Template }>();

  add(wabaId: string, draft: TemplateDraft, id: string, status: TemplateStatus, now: number): Template {
    const template: Template = { ...draft, id, status, quality_score: { score: 'UNKNOWN', date: Math.floor(now / 1000) } };
    let list = this.byWaba.get(wabaId);
    if (!list) {
      list = [];
      this.byWaba.set(wabaId, list);
    }
    list.push(template);
    this.byId.set(id, { wabaId, template });
    return template;
  }

  find(wabaId: string, name: string, language: string): Template | undefined {
    return this.byWaba.get(wabaId)?.find((t) => t.name === name && t.language === language);
  }

  get(id: string): { wabaId: string; template: Template } | undefined {
    return this.byId.get(id);
  }

  list(wabaId: string, filter: TemplateFilter, limit: number, cursor: { after?: string; before?: string }): TemplatePage {
    const all = (this.byWaba.get(wabaId) ?? []).filter(
      (t) =>
        (!filter.name || t.name.includes(filter.name)) &&
        (!filter.language || t.language === filter.language) &&
        (!filter.status || t.status === filter.status.toUpperCase()) &&
        (!filter.category || t.category === filter.category.toUpperCase()),
    );
    let start = 0;
    let end = Math.min(all.length, limit);
    if (cursor.after) {
      const id = decodeCursor(cursor.after);
      start = all.findIndex((t) => t.id === id) + 1;
      end = Math.min(all.length, start + limit);
    } else if (cursor.before) {
      const id = decodeCursor(cursor.before);
      end = Math.max(0, all.findIndex((t) => t.id === id));
      start = Math.max(0, end - limit);
    }
    const items = all.slice(start, end);
    const first = items[0];
    const last = items[items.length - 1];
    return {
      items,
      ...(first ? { before: encodeCursor(first.id) } : {}),
      ...(last ? { after: encodeCursor(last.id) } : {}),
      hasNext: end < all.length,
      hasPrevious: start > 0,
    };
  }

  /** Deletes by name (all languages) or, with `id`, the one template; returns how many were removed. */
  delete(wabaId: string, name: string, id?: string): number {
    const list = this.byWaba.get(wabaId) ?? [];
    const keep = list.filter((t) => t.name !== name || (id !== undefined && t.id !== id));
    for (const t of list) if (!keep.includes(t)) this.byId.delete(t.id);
    this.byWaba.set(wabaId, keep);
    return list.length - keep.length;
  }

  clear(): void {
    this.byWaba.clear();
    this.byId.clear();
  }
}
