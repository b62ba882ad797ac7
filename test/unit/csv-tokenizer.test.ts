import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { CsvError, CsvTokenizer, type CsvRecord } from '../../services/core/pos/formats/csv.js';

/** Feeds `text` to a tokenizer in chunks cut at the given positions. */
function tokenize(text: string, cuts: number[] = [], max = 1 << 20): CsvRecord[] {
  const t = new CsvTokenizer(max);
  const out: CsvRecord[] = [];
  let from = 0;
  for (const c of [...cuts, text.length]) {
    t.push(text.slice(from, c), out);
    from = c;
  }
  t.end(out);
  return out;
}

/** csv-parse with the options the importer used before it had its own tokenizer: the reference. */
const reference = (text: string) => parse(text, { bom: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: true }) as string[][];

const SAMPLES: Record<string, string> = {
  modisoft: 'Corner Fuel #12,,,,\n"Sale Transactions (Jul 08, 2025 - Jul 08, 2025)",,,,\n,,,,\nTran Date,Tran Type,Net,Cashier Name,Tran ID\n7/8/25 23:51,normal,$ 31.90,Cashier A,1001\n7/8/25 23:50,No Sale,$ 0.00,,\n',
  crlf: 'a,b,c\r\n1,2,3\r\n4,5,6\r\n',
  cr: 'a,b\r1,2\r3,4',
  quotedCommas: 'name,amount\n"Smith, J",$ 5.00\n"He said ""hi""",1\n',
  quotedNewlines: 'a,b\n"line one\nline two",2\n"x\r\ny",3\n',
  blankLines: 'a,b\n\n\n1,2\n\n3,4\n',
  noFinalNewline: 'a,b\n1,2',
  emptyFields: ',,\n"",x,""\n',
  bom: '\uFEFFa,b\n1,2\n',
  quoteInside: 'a,b\nab"c,d\n',
  emptyQuotedLast: 'a,""\n',
  unicode: 'caf\u00e9,\u00fc\u00f1\u00ee\u00e7\u00f8d\u00e9,\u{1F600}\n"\u00e9,\u00e9",z\n',
};

describe('CSV tokenizer', () => {
  for (const [name, text] of Object.entries(SAMPLES)) {
    it(`reads "${name}" as csv-parse does, however the text is cut into chunks`, () => {
      const want = reference(text);
      expect(tokenize(text).map((r) => r.cells)).toEqual(want);
      for (let i = 1; i < text.length; i++) expect(tokenize(text, [i]).map((r) => r.cells), `cut at ${i}`).toEqual(want);
      const every = Array.from({ length: text.length - 1 }, (_, i) => i + 1);
      expect(tokenize(text, every).map((r) => r.cells), 'one character at a time').toEqual(want);
    });
  }

  it('numbers records by the line they start on, counting blank lines and newlines inside quotes', () => {
    const lines = tokenize('a,b\n\n"x\ny",1\n2,3\r\n\r\n4,5').map((r) => r.line);
    expect(lines).toEqual([1, 3, 5, 7]);
  });

  it('refuses a record larger than the limit, quoted or not, naming its line, without holding the rest', () => {
    const big = 'x'.repeat(5000);
    for (const text of [`a,b\n1,${big},2\n`, `a,b\n1,"${big}",2\n`, `a,b\n1,${big}`]) {
      const err = (() => {
        try {
          tokenize(text, [10, 100, 1000, 3000], 1000);
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(CsvError);
      expect(err).toMatchObject({ kind: 'record_too_large', line: 2 });
    }
  });

  it('refuses a quote that is never closed, naming the line it opened on', () => {
    expect(() => tokenize('a,b\n1,2\n3,"open\n4,5\n')).toThrow(expect.objectContaining({ kind: 'unclosed_quote', line: 3 }));
  });

  it('agrees with csv-parse on random well-formed files', () => {
    let seed = 7;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff) / 0x7fffffff);
    const pieces = ['a', 'bc', ' ', '1.5', '$ 0.00', '', '"q,uo""ted"', '"multi\nline"', '"x"'];
    for (let f = 0; f < 200; f++) {
      const eol = ['\n', '\r\n', '\r'][f % 3]!;
      const rows = Array.from({ length: 1 + Math.floor(rnd() * 8) }, () => Array.from({ length: 1 + Math.floor(rnd() * 5) }, () => pieces[Math.floor(rnd() * pieces.length)]).join(','));
      const text = rows.join(eol) + (rnd() < 0.5 ? eol : '');
      const cut = Math.floor(rnd() * text.length);
      expect(tokenize(text, cut > 0 ? [cut] : []).map((r) => r.cells), JSON.stringify(text)).toEqual(reference(text));
    }
  });
});
