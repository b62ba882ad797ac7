import { useEffect, useMemo, useRef, useState } from 'react';
import type { Clip, OutputOf } from '../../../../services/contract/index';
import { api } from '../../api/client';
import { fmtTime, money } from './format';

type Txn = OutputOf<'exceptions.get'>['transactions'][number];

interface ReceiptLine {
  key: string;
  at: number;
  text: string;
  amount: number | null;
  header: boolean;
  status?: string;
}

const FRAME = 1 / 25;

/**
 * Receipt lines carry no time of their own, so each transaction's lines are spread evenly over its
 * start–end (or a few seconds when the POS gives no end): good enough to follow the video.
 */
function receiptOf(txns: Txn[]): ReceiptLine[] {
  const out: ReceiptLine[] = [];
  for (const t of txns) {
    const span = t.endedAt && t.endedAt > t.startedAt ? t.endedAt - t.startedAt : Math.max(4000, t.lines.length * 2000);
    out.push({ key: `${t.id}-h`, at: t.startedAt, text: `${t.role === 'primary' ? 'Flagged' : 'Related'} ${t.type.replace(/_/g, ' ')} · #${t.externalId ?? t.id}`, amount: t.amountCents, header: true });
    t.lines.forEach((l, i) => {
      out.push({
        key: `${t.id}-${l.seq}`,
        at: t.startedAt + Math.round(((i + 1) / (t.lines.length + 1)) * span),
        text: `${l.quantity != null && l.quantity !== 1 ? `${l.quantity} × ` : ''}${l.description || l.kind}`,
        amount: l.amountCents,
        header: false,
        status: l.status !== 'normal' ? l.status : undefined,
      });
    });
    for (const tn of t.tenders) out.push({ key: `${t.id}-t${tn.code}${tn.subCode}`, at: t.startedAt + span, text: `Tender ${tn.code}${tn.card ? ` ${tn.card}` : ''}`, amount: tn.amountCents, header: false });
  }
  return out.sort((a, b) => a.at - b.at);
}

/** The evidence player: clip video beside the receipt; the line at the current video time is highlighted and clicking a line seeks. */
export function EvidencePlayer({ clips, txns, flaggedAt, zone }: { clips: Clip[]; txns: Txn[]; flaggedAt: number; zone: string }) {
  const [clipIdx, setClipIdx] = useState(0);
  const clip = clips[clipIdx];
  const [url, setUrl] = useState<string>();
  const [urlError, setUrlError] = useState<string>();
  const [now, setNow] = useState<number | null>(null);
  const video = useRef<HTMLVideoElement>(null);
  const lines = useMemo(() => receiptOf(txns), [txns]);

  const loadUrl = () => {
    if (!clip) return;
    api
      .call('media.url', { path: clip.mediaPath })
      .then((r) => {
        setUrl(r.url);
        setUrlError(undefined);
      })
      .catch((e: Error) => setUrlError(e.message));
  };
  useEffect(() => {
    setUrl(undefined);
    setNow(clip ? clip.start : null);
    loadUrl();
  }, [clip?.id]);

  const current = now === null ? -1 : lines.reduce((best, l, i) => (l.at <= now ? i : best), -1);
  const seekTo = (at: number) => {
    if (!clip || !video.current) return;
    video.current.currentTime = Math.max(0, Math.min((at - clip.start) / 1000, clip.durationMs / 1000));
    setNow(at);
  };
  const step = (frames: number) => {
    const el = video.current;
    if (!el) return;
    el.pause();
    el.currentTime = Math.max(0, el.currentTime + frames * FRAME);
  };
  const markAt = clip ? (clip.at ?? flaggedAt) : flaggedAt;
  const markPct = clip ? Math.min(100, Math.max(0, ((markAt - clip.start) / Math.max(1, clip.end - clip.start)) * 100)) : 0;
  const posPct = clip && now !== null ? Math.min(100, Math.max(0, ((now - clip.start) / Math.max(1, clip.end - clip.start)) * 100)) : 0;

  return (
    <div className="evidence">
      <div className="ev-video">
        {clip ? (
          <>
            {url ? (
              <video
                ref={video}
                src={url}
                controls
                playsInline
                preload="metadata"
                aria-label={`Clip ${clip.id}`}
                onTimeUpdate={(e) => setNow(clip.start + Math.round(e.currentTarget.currentTime * 1000))}
                onSeeked={(e) => setNow(clip.start + Math.round(e.currentTarget.currentTime * 1000))}
                onError={() => loadUrl()}
              />
            ) : (
              <div className="ev-placeholder dim">{urlError ?? 'Loading clip…'}</div>
            )}
            <div className="ev-timeline" aria-hidden="true" onClick={(e) => {
              const r = e.currentTarget.getBoundingClientRect();
              seekTo(clip.start + ((e.clientX - r.left) / r.width) * (clip.end - clip.start));
            }}>
              <span className="ev-pos" style={{ left: `${posPct}%` }} />
              <span className="ev-mark" style={{ left: `${markPct}%` }} title="Flagged moment" />
            </div>
            <div className="row ev-controls">
              <button className="btn" onClick={() => step(-1)} aria-label="Previous frame">◀ Frame</button>
              <button className="btn" onClick={() => step(1)} aria-label="Next frame">Frame ▶</button>
              <button className="btn" onClick={() => seekTo(markAt)}>Go to flagged moment</button>
              <span className="grow" />
              <span className="dim">{now !== null ? fmtTime(now, zone, true) : ''}</span>
            </div>
            {clips.length > 1 && (
              <div className="row" role="group" aria-label="Cameras">
                {clips.map((c, i) => (
                  <button key={c.id} className={`btn ${i === clipIdx ? 'primary' : ''}`} onClick={() => setClipIdx(i)}>
                    Camera {c.cameraId ?? '–'} · clip {c.id}
                  </button>
                ))}
              </div>
            )}
            {clip.missing.length > 0 && <p className="dim">Not fully recorded: {clip.missing.map((m) => m.text).join('; ')}</p>}
          </>
        ) : (
          <div className="ev-placeholder">
            <strong>No clip for this exception</strong>
            <span className="dim">Clips are cut automatically when a camera is mapped to this register and recordings cover the time.</span>
          </div>
        )}
      </div>
      <ol className="receipt" aria-label="Receipt">
        {lines.map((l, i) => (
          <li key={l.key} className={`${l.header ? 'rc-head' : ''} ${i === current ? 'rc-now' : ''}`} aria-current={i === current ? 'true' : undefined}>
            <button type="button" onClick={() => seekTo(l.at)} disabled={!clip} title={clip ? 'Play from this line' : undefined}>
              <span className="rc-time dim">{fmtTime(l.at, zone, true)}</span>
              <span className="rc-text">{l.text}{l.status && <em className="rc-status"> {l.status}</em>}</span>
              <span className="rc-amt">{l.amount !== null ? money(l.amount) : ''}</span>
            </button>
          </li>
        ))}
        {!lines.length && <li className="dim">No receipt lines in the report.</li>}
      </ol>
    </div>
  );
}
