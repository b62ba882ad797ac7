import { useState, type DragEvent, type FormEvent } from 'react';
import type { Case, OutputOf } from '../../../../services/contract/index';
import { api, ApiError, uploadFile } from '../../api/client';
import { useQuery } from '../../api/hooks';
import { ErrorBanner } from '../../ui/kit';
import './faces.css';

type Found = OutputOf<'faces.detect'>['faces'][number];

/**
 * "Enroll offender's face" on a case: a photo is uploaded, its faces are detected (best quality first),
 * the reviewer picks the offender's face and it goes on the watchlist; the subject is then linked to the
 * case as its offender candidate. Shown only to managers, and only while face search is on.
 */
export function FaceEnroll({ c, onLinked }: { c: Case; onLinked(): void }) {
  const status = useQuery(() => api.call('faces.status', {}).catch(() => null), [], ['faces.privacyChanged', 'faces.subjectEnrolled']);
  const [open, setOpen] = useState(false);
  const [phase, setPhase] = useState<'idle' | 'uploading' | 'detecting' | 'enrolling'>('idle');
  const [sent, setSent] = useState(0);
  const [image, setImage] = useState<{ path: string; name: string; faces: Found[] }>();
  const [pick, setPick] = useState<number>();
  const [name, setName] = useState('');
  const [consent, setConsent] = useState('');
  const [error, setError] = useState<ApiError>();
  const [done, setDone] = useState<string>();

  if (!status.data?.enabled) {
    return status.data ? <p className="dim fe-off">Face search is off. An admin can turn it on in Settings to enroll offenders' faces.</p> : null;
  }

  const start = () => {
    setOpen(true);
    setDone(undefined);
    setImage(undefined);
    setPick(undefined);
    setName(c.offender ?? '');
    setConsent(`Offender in case #${c.id}, identified by a reviewer from store evidence.`);
  };

  const choose = async (file: File | undefined) => {
    if (!file) return;
    setError(undefined);
    setImage(undefined);
    setPick(undefined);
    try {
      setPhase('uploading');
      setSent(0);
      const path = await uploadFile(file, (s, total) => setSent(total ? s / total : 0));
      setPhase('detecting');
      const r = await api.call('faces.detect', { image: { path } });
      setImage({ path, name: file.name, faces: r.faces });
      const firstGood = r.faces.find((f) => f.quality.ok);
      setPick(firstGood?.index);
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setPhase('idle');
    }
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    e.stopPropagation();
    void choose(e.dataTransfer.files[0]);
  };

  const enroll = async (e: FormEvent) => {
    e.preventDefault();
    if (!image || pick === undefined) return;
    setError(undefined);
    setPhase('enrolling');
    try {
      const images = [{ image: { path: image.path }, face: pick }];
      const sourceRef = `case:${c.id}`;
      const r = c.subjectId
        ? await api.call('faces.enroll', { subjectId: c.subjectId, images, sourceRef })
        : await api.call('faces.enroll', { subject: { name: name.trim(), consentNote: consent.trim(), caseId: c.id, source: 'local' }, images, sourceRef });
      if (c.subjectId !== r.subject.id) await api.call('cases.update', { id: c.id, subjectId: r.subject.id, ...(c.offender ? {} : { offender: r.subject.name }) });
      setDone(`${r.subject.name} is on the watchlist (subject #${r.subject.id}, ${r.subject.templates} face${r.subject.templates === 1 ? '' : 's'}).`);
      setOpen(false);
      onLinked();
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setPhase('idle');
    }
  };

  const busy = phase !== 'idle';
  return (
    <div className="fe">
      {done && <div className="banner ok" role="status">{done}</div>}
      {!open ? (
        <button className="btn" type="button" onClick={start}>{c.subjectId ? "Add another photo of the offender's face" : "Enroll offender's face"}</button>
      ) : (
        <form className="fe-panel" onSubmit={enroll} aria-label="Enroll offender's face" noValidate>
          <h3>{c.subjectId ? `Add a face to subject #${c.subjectId}` : "Enroll offender's face"}</h3>
          <ErrorBanner error={error} />
          <label className="fe-drop" onDragOver={(e) => e.preventDefault()} onDrop={onDrop}>
            <span>{image ? `Photo: ${image.name} — choose another` : 'Drop a photo of the offender here, or choose one'}</span>
            <input type="file" accept="image/jpeg,image/png,image/webp" aria-label="Offender photo" disabled={busy} onChange={(e) => void choose(e.target.files?.[0])} />
          </label>
          {phase === 'uploading' && (
            <p className="dim" role="status">Uploading… <progress max={1} value={sent} /></p>
          )}
          {phase === 'detecting' && <p className="dim" role="status">Finding faces… <progress /></p>}
          {image && !image.faces.length && <p className="banner error" role="alert">No face was found in {image.name}. Try a sharper, front-facing photo.</p>}
          {image && !!image.faces.length && (
            <fieldset className="fe-faces">
              <legend>Pick the offender's face (best quality first)</legend>
              {image.faces.map((f) => (
                <label key={f.index} className={`fe-face${pick === f.index ? ' picked' : ''}${f.quality.ok ? '' : ' low'}`}>
                  <input type="radio" name="face" value={f.index} checked={pick === f.index} disabled={!f.quality.ok || busy} onChange={() => setPick(f.index)} />
                  <img src={`data:image/jpeg;base64,${f.thumbnail}`} alt={`Face ${f.index + 1}`} />
                  <span>Face {f.index + 1} · quality {Math.round(f.quality.score * 100)}%</span>
                  {!f.quality.ok && <span className="fe-why">Too poor to enroll: {f.quality.reasons.join('; ')}</span>}
                </label>
              ))}
            </fieldset>
          )}
          {!c.subjectId && (
            <div className="form-grid">
              <label className="field">
                <span>Name or description</span>
                <input value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. man in red cap" required />
              </label>
              <label className="field">
                <span>Legal basis / consent note</span>
                <input value={consent} onChange={(e) => setConsent(e.target.value)} required />
              </label>
            </div>
          )}
          <div className="row">
            <button type="button" className="btn" onClick={() => setOpen(false)} disabled={busy}>Cancel</button>
            <button type="submit" className="btn primary" disabled={busy || pick === undefined || (!c.subjectId && (!name.trim() || !consent.trim()))}>
              {phase === 'enrolling' ? 'Enrolling…' : 'Enroll this face'}
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
