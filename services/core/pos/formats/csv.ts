/** Why a CSV could not be read, and the line the record started on. */
export class CsvError extends Error {
  constructor(
    readonly kind: 'record_too_large' | 'unclosed_quote',
    readonly line: number,
  ) {
    super(kind === 'record_too_large' ? `record at line ${line} is too large` : `quote opened at line ${line} is never closed`);
  }
}

export interface CsvRecord {
  /** 1-based line the record starts on. */
  line: number;
  cells: string[];
}

/** Where records go: any array whose elements a CsvRecord fits. */
interface Sink {
  push(r: CsvRecord): unknown;
}

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

/**
 * A streaming CSV tokenizer for POS exports: comma-separated fields, optionally in double quotes
 * with "" for a quote; records end with \n, \r\n or \r. It is lenient the way back-office files need:
 * a quote inside an unquoted field is text, records may have any number of fields, blank lines are
 * skipped. A record longer than `maxRecordChars` is an error, so a damaged file cannot fill memory.
 *
 * Nearly every line of a POS export has no quote at all; those take a fast path of one line-end
 * search and a split on commas, which is what makes this several times faster than a general
 * character-by-character parser.
 */
export class CsvTokenizer {
  private rest = '';
  private line = 1;
  private started = false;

  constructor(private readonly maxRecordChars: number) {}

  /** Adds decoded text and appends every complete record to `out`. */
  push(text: string, out: Sink): void {
    if (!this.started) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    this.rest = this.tokenize(this.rest ? this.rest + text : text, out, false);
  }

  /** End of input: the last record may lack a line end; an open quote is an error. */
  end(out: Sink): void {
    this.rest = this.tokenize(this.rest, out, true);
  }

  /** Tokenizes `s` from the start; returns the unconsumed tail (an incomplete record). */
  private tokenize(s: string, out: Sink, final: boolean): string {
    const n = s.length;
    let pos = 0;
    // Next line feed, carriage return and quote (n: none). Searched again only once passed, so
    // a file without any \r or quote costs one search for each, not one per line.
    let lf = -1;
    let cr = -1;
    let quote = -1;
    const next = (ch: string) => {
      const i = s.indexOf(ch, pos);
      return i === -1 ? n : i;
    };
    while (pos < n) {
      if (lf < pos) lf = next('\n');
      if (cr < pos) cr = next('\r');
      if (quote < pos) quote = next('"');
      const eol = lf < cr ? lf : cr;
      if (quote < eol) {
        const end = this.quoted(s, pos, out, final);
        if (end < 0) break;
        pos = end;
        continue;
      }
      // No line end yet, or a \r that the next chunk may follow with \n: wait for more text.
      if (!final && (eol === n || eol === n - 1)) {
        if (n - pos > this.maxRecordChars) throw new CsvError('record_too_large', this.line);
        break;
      }
      if (eol - pos > this.maxRecordChars) throw new CsvError('record_too_large', this.line);
      this.emit(s.slice(pos, eol), out);
      pos = eol + (s.charCodeAt(eol) === CR && s.charCodeAt(eol + 1) === LF ? 2 : 1);
    }
    return pos >= n ? '' : s.slice(pos);
  }

  private emit(text: string, out: Sink): void {
    if (text.length) out.push({ line: this.line, cells: text.split(',') });
    this.line++;
  }

  /**
   * Reads one record that has a quote somewhere, character by character. Returns the position after
   * it, or -1 when the record continues past the text given so far.
   */
  private quoted(s: string, start: number, out: Sink, final: boolean): number {
    const n = s.length;
    const cells: string[] = [];
    let field = '';
    let inQuotes = false;
    let atFieldStart = true;
    let lines = 0;
    let pos = start;
    while (pos < n) {
      if (pos - start > this.maxRecordChars) throw new CsvError('record_too_large', this.line);
      const c = s.charCodeAt(pos);
      if (inQuotes) {
        const q = s.indexOf('"', pos);
        if (q === -1) {
          if (n - start > this.maxRecordChars) throw new CsvError('record_too_large', this.line);
          break;
        }
        const chunk = s.slice(pos, q);
        for (let i = chunk.indexOf('\n'); i !== -1; i = chunk.indexOf('\n', i + 1)) lines++;
        field += chunk;
        if (q + 1 >= n && !final) break;
        if (s.charCodeAt(q + 1) === QUOTE) {
          field += '"';
          pos = q + 2;
        } else {
          // A closing quote; anything up to the next comma or line end is kept as text.
          inQuotes = false;
          pos = q + 1;
        }
        continue;
      }
      if (c === COMMA) {
        cells.push(field);
        field = '';
        atFieldStart = true;
        pos++;
      } else if (c === LF || c === CR) {
        if (c === CR && pos + 1 >= n && !final) break;
        cells.push(field);
        if (cells.length > 1 || cells[0] !== '') out.push({ line: this.line, cells });
        this.line += lines + 1;
        return pos + (c === CR && s.charCodeAt(pos + 1) === LF ? 2 : 1);
      } else if (c === QUOTE && atFieldStart) {
        inQuotes = true;
        atFieldStart = false;
        pos++;
      } else {
        atFieldStart = false;
        field += s[pos];
        pos++;
      }
    }
    if (!final) return -1;
    if (inQuotes) throw new CsvError('unclosed_quote', this.line);
    cells.push(field);
    if (cells.length > 1 || cells[0] !== '') out.push({ line: this.line, cells });
    this.line += lines + 1;
    return n;
  }
}
