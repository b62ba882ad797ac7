import { PennyError } from '../../contract/errors.js';
import { audit, type Net } from './context.js';
import { hmacHex, safeEqual } from './util.js';

/** Signed evidence links live at most 5 minutes; a page asks for fresh ones each time it renders. */
export const SIGNED_URL_MAX_TTL_MS = 5 * 60 * 1000;

export interface Viewer {
  id: string;
  role: 'ops' | 'store_admin' | 'subject';
  storeId: string | null;
  offenderId: string | null;
}

/** Only Ops, the person the case is about, and the case's own store may see its evidence. */
export async function canViewEvidence(net: Net, viewer: Viewer, evidenceId: string) {
  const ev = await net.db
    .selectFrom('evidence')
    .innerJoin('cases', 'cases.id', 'evidence.case_id')
    .select(['evidence.id', 'evidence.store_id', 'evidence.status', 'cases.offender_id', 'cases.status as caseStatus'])
    .where('evidence.id', '=', evidenceId)
    .executeTakeFirst();
  if (!ev || ev.status !== 'complete') return false;
  if (viewer.role === 'ops') return true;
  if (viewer.role === 'store_admin') return viewer.storeId === ev.store_id;
  return ev.caseStatus === 'approved' && viewer.offenderId !== null && ev.offender_id === viewer.offenderId;
}

export function signEvidenceUrl(net: Net, kind: 'evidence' | 'attachment', id: string, viewerId: string, ttlMs = SIGNED_URL_MAX_TTL_MS): string {
  const exp = net.now() + Math.min(ttlMs, SIGNED_URL_MAX_TTL_MS);
  const sig = hmacHex(net.secret, `${kind}.${id}.${viewerId}.${exp}`);
  return `/files/${kind}/${encodeURIComponent(id)}?v=${encodeURIComponent(viewerId)}&exp=${exp}&sig=${sig}`;
}

/** Checks a signed link and writes the audit entry for this read. */
export async function verifySignedRead(net: Net, kind: 'evidence' | 'attachment', id: string, q: { v?: string; exp?: string; sig?: string }) {
  const exp = Number(q.exp);
  if (!q.v || !q.sig || !Number.isInteger(exp)) throw new PennyError('forbidden', 'this link is incomplete; open the evidence from the page again');
  if (!safeEqual(hmacHex(net.secret, `${kind}.${id}.${q.v}.${exp}`), q.sig)) throw new PennyError('forbidden', 'this link is not valid');
  if (exp <= net.now()) throw new PennyError('forbidden', 'this link has expired; reload the page for a fresh one');
  if (exp > net.now() + SIGNED_URL_MAX_TTL_MS) throw new PennyError('forbidden', 'this link is not valid');
  if (kind === 'evidence') {
    const ev = await net.db.selectFrom('evidence').select(['storage_key', 'mime', 'size', 'case_id']).where('id', '=', id).where('status', '=', 'complete').executeTakeFirst();
    if (!ev) throw new PennyError('not_found', 'no such evidence');
    await audit(net.db, net.now(), q.v, 'evidence.read', 'evidence', id, { caseId: ev.case_id });
    return ev;
  }
  const at = await net.db.selectFrom('dispute_attachments').select(['storage_key', 'mime', 'size', 'dispute_id']).where('id', '=', id).executeTakeFirst();
  if (!at) throw new PennyError('not_found', 'no such attachment');
  await audit(net.db, net.now(), q.v, 'attachment.read', 'dispute_attachment', id, { disputeId: at.dispute_id });
  return at;
}
