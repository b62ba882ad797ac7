import { useRef, useState, type DragEvent, type FormEvent } from 'react';
import { api, ApiError, uploadFile } from '../../api/client';
import { useQuery } from '../../api/hooks';
import { ErrorBanner, fieldErrors, TextField } from '../../ui/kit';
import type { OutputOf } from '../../../../services/contract/index';
import './settings-sections.css';

type Status = OutputOf<'faces.status'>;
type Subject = OutputOf<'faces.subjects'>[number];
type Enrolled = OutputOf<'faces.enroll'>;

const asError = (e: unknown) => (e instanceof ApiError ? e : new ApiError({ code: 'internal', message: String(e) }));
/** Actors look like user:1:alex; people want the name. */
const who = (actor: string) => actor.replace(/^user:\d+:/, '');
const day = (ms: number) => new Date(ms).toLocaleDateString([], { dateStyle: 'medium' });

/** Settings → Face search: the biometrics switch, the watchlist and enrolment. */
export function FaceSearch() {
  const status = useQuery(() => api.call('faces.status', {}), []);
  const subjects = useQuery(() => api.call('faces.subjects', { includeExpired: true }), []);
  const reload = () => { status.reload(); subjects.reload(); };
  return (
    <div className="sx-stack">
      <ErrorBanner error={status.error} />
      {status.data && <Switch status={status.data} onChange={reload} />}
      <Watchlist subjects={subjects.data} error={subjects.error} onChange={reload} />
      <Enroll onEnrolled={reload} />
    </div>
  );
}

function Switch({ status: s, onChange }: { status: Status; onChange(): void }) {
  const [ack, setAck] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  const flip = async () => {
    setBusy(true);
    try {
      if (s.enabled) await api.call('faces.disable', {});
      else await api.call('faces.enable', { acknowledgeSignage: true });
      setError(undefined);
      setAck(false);
      onChange();
    } catch (e) {
      setError(asError(e));
    } finally {
      setBusy(false);
    }
  };
  const threshold = s.engine === 'local' ? `distance ≤ ${s.maxDistance}` : `similarity ≥ ${s.minSimilarity}%`;
  return (
    <section className="card">
      <h2>Face search</h2>
      <div className="sx-status" data-testid="faces-status">
        <span className={`badge ${s.enabled ? 'sx-online' : 'sx-unknown'}`}>{s.enabled ? 'On' : 'Off'}</span>
        <span>{s.enabled ? `Face search is on${s.changedBy ? ` (turned on by ${who(s.changedBy)}${s.signageAcknowledgedAt ? `, ${day(s.signageAcknowledgedAt)}` : ''})` : ''}.` : 'Face search is off. No faces are searched or stored.'}</span>
      </div>
      <dl className="sx-facts" style={{ margin: '14px 0' }}>
        <dt>Engine</dt><dd>{s.engine === 'local' ? 'On this station (offline)' : 'Amazon Rekognition'}</dd>
        <dt>Match threshold</dt><dd>{threshold}</dd>
        <dt>Return offender</dt><dd>{s.agreeK} of {s.agreeN} frames must agree</dd>
        <dt>Watchlist</dt><dd>{s.subjects} subject{s.subjects === 1 ? '' : 's'}, {s.templates} face{s.templates === 1 ? '' : 's'}</dd>
      </dl>
      {!s.enabled && (
        <label className="sx-ack">
          <input type="checkbox" checked={ack} onChange={(e) => setAck(e.target.checked)} />
          <span>Signs telling customers that face recognition is in use are posted at every entrance of this store, as the law here requires.</span>
        </label>
      )}
      <ErrorBanner error={error} />
      <button className={`btn ${s.enabled ? 'danger' : 'primary'}`} type="button" disabled={busy || (!s.enabled && !ack)} onClick={() => void flip()}>
        {s.enabled ? 'Turn face search off' : 'Turn face search on'}
      </button>
    </section>
  );
}

