import type { OutputOf } from '../../../../services/contract/index';

export type Alert = OutputOf<'alerts.list'>[number];
export type Exc = OutputOf<'exceptions.list'>['items'][number];
export type Clip = OutputOf<'clips.list'>[number];
export type FaceMatch = OutputOf<'faces.matches'>[number];
export type Health = OutputOf<'cameras.health'>[number];

export interface MonitorItem {
  key: string;
  kind: 'exception' | 'face' | 'camera' | 'alert';
  at: number;
  title: string;
  detail: string;
  severity: 'low' | 'medium' | 'high' | 'critical';
  /** 0–1, or null when the item is not a judgement (a camera outage). */
  confidence: number | null;
  camera: string | null;
  register: string | null;
  status: string;
  exception?: Exc;
  clip?: Clip;
  match?: FaceMatch;
  alertId?: number;
  amountCents?: number;
}

const SEVERITY_BASE = { low: 0.45, medium: 0.6, high: 0.78, critical: 0.9 } as const;

/**
 * One number a tired manager can sort by: the strongest rule's severity, raised a little by every
 * other rule that agrees, and by a clip being there to look at. Capped below 1: it is a lead, not proof.
 */
export function exceptionConfidence(e: Exc, hasClip: boolean): number {
  const top = Math.max(...e.reasons.map((r) => SEVERITY_BASE[r.severity]), SEVERITY_BASE[e.severity]);
  const agree = Math.max(0, e.reasons.length - 1) * 0.06;
  return Math.min(0.97, top + agree + (hasClip ? 0.03 : 0));
}

/** Face confidence: similarity, weighted by how many sampled frames agreed. */
export function faceConfidence(m: FaceMatch): number {
  const agree = m.framesTotal > 0 ? m.framesAgreeing / m.framesTotal : 0;
  // similarity is 0–100 (contract), confidence 0–1.
  return Math.max(0, Math.min(0.99, (m.similarity / 100) * (0.7 + 0.3 * agree)));
}

export function buildItems(input: { alerts: Alert[]; exceptions: Exc[]; clips: Clip[]; matches: FaceMatch[]; health: Health[]; cameraNames: Map<number, string> }): MonitorItem[] {
  const excById = new Map(input.exceptions.map((e) => [e.id, e]));
  const clipByExc = new Map<number, Clip>();
  for (const c of input.clips) if (c.exceptionId != null && !clipByExc.has(c.exceptionId)) clipByExc.set(c.exceptionId, c);
  const items: MonitorItem[] = [];
  const seenExc = new Set<number>();
  const camName = (id: number | null | undefined) => (id != null ? (input.cameraNames.get(id) ?? `Camera ${id}`) : null);

  for (const a of input.alerts) {
    if (a.source === 'summary') continue;
    const excId = a.entity === 'exception' && a.entityId ? Number(a.entityId) : null;
    const e = excId != null ? excById.get(excId) : undefined;
    if (e) {
      seenExc.add(e.id);
      const clip = clipByExc.get(e.id);
      items.push({
        key: `a${a.id}`,
        kind: 'exception',
        at: e.startedAt,
        title: a.title,
        detail: e.reasons.map((r) => r.detail || r.ruleName).join(' · '),
        severity: e.severity,
        confidence: exceptionConfidence(e, !!clip),
        camera: camName(clip?.cameraId),
        register: e.register,
        status: e.status,
        exception: e,
        clip,
        alertId: a.id,
        amountCents: e.amountCents,
      });
    } else if (a.source !== 'face' && a.source !== 'camera') {
      items.push({ key: `a${a.id}`, kind: 'alert', at: a.createdAt, title: a.title, detail: a.body, severity: a.severity, confidence: null, camera: null, register: a.register, status: a.status, alertId: a.id });
    }
  }
  // Exceptions whose alert is not in the page (older alerts, or alerts switched off) still belong here.
  for (const e of input.exceptions) {
    if (seenExc.has(e.id)) continue;
    const clip = clipByExc.get(e.id);
    items.push({
      key: `e${e.id}`,
      kind: 'exception',
      at: e.startedAt,
      title: `${e.reasons[0]?.ruleName ?? 'Exception'} — ${e.type.replace(/_/g, ' ')}${e.register ? ` on register ${e.register}` : ''}`,
      detail: e.reasons.map((r) => r.detail || r.ruleName).join(' · '),
      severity: e.severity,
      confidence: exceptionConfidence(e, !!clip),
      camera: camName(clip?.cameraId),
      register: e.register,
      status: e.status,
      exception: e,
      clip,
      amountCents: e.amountCents,
    });
  }
  for (const m of input.matches) {
    items.push({
      key: `f${m.id}`,
      kind: 'face',
      at: m.at,
      title: `Possible return: ${m.subjectName}`,
      detail: `${m.framesAgreeing} of ${m.framesTotal} frames agree, similarity ${Math.round(m.similarity)}%`,
      severity: 'high',
      confidence: faceConfidence(m),
      camera: camName(m.cameraId),
      register: null,
      status: m.status,
      match: m,
    });
  }
  for (const h of input.health) {
    if (h.state !== 'offline') continue;
    items.push({
      key: `c${h.cameraId}`,
      kind: 'camera',
      at: h.offlineSince ?? h.checkedAt ?? 0,
      title: `${camName(h.cameraId)} is offline`,
      detail: h.error ?? 'No picture from this camera. Check its power and network cable.',
      severity: 'high',
      confidence: null,
      camera: camName(h.cameraId),
      register: null,
      status: 'offline',
    });
  }
  return items.sort((a, b) => b.at - a.at);
}

export function incidentSummary(item: MonitorItem, storeName: string, tz: string | undefined): string {
  const when = new Date(item.at).toLocaleString(undefined, { timeZone: tz, dateStyle: 'full', timeStyle: 'short' });
  const lines = [
    `Incident report — ${storeName}`,
    `When: ${when}`,
    `What: ${item.title}`,
    item.register ? `Register: ${item.register}` : '',
    item.camera ? `Camera: ${item.camera}` : '',
    item.amountCents != null ? `Amount: $${(Math.abs(item.amountCents) / 100).toFixed(2)}` : '',
    item.detail ? `Details: ${item.detail}` : '',
    item.exception ? `Penny exception #${item.exception.id}; video evidence is kept on the store's Penny station.` : '',
    'Reported by store management.',
  ];
  return lines.filter(Boolean).join('\n');
}
