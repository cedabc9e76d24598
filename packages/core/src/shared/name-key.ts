/**
 * Names of tasks and segments are unique ignoring case and surrounding blanks: this is the key they
 * are compared by (and stored under a unique index).
 */
export const nameKey = (name: string): string => name.trim().toLowerCase();