function Watchlist({ subjects, error, onChange }: { subjects?: Subject[]; error?: ApiError; onChange(): void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [target, setTarget] = useState<Subject>();
  const [msg, setMsg] = useState<{ text: string; ok: boolean }>();
  const ask = (s: Subject) => { setTarget(s); dialog.current?.showModal(); };
  const erase = async () => {
    if (!target) return;
    dialog.current?.close();
    try {
      const r = await api.call('faces.erase', { subjectId: target.id });
      setMsg({ text: `Erased ${target.name}: ${r.templatesRemoved} face${r.templatesRemoved === 1 ? '' : 's'} and ${r.matchesRemoved} match${r.matchesRemoved === 1 ? '' : 'es'} removed.`, ok: true });
      onChange();
    } catch (e) {
      setMsg({ text: asError(e).message, ok: false });
    }
  };
  return (
    <section className="card">
      <h2>Watchlist</h2>
      <ErrorBanner error={error} />
      {msg && <div className={`banner ${msg.ok ? 'ok' : 'error'}`} role={msg.ok ? 'status' : 'alert'}>{msg.text}</div>}
      {subjects && !subjects.length && <p className="dim">Nobody is on the watchlist.</p>}
      {subjects?.map((s) => (
        <div className="sx-subject" key={s.id} aria-label={`Subject ${s.name}`} role="group">
          {s.thumbnail ? <img src={`data:image/jpeg;base64,${s.thumbnail}`} alt="" /> : <span className="sx-noface" />}
          <div>
            <strong>{s.name}</strong> {s.source === 'network' && <span className="badge">Network</span>}
            <div className={s.expired ? 'sx-warn' : 'dim'}>{s.expired ? 'Expired' : 'Expires'} {day(s.expiresAt)} · {s.templates} face{s.templates === 1 ? '' : 's'}</div>
          </div>
          <button className="btn danger" type="button" onClick={() => ask(s)}>Erase</button>
        </div>
      ))}
      <dialog ref={dialog} className="sx-dialog" aria-labelledby="sx-erase-title">
        <h2 id="sx-erase-title">Erase {target?.name}?</h2>
        <p>Their faces, thumbnails, matches and feedback are deleted from this station for good.</p>
        <div className="row">
          <button className="btn danger" type="button" onClick={() => void erase()}>Erase for good</button>
          <button className="btn" type="button" onClick={() => dialog.current?.close()}>Cancel</button>
        </div>
      </dialog>
    </section>
  );
}

function Enroll({ onEnrolled }: { onEnrolled(): void }) {
  const [form, setForm] = useState({ name: '', consentNote: '', expires: '' });
  const [files, setFiles] = useState<File[]>([]);
  const [over, setOver] = useState(false);
  const [progress, setProgress] = useState<string>();
  const [error, setError] = useState<ApiError>();
  const [result, setResult] = useState<Enrolled>();
  const errs = fieldErrors(error);
  const pick = (list: FileList | null) => setFiles([...(list ?? [])].filter((f) => /^image\//.test(f.type) || /\.(jpe?g|png|webp)$/i.test(f.name)));
  const drop = (e: DragEvent) => { e.preventDefault(); setOver(false); pick(e.dataTransfer.files); };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    setResult(undefined);
    if (!files.length) return setError(new ApiError({ code: 'invalid_input', message: 'Add at least one photo of the person.' }));
    try {
      const paths: string[] = [];
      for (const [i, f] of files.entries()) {
        setProgress(`Uploading photo ${i + 1} of ${files.length}…`);
        paths.push(await uploadFile(f, () => {}));
      }
      setProgress('Finding faces…');
      const expiresAt = form.expires ? new Date(`${form.expires}T23:59:59`).getTime() : undefined;
      const r = await api.call('faces.enroll', {
        subject: { name: form.name, consentNote: form.consentNote, source: 'local', ...(expiresAt ? { expiresAt } : {}) },
        images: paths.map((path) => ({ image: { path } })),
        sourceRef: 'settings upload',
      });
      setResult(r);
      setFiles([]);
      setForm({ name: '', consentNote: '', expires: '' });
      onEnrolled();
    } catch (err) {
      setError(asError(err));
    } finally {
      setProgress(undefined);
    }
  };
  return (
    <form className="card" onSubmit={submit} noValidate aria-label="Enroll a person">
      <h2>Enroll a person</h2>
      <p className="dim">Clear, front-facing photos work best. Faces that are too small, blurred or turned away are refused.</p>
      <div className="form-grid">
        <TextField label="Name or label" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} error={errs['subject.name'] ?? errs.name} />
        <TextField label="Expires on" type="date" hint="Default: 12 months from today." value={form.expires} onChange={(e) => setForm({ ...form, expires: e.target.value })} />
      </div>
      <TextField label="Reason and legal basis" placeholder="Case 14: repeat theft, police report 2026-1142" value={form.consentNote} onChange={(e) => setForm({ ...form, consentNote: e.target.value })} error={errs['subject.consentNote'] ?? errs.consentNote} />
      <div className={`sx-drop${over ? ' over' : ''}`} onDragOver={(e) => { e.preventDefault(); setOver(true); }} onDragLeave={() => setOver(false)} onDrop={drop}>
        <p>{files.length ? `${files.length} photo${files.length === 1 ? '' : 's'}: ${files.map((f) => f.name).join(', ')}` : 'Drop photos here'}</p>
        <label className="btn">
          Choose photos
          <input type="file" accept="image/*" multiple hidden onChange={(e) => pick(e.target.files)} aria-label="Photos to enroll" />
        </label>
      </div>
      {progress && <div className="sx-progress" role="status"><progress aria-label="Enrolment progress" /> <span>{progress}</span></div>}
      <ErrorBanner error={error && !(errs['subject.name'] || errs['subject.consentNote'] || errs.name || errs.consentNote) ? error : undefined} />
      {result && (
        <div className={`banner ${result.added.length ? 'ok' : 'error'}`} role="status">
          {result.subject.name}: {result.added.length} face{result.added.length === 1 ? '' : 's'} enrolled.
          {result.rejected.map((r) => ` Photo ${r.image + 1} refused: ${r.reason}.`).join('')}
        </div>
      )}
      <button className="btn primary" type="submit" disabled={!!progress}>Enroll</button>
    </form>
  );
}
