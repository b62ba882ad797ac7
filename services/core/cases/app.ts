import { PennyError } from '../../contract/errors.js';
import type { Case, CaseStatus } from '../../contract/commands/cases.js';
import type { AppDeps, DomainApp } from '../app.js';
import { actorLabel, type Actor } from '../context.js';
import { getException } from '../rules/exceptions.js';
import { exportCase } from './export.js';
import { reviewList } from './search.js';
import {
  TAG_STATUS,
  exceptionIdsOf,
  getCase,
  insertNote,
  listCases,
  notesOf,
  requireExceptions,
  requireNotConfirmed,
  requireSubject,
  requireUser,
} from './store.js';

/** Cases and the review queue's notes. Every view, change and export is audited with entity 'case'. */
export function createCasesApp(d: AppDeps): DomainApp {
  const { db, clock } = d;
  const zone = () => (db.prepare('SELECT timezone FROM store WHERE id = 1').pluck().get() as string | undefined) ?? 'UTC';

  /** Moves the case's exceptions to the case's status, so the review list shows where each stands. */
  function syncExceptions(caseId: number, status: CaseStatus, now: number): number[] {
    const ids = exceptionIdsOf(db, caseId);
    const upd = db.prepare('UPDATE exception SET status = ?, updated_at = ? WHERE id = ? AND status <> ?');
    return ids.filter((id) => upd.run(status, now, id, status).changes > 0);
  }
  const emitExceptions = (ids: number[]) => {
    for (const id of ids) {
      const x = getException(db, id);
      d.events.emit('exception.updated', { id, status: x.status, severity: x.severity });
    }
  };

  function defaultTitle(exceptionIds: number[]): string {
    const first = getException(db, exceptionIds[0]!);
    const rule = first.reasons[0]?.ruleName ?? first.type;
    return exceptionIds.length > 1 ? `${rule} + ${exceptionIds.length - 1} more` : `${rule}${first.register ? ` on register ${first.register}` : ''}`;
  }

  const author = (a: Actor) => actorLabel(a);

  return {
    handlers: {
      'cases.create': (input, ctx) => {
        const exceptionIds = [...new Set(input.exceptionIds)];
        return db.transaction(() => {
          requireExceptions(db, exceptionIds, 'exceptionIds');
          requireUser(db, input.assigneeUserId);
          requireSubject(db, input.subjectId);
          const now = clock.now();
          // A case opened from an escalated exception starts escalated: the reviewer already made that call.
          const statuses = new Set(exceptionIds.map((e) => getException(db, e).status));
          const status: CaseStatus = statuses.has('escalated') ? 'escalated' : statuses.has('investigating') ? 'investigating' : 'open';
          const id = Number(
            db
              .prepare(
                `INSERT INTO review_case (title, status, entered_amount_cents, offender, subject_id, assignee_user_id, created_by, created_at, updated_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
              )
              .run(input.title || defaultTitle(exceptionIds), status, input.amountCents ?? null, input.offender || null, input.subjectId ?? null, input.assigneeUserId ?? null, author(ctx.actor), now, now)
              .lastInsertRowid,
          );
          const link = db.prepare('INSERT INTO case_exception (case_id, exception_id) VALUES (?, ?)');
          for (const e of exceptionIds) link.run(id, e);
          if (input.note) insertNote(db, { caseId: id, exceptionId: null, at: now, author: author(ctx.actor), text: input.note });
          const c = getCase(db, id);
          d.audit(ctx.actor, { action: 'case.create', entity: 'case', entityId: id, details: { exceptionIds, status, amountCents: c.amountCents, amountSource: c.amountSource } });
          d.events.emit('case.updated', { id, status: c.status, action: 'create' });
          return c;
        })();
      },

      'cases.list': (q) => listCases(db, q),

      'cases.get': ({ id }, ctx) =>
        db.transaction(() => {
          const c = getCase(db, id);
          const exports = db.prepare('SELECT path, sha256, at FROM case_export WHERE case_id = ? ORDER BY id DESC').all(id) as { path: string; sha256: string; at: number }[];
          d.audit(ctx.actor, { action: 'case.view', entity: 'case', entityId: id });
          return { ...c, exceptions: c.exceptionIds.map((e) => getException(db, e)), notes: notesOf(db, { caseId: id }), exports };
        })(),

      'cases.update': (input, ctx) =>
        db.transaction(() => {
          const before = getCase(db, input.id);
          requireNotConfirmed(before, 'changed');
          const sets: string[] = [];
          const args: unknown[] = [];
          const set = (col: string, v: unknown) => {
            sets.push(`${col} = ?`);
            args.push(v);
          };
          if (input.title !== undefined) set('title', input.title);
          if (input.amountCents !== undefined) set('entered_amount_cents', input.amountCents);
          if (input.offender !== undefined) set('offender', input.offender || null);
          if (input.subjectId !== undefined) {
            requireSubject(db, input.subjectId);
            set('subject_id', input.subjectId);
          }
          if (input.assigneeUserId !== undefined) {
            requireUser(db, input.assigneeUserId);
            set('assignee_user_id', input.assigneeUserId);
          }
          const add = [...new Set(input.addExceptionIds ?? [])];
          const remove = new Set(input.removeExceptionIds ?? []);
          requireExceptions(db, add, 'addExceptionIds');
          const left = [...before.exceptionIds, ...add].filter((e) => !remove.has(e));
          if (!left.length) throw new PennyError('invalid_input', 'A case needs at least one exception; dismiss it instead of removing them all.', { field: 'removeExceptionIds' });
          if (!sets.length && !add.length && !remove.size) return before;
          set('updated_at', clock.now());
          db.prepare(`UPDATE review_case SET ${sets.join(', ')} WHERE id = ?`).run(...args, input.id);
          const link = db.prepare('INSERT OR IGNORE INTO case_exception (case_id, exception_id) VALUES (?, ?)');
          for (const e of add) link.run(input.id, e);
          const unlink = db.prepare('DELETE FROM case_exception WHERE case_id = ? AND exception_id = ?');
          for (const e of remove) unlink.run(input.id, e);
          const after = getCase(db, input.id);
          const diff: Record<string, { from: unknown; to: unknown }> = {};
          for (const k of ['title', 'amountCents', 'amountSource', 'offender', 'subjectId', 'assigneeUserId', 'exceptionIds'] as const) {
            if (JSON.stringify(before[k]) !== JSON.stringify(after[k])) diff[k] = { from: before[k], to: after[k] };
          }
          d.audit(ctx.actor, { action: 'case.update', entity: 'case', entityId: input.id, details: diff });
          d.events.emit('case.updated', { id: input.id, status: after.status, action: 'update' });
          return after;
        })(),

      'cases.note': ({ id, text }, ctx) =>
        db.transaction(() => {
          const c = getCase(db, id);
          const note = insertNote(db, { caseId: id, exceptionId: null, at: clock.now(), author: author(ctx.actor), text });
          d.audit(ctx.actor, { action: 'case.note', entity: 'case', entityId: id, details: { noteId: note.id, chars: text.length } });
          d.events.emit('note.added', { id: note.id, caseId: id, exceptionId: null });
          d.events.emit('case.updated', { id, status: c.status, action: 'note' });
          return note;
        })(),

      'cases.tag': ({ id, tag, note }, ctx) => {
        let changed: number[] = [];
        const c = db.transaction(() => {
          const before = getCase(db, id);
          requireNotConfirmed(before, 'tagged');
          const status = TAG_STATUS[tag];
          const now = clock.now();
          db.prepare('UPDATE review_case SET status = ?, updated_at = ? WHERE id = ?').run(status, now, id);
          changed = syncExceptions(id, status, now);
          let noteId: number | undefined;
          if (note) noteId = insertNote(db, { caseId: id, exceptionId: null, at: now, author: author(ctx.actor), text: note }).id;
          d.audit(ctx.actor, { action: 'case.tag', entity: 'case', entityId: id, details: { tag, from: before.status, to: status, exceptions: changed, ...(noteId ? { noteId } : {}) } });
          d.events.emit('case.updated', { id, status, action: 'tag' });
          return getCase(db, id);
        })();
        emitExceptions(changed);
        return c;
      },

      'cases.confirm': ({ id, reason }, ctx) => {
        if (ctx.actor.kind === 'anonymous') throw new PennyError('unauthenticated', 'Sign in to confirm a case; the confirmation records who made it.');
        const who = author(ctx.actor);
        let changed: number[] = [];
        let c: Case | undefined;
        db.transaction(() => {
          const before = getCase(db, id);
          requireNotConfirmed(before, 'confirmed again');
          if (before.status === 'approved' || before.status === 'dismissed') {
            throw new PennyError('conflict', `Case ${id} is ${before.status}; reopen it before confirming.`, { id, status: before.status });
          }
          const now = clock.now();
          db.prepare("UPDATE review_case SET status = 'confirmed', confirmed_by = ?, confirmed_at = ?, confirm_reason = ?, updated_at = ? WHERE id = ?").run(who, now, reason, now, id);
          changed = syncExceptions(id, 'confirmed', now);
          c = getCase(db, id);
          d.audit(ctx.actor, { action: 'case.confirm', entity: 'case', entityId: id, details: { from: before.status, reason, amountCents: c.amountCents, exceptionIds: c.exceptionIds } });
        })();
        const done = c!;
        d.events.emit('case.confirmed', {
          id,
          exceptionIds: done.exceptionIds,
          amountCents: done.amountCents,
          confirmedBy: who,
          confirmedAt: done.confirmedAt!,
          reason,
          subjectId: done.subjectId,
        });
        d.events.emit('case.updated', { id, status: 'confirmed', action: 'confirm' });
        emitExceptions(changed);
        return done;
      },

      'cases.export': async ({ id }, ctx) => {
        const c = getCase(db, id);
        const r = await exportCase(d, c, ctx.actor, zone());
        d.events.emit('case.updated', { id, status: c.status, action: 'export' });
        return r;
      },

      'review.list': (q) => reviewList(db, q),

      'review.note': ({ exceptionId, text }, ctx) =>
        db.transaction(() => {
          getException(db, exceptionId);
          const note = insertNote(db, { caseId: null, exceptionId, at: clock.now(), author: author(ctx.actor), text });
          d.audit(ctx.actor, { action: 'exception.note', entity: 'exception', entityId: exceptionId, details: { noteId: note.id, chars: text.length } });
          d.events.emit('note.added', { id: note.id, caseId: null, exceptionId });
          return note;
        })(),

      'review.notes': ({ exceptionId }) => {
        getException(db, exceptionId);
        return notesOf(db, { exceptionId });
      },
    },
  };
}
