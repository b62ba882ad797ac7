import { resolve } from 'node:path';
import type { FaceMatch, FaceSubject } from '../../../contract/commands/faces.js';
import { CliError, intOpt, str, type CliCommand } from '../types.js';
import { printOr } from '../output.js';

/** Thumbnails are base64 JPEGs; a terminal shows their size instead. */
function withoutThumbnails<T>(v: T): T {
  return JSON.parse(JSON.stringify(v, (k, val) => (/thumbnail$/i.test(k) && typeof val === 'string' ? `(jpeg, ${Math.round((val.length * 3) / 4)} bytes)` : val))) as T;
}

interface SearchResult {
  searchId: number;
  width: number;
  height: number;
  faces: { index: number; box: { x: number; y: number; width: number; height: number }; score: number; quality: { ok: boolean; reasons: string[] }; matches: { subjectId: number; subjectName: string; similarity: number; distance: number | null; suppressed: boolean }[] }[];
}

export const facesCliCommands: CliCommand[] = [
  {
    path: ['faces', 'enable'],
    summary: 'Turn face search on (admin; confirms that signage is posted)',
    usage: 'penny faces enable --signage-posted [--json]',
    options: { 'signage-posted': { type: 'boolean' } },
    async run(ctx, v) {
      if (!v['signage-posted']) throw new CliError('face search needs --signage-posted: confirm that notice signage is posted in the store', 2);
      const s = await ctx.call('faces.enable', { acknowledgeSignage: true });
      printOr(ctx, s, 'Face search is on.');
    },
  },
  {
    path: ['faces', 'disable'],
    summary: 'Turn face search off',
    usage: 'penny faces disable [--json]',
    async run(ctx) {
      const s = await ctx.call('faces.disable', {});
      printOr(ctx, s, 'Face search is off.');
    },
  },
  {
    path: ['faces', 'status'],
    summary: 'Whether face search is on, the engine, thresholds and watchlist size',
    usage: 'penny faces status [--json]',
    async run(ctx) {
      const s = await ctx.call<{ enabled: boolean; engine: string; subjects: number; templates: number; index: string }>('faces.status', {});
      printOr(ctx, s, `${s.enabled ? 'on' : 'off'} — engine ${s.engine}, ${s.subjects} subjects, ${s.templates} templates (${s.index} search)`);
    },
  },
  {
    path: ['faces', 'enroll'],
    summary: 'Enroll photos of a person on the watchlist (a new subject, or --subject-id to add faces)',
    usage: 'penny faces enroll (--subject NAME --consent NOTE [--expires YYYY-MM-DD] [--case ID] | --subject-id ID) IMAGE... [--json]',
    options: { subject: { type: 'string' }, 'subject-id': { type: 'string' }, consent: { type: 'string' }, expires: { type: 'string' }, case: { type: 'string' } },
    positionals: true,
    async run(ctx, v, pos) {
      if (pos.length === 0) throw new CliError('give at least one IMAGE', 2);
      const subjectId = intOpt(v, 'subject-id');
      const name = str(v.subject);
      if ((subjectId === undefined) === (name === undefined)) throw new CliError('give --subject NAME (new subject) or --subject-id ID (existing), not both', 2);
      let expiresAt: number | undefined;
      if (str(v.expires)) {
        expiresAt = Date.parse(`${str(v.expires)}T00:00:00Z`);
        if (!Number.isFinite(expiresAt)) throw new CliError(`--expires must be a date like 2027-01-31, got "${str(v.expires)}"`, 2);
      }
      const input = {
        ...(subjectId !== undefined
          ? { subjectId }
          : { subject: { name, consentNote: str(v.consent) ?? 'Enrolled from the command line; no note given.', expiresAt, caseId: intOpt(v, 'case') } }),
        images: pos.map((p) => ({ image: { path: resolve(p) } })),
        sourceRef: 'cli',
      };
      const r = await ctx.call<{ subject: FaceSubject; added: { templateId: number; image: number }[]; rejected: { image: number; reason: string }[] }>('faces.enroll', input);
      const out = withoutThumbnails(r);
      printOr(
        ctx,
        out,
        [`Subject ${r.subject.id} (${r.subject.name}): ${r.added.length} face(s) enrolled.`, ...r.rejected.map((x) => `  skipped ${pos[x.image]}: ${x.reason}`)].join('\n'),
      );
    },
  },
  {
    path: ['faces', 'subjects'],
    summary: 'List the watchlist',
    usage: 'penny faces subjects [--all] [--json]',
    options: { all: { type: 'boolean' } },
    async run(ctx, v) {
      const list = await ctx.call<FaceSubject[]>('faces.subjects', { includeExpired: !!v.all });
      printOr(
        ctx,
        withoutThumbnails(list),
        list.length ? list.map((s) => `${s.id}\t${s.name}\t${s.templates} faces\texpires ${new Date(s.expiresAt).toISOString().slice(0, 10)}${s.expired ? ' (expired)' : ''}\t${s.source}`).join('\n') : 'The watchlist is empty.',
      );
    },
  },
  {
    path: ['faces', 'erase'],
    summary: 'Erase a subject: templates, thumbnails, matches and feedback',
    usage: 'penny faces erase --subject ID [--json]',
    options: { subject: { type: 'string' } },
    async run(ctx, v) {
      const id = intOpt(v, 'subject');
      if (id === undefined) throw new CliError('missing --subject ID', 2);
      const r = await ctx.call<{ templatesRemoved: number; filesRemoved: number; matchesRemoved: number }>('faces.erase', { subjectId: id });
      printOr(ctx, r, `Erased subject ${id}: ${r.templatesRemoved} templates, ${r.matchesRemoved} matches, ${r.filesRemoved} files.`);
    },
  },
  {
    path: ['faces', 'search'],
    summary: 'Search a photo against the watchlist',
    usage: 'penny faces search IMAGE [--limit N] [--json]',
    options: { limit: { type: 'string' } },
    positionals: true,
    async run(ctx, v, pos) {
      if (pos.length !== 1) throw new CliError('usage: penny faces search IMAGE', 2);
      const r = await ctx.call<SearchResult>('faces.search', { image: { path: resolve(pos[0]!) }, trigger: 'cli', limit: intOpt(v, 'limit') });
      const lines = [`${r.faces.length} face(s) in ${pos[0]} (search ${r.searchId})`];
      for (const f of r.faces) {
        const q = f.quality.ok ? '' : ` [low quality: ${f.quality.reasons.join('; ')}]`;
        const m = f.matches.length
          ? f.matches.map((c) => `${c.subjectName} (#${c.subjectId}) ${c.similarity}%${c.distance !== null ? ` d=${c.distance}` : ''}${c.suppressed ? ' (marked "not this person")' : ''}`).join(', ')
          : 'no match';
        lines.push(`  face ${f.index} at ${f.box.x},${f.box.y} ${f.box.width}×${f.box.height}: ${m}${q}`);
      }
      printOr(ctx, withoutThumbnails(r), lines.join('\n'));
    },
  },
  {
    path: ['faces', 'matches'],
    summary: 'Recent return-offender matches',
    usage: 'penny faces matches [--limit N] [--json]',
    options: { limit: { type: 'string' } },
    async run(ctx, v) {
      const list = await ctx.call<FaceMatch[]>('faces.matches', { limit: intOpt(v, 'limit') });
      printOr(
        ctx,
        withoutThumbnails(list),
        list.length ? list.map((m) => `${m.id}\t${new Date(m.at).toISOString()}\t${m.subjectName} (#${m.subjectId})\t${m.similarity}%\t${m.framesAgreeing}/${m.framesTotal} frames\t${m.status}`).join('\n') : 'No matches.',
      );
    },
  },
  {
    path: ['faces', 'eval'],
    summary: 'Evaluate the local engine on DIR (one folder of photos per identity)',
    usage: 'penny faces eval DIR [--json]',
    positionals: true,
    async run(ctx, _v, pos) {
      if (pos.length !== 1) throw new CliError('usage: penny faces eval DIR', 2);
      const r = await ctx.call<{
        identities: number;
        images: number;
        noFace: string[];
        rank1: number;
        rank1Correct: number;
        rank1Trials: number;
        tar: { far: number; tar: number; threshold: number }[];
        eer: number;
        chosenThreshold: number;
        msPerImage: number;
      }>('faces.eval', { dir: resolve(pos[0]!) });
      printOr(
        ctx,
        r,
        [
          `${r.identities} identities, ${r.images} images, ${r.noFace.length} without a detectable face${r.noFace.length ? `: ${r.noFace.join(', ')}` : ''}`,
          `rank-1 (leave-one-out): ${(r.rank1 * 100).toFixed(1)}% (${r.rank1Correct}/${r.rank1Trials})`,
          ...r.tar.map((t) => `TAR @ FAR ${t.far}: ${(t.tar * 100).toFixed(1)}% (threshold d < ${t.threshold})`),
          `EER ${(r.eer * 100).toFixed(2)}%; chosen threshold ${r.chosenThreshold}; ${r.msPerImage} ms per image`,
        ].join('\n'),
      );
    },
  },
];

