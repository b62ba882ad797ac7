import Database from 'better-sqlite3';
import type { Db } from '../db/open.js';
import type { ParsedTxn } from './types.js';

/**
 * Writes one import on its own connection, inside one BEGIN IMMEDIATE … COMMIT that spans the whole
 * (streamed, asynchronous) file. A second connection keeps other commands' writes on the main
 * connection out of this transaction, so a rollback takes back exactly the import and nothing else.
 */
export class ImportWriter {
  private readonly conn: Db;
  private readonly insertTxn: Database.Statement;
  private readonly insertLine: Database.Statement;
  private readonly insertTender: Database.Statement;
  private readonly insertRegister: Database.Statement;
  private readonly findRegister: Database.Statement;
  private readonly insertEmployee: Database.Statement;
  private readonly findEmployee: Database.Statement;
  private readonly registers = new Map<string, number>();
  private readonly employees = new Map<string, { id: number; register: number | null }>();
  open = false;

  constructor(file: string, private readonly now: () => number) {
    this.conn = new Database(file);
    this.conn.pragma('foreign_keys = ON');
    this.conn.pragma('busy_timeout = 5000');
    this.conn.pragma('synchronous = NORMAL');
    // A big file is one transaction: 16 MB of page cache (the default is 2 MB) keeps the hot index
    // pages from spilling to the WAL mid-import; 32 MB measured no faster on a million rows.
    this.conn.pragma('cache_size = -16384');
    this.insertTxn = this.conn.prepare(
      `INSERT INTO pos_transaction (import_id, natural_key, external_id, register_id, employee_id, type, raw_type, started_at, ended_at, wall_time, amount_cents, tax_cents, discount_cents, card, flags)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(natural_key) DO NOTHING`,
    );
    this.insertLine = this.conn.prepare('INSERT OR IGNORE INTO pos_line (transaction_id, seq, kind, description, quantity, amount_cents, status, approver) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    this.insertTender = this.conn.prepare('INSERT INTO pos_tender (transaction_id, seq, code, sub_code, amount_cents, card) VALUES (?, ?, ?, ?, ?, ?)');
    this.insertRegister = this.conn.prepare('INSERT INTO register (code, name, active, created_at) VALUES (?, ?, 1, ?) ON CONFLICT(code) DO NOTHING');
    this.findRegister = this.conn.prepare('SELECT id FROM register WHERE code = ?');
    this.insertEmployee = this.conn.prepare('INSERT INTO employee (pos_id, name, created_at) VALUES (?, ?, ?) ON CONFLICT(pos_id) DO NOTHING');
    this.findEmployee = this.conn.prepare('SELECT id, default_register_id AS register FROM employee WHERE pos_id = ?');
  }

  get db(): Db {
    return this.conn;
  }

  begin(): void {
    this.registers.clear();
    this.employees.clear();
    this.conn.exec('BEGIN IMMEDIATE');
    this.open = true;
  }
  commit(): void {
    this.conn.exec('COMMIT');
    this.open = false;
    // The connection stays open for the next import; its page cache need not stay full meanwhile.
    this.conn.pragma('shrink_memory');
  }
  rollback(): void {
    if (this.open) this.conn.exec('ROLLBACK');
    this.open = false;
  }
  close(): void {
    this.rollback();
    this.conn.close();
  }

  private registerId(code: string): number {
    let id = this.registers.get(code);
    if (id === undefined) {
      this.insertRegister.run(code, `Register ${code}`, this.now());
      id = (this.findRegister.get(code) as { id: number }).id;
      this.registers.set(code, id);
    }
    return id;
  }

  private employee(posId: string): { id: number; register: number | null } {
    let e = this.employees.get(posId);
    if (!e) {
      this.insertEmployee.run(posId, '', this.now());
      e = this.findEmployee.get(posId) as { id: number; register: number | null };
      this.employees.set(posId, e);
    }
    return e;
  }

  /** Inserts one transaction with its lines and tenders; returns its id, or null when it was already stored. */
  write(importId: number, t: ParsedTxn): number | null {
    const emp = t.employee ? this.employee(t.employee.slice(0, 120)) : null;
    let registerId = t.register ? this.registerId(t.register.slice(0, 40)) : null;
    if (t.registerIsDefault && emp?.register) registerId = emp.register;
    const res = this.insertTxn.run(
      importId,
      t.naturalKey,
      t.externalId,
      registerId,
      emp?.id ?? null,
      t.type,
      t.rawType.slice(0, 120),
      t.startedAt,
      t.endedAt,
      t.wallTime,
      t.amountCents,
      t.taxCents,
      t.discountCents,
      t.card,
      t.flags.join(','),
    );
    if (res.changes === 0) return null;
    const id = Number(res.lastInsertRowid);
    for (const l of t.lines) this.insertLine.run(id, l.seq, l.kind, l.description, l.quantity, l.amountCents, l.status, l.approver);
    t.tenders.forEach((x, i) => this.insertTender.run(id, i + 1, x.code, x.subCode, x.amountCents, x.card));
    return id;
  }
}
