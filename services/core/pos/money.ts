const PLAIN = /^\$ ?(-?)(\d{1,11})\.(\d\d)$/;

/**
 * Reads a money cell into integer cents without going through floating point:
 * "$ 30.99", "-$5.00", "$ -5.00", "(5.00)", "1,234.5", "12". Returns null when it is not money.
 */

export function parseCents(raw: string): number | null {
  // Nearly every cell of a Modisoft export is "$ 12.34" or "$ -12.34": read those directly.
  const m = PLAIN.exec(raw);
  if (m) {
    const cents = Number(m[2]) * 100 + Number(m[3]);
    return m[1] && cents !== 0 ? -cents : cents;
  }
  let s = raw.trim();
  if (s === '') return 0;
  let negative = false;
  if (s.startsWith('(') && s.endsWith(')')) {
    negative = true;
    s = s.slice(1, -1).trim();
  }
  if (s.endsWith('-')) {
    negative = !negative;
    s = s.slice(0, -1).trim();
  }
  if (s.startsWith('-')) {
    negative = !negative;
    s = s.slice(1).trim();
  }
  s = s.replace(/^[$€£]|^(USD|CAD)\s*/i, '').trim();
  if (s.startsWith('-')) {
    negative = !negative;
    s = s.slice(1).trim();
  }
  s = s.replace(/[$€£]$/, '').trim();
  if (!/^(\d{1,3}(,\d{3})+|\d+)?(\.\d*)?$/.test(s) || s === '' || s === '.') return null;
  s = s.replace(/,/g, '');
  const dot = s.indexOf('.');
  const whole = dot === -1 ? s : s.slice(0, dot);
  const frac = dot === -1 ? '' : s.slice(dot + 1);
  if (whole.length > 13) return null;
  let cents = Number(whole || '0') * 100 + Number((frac + '00').slice(0, 2));
  // Half-up on the third decimal (fuel prices carry three).
  if (frac.length > 2 && Number(frac[2]) >= 5) cents += 1;
  return negative && cents !== 0 ? -cents : cents;
}
