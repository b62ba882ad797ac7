import type { TxnType } from '../../contract/commands/pos.js';

/** Raw POS type strings (Modisoft, generic exports) to normalized types. Keys are lower-case, single-spaced. */
const SYNONYMS: Record<string, TxnType> = {};
const add = (t: TxnType, words: string[]) => words.forEach((w) => (SYNONYMS[w] = t));
add('sale', ['normal', 'sale', 'sales', 'purchase', 'complete', 'completed', 'regular', 'fuel sale']);
add('refund', ['refund', 'refunds', 'return', 'returns', 'refunded', 'merchandise return', 'refund sale']);
add('void', ['void', 'voided', 'void transaction', 'transaction void', 'post void', 'voids']);
add('no_sale', ['no sale', 'nosale', 'no sales', 'drawer open', 'open drawer', 'drawer opened', 'cash drawer open']);
add('suspend', ['suspend', 'suspended', 'hold', 'park', 'parked']);
add('resume', ['resume', 'resumed', 'recall', 'recalled', 'unsuspend', 'unsuspended']);
add('cancel', ['cancel', 'cancelled', 'canceled', 'abort', 'aborted', 'cancel transaction']);
add('discount', ['discount', 'manual discount', 'discounts', 'manual discounts']);
add('price_override', ['price override', 'price change', 'override price', 'price overrides']);
add('employee_override', ['override', 'manager override', 'employee override', 'supervisor override', 'overrides']);
add('payout', ['payout', 'pay out', 'paid out', 'paidout', 'vendor payout', 'payouts']);
add('paid_in', ['paid in', 'pay in', 'paidin', 'loan', 'cash loan']);
add('safe_drop', ['safe drop', 'drop', 'cash drop', 'safedrop', 'pickup', 'safe drops']);

export const normalizeKey = (s: string) => s.trim().toLowerCase().replace(/[\s_-]+/g, ' ');

export function normalizeType(raw: string, extra: Record<string, TxnType> = {}, fallback: TxnType = 'other'): TxnType {
  const k = normalizeKey(raw);
  if (k === '') return fallback;
  for (const [word, t] of Object.entries(extra)) if (normalizeKey(word) === k) return t;
  return SYNONYMS[k] ?? 'other';
}
