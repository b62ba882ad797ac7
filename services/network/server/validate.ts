import type { z } from 'zod';
import { PennyError } from '../../contract/errors.js';

/** Parses input against a contract schema; the error names the field and says what was wrong. */
export function parseInput<T extends z.ZodType>(schema: T, data: unknown, where: string): z.output<T> {
  const r = schema.safeParse(data);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message }));
  const first = issues[0]!;
  throw new PennyError('invalid_input', `${where}: ${first.path}: ${first.message}`, { issues });
}

/** Our own answers are checked too: a response that breaks the contract is a server bug, not sent. */
export function checkOutput<T extends z.ZodType>(schema: T, data: unknown): z.output<T> {
  const r = schema.safeParse(data);
  if (!r.success) throw new Error(`response broke the contract: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data;
}
