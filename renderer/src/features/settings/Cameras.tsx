import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError } from '../../api/client';
import { useQuery } from '../../api/hooks';
import { can, useSession } from '../../session';
import { ErrorBanner, fieldErrors, TextField } from '../../ui/kit';
import { LiveTile } from './LiveTile';
import type { OutputOf } from '../../../../services/contract/index';
import './settings-sections.css';

type CameraView = OutputOf<'cameras.status'>[number];
type StreamTest = OutputOf<'cameras.test'>;
type Device = OutputOf<'cameras.discover'>['devices'][number];

const asError = (e: unknown) => (e instanceof ApiError ? e : new ApiError({ code: 'internal', message: String(e) }));
const when = (ms: number | null) => (ms ? new Date(ms).toLocaleString([], { dateStyle: 'short', timeStyle: 'medium' }) : 'never');

/** Settings → Cameras: health for everyone; adding, discovery and the register map for admins. */
export function Cameras() {
  const { user } = useSession();
  const admin = can(user, 'admin');
  const cams = useQuery(() => api.call('cameras.status', {}), [], ['camera.healthChanged']);
  return (
    <div className="sx-stack">
      <section className="card">
        <div className="row">
          <h2 className="grow">Cameras</h2>
          <button className="btn" type="button" onClick={() => void api.call('cameras.health', { refresh: true }).then(cams.reload, cams.reload)}>Check now</button>
        </div>
        <ErrorBanner error={cams.error} />
        {cams.data?.length ? (
          <div className="sx-grid">
            {cams.data.map((c) => <CameraCard key={c.id} camera={c} onChange={cams.reload} />)}
          </div>
        ) : (
          <p className="dim">{cams.loading ? 'Loading…' : admin ? 'No cameras yet. Add one by its RTSP URL or find ONVIF cameras below.' : 'No cameras yet. An admin adds them here.'}</p>
        )}
      </section>
      {admin && <AddRtsp onAdded={cams.reload} />}
      {admin && <Discover onAdded={cams.reload} />}
      <RegisterMap cameras={cams.data ?? []} admin={admin} />
    </div>
  );
}

function HealthBadge({ state }: { state: CameraView['health']['state'] }) {
  const label = state === 'online' ? 'Online' : state === 'offline' ? 'Offline' : 'Not checked';
  return <span className={`badge sx-${state}`}>{label}</span>;
}

function CameraCard({ camera: c, onChange }: { camera: CameraView; onChange(): void }) {
  const { user } = useSession();
  const [shot, setShot] = useState<string>();
  const [busy, setBusy] = useState('');
  const [error, setError] = useState<ApiError>();
  const [test, setTest] = useState<StreamTest>();
  const [live, setLive] = useState(false);
  const run = async (what: string, fn: () => Promise<void>) => {
    setBusy(what);
    setError(undefined);
    try {
      await fn();
    } catch (e) {
      setError(asError(e));
    } finally {
      setBusy('');
    }
  };
  const snapshot = () =>
    run('snapshot', async () => {
      const s = await api.call('cameras.snapshot', { id: c.id });
      // The command gives an absolute path; media URLs take it relative to the data dir.
      const rel = s.path.replace(/\\/g, '/').replace(/^.*?\/(snapshots\/)/, '$1');
      setShot((await api.call('media.url', { path: rel })).url);
    });
  const h = c.health;
  return (
    <article className="sx-cam" aria-label={c.name}>
      {live ? (
        <div className="sx-tile lv-host">
          <LiveTile cameraId={c.id} name={c.name} manager={can(user, 'manager')} />
        </div>
      ) : (
        <div className={`sx-tile${shot ? '' : ' sx-noshot'}`}>
          {shot ? <img src={shot} alt={`Snapshot from ${c.name}`} onError={() => setShot(undefined)} /> : <span className="dim">No snapshot yet</span>}
        </div>
      )}
      <div className="row">
        <h3 className="grow">{c.name}</h3>
        <HealthBadge state={h.state} />
      </div>
      <dl className="sx-facts">
        <dt>Last frame</dt><dd>{when(h.lastFrameAt)}</dd>
        <dt>Bitrate</dt><dd>{h.bitrateKbps != null ? `${Math.round(h.bitrateKbps)} kbps` : '—'}</dd>
        <dt>Source</dt><dd className="sx-url">{c.onvif ? `${c.onvif.manufacturer} ${c.onvif.model}` : c.rtspUrl}</dd>
        {!c.enabled && (<><dt>Recording</dt><dd>Disabled</dd></>)}
      </dl>
      {h.error && <p className="sx-warn">{h.error}</p>}
      <div className="row">
        <button className={`btn${live ? '' : ' primary'}`} type="button" aria-pressed={live} onClick={() => setLive(!live)}>{live ? 'Close live view' : 'Live'}</button>
        {can(user, 'manager') && (
          <>
            <button className="btn" type="button" disabled={!!busy} onClick={() => void snapshot()}>{busy === 'snapshot' ? 'Taking…' : 'Snapshot'}</button>
            <button className="btn" type="button" disabled={!!busy} onClick={() => void run('test', async () => setTest(await api.call('cameras.test', { id: c.id })))}>{busy === 'test' ? 'Testing…' : 'Test'}</button>
          </>
        )}
      </div>
      {test && <TestResult t={test} />}
      <ErrorBanner error={error} />
      {can(user, 'admin') && <ClockOffset cameraId={c.id} onSaved={onChange} />}
    </article>
  );
}

function TestResult({ t }: { t: StreamTest }) {
  return (
    <div className="banner ok" role="status">
      Connected: {t.codec.toUpperCase()} {t.width}×{t.height}
      {t.fps ? ` at ${Math.round(t.fps * 10) / 10} fps` : ''}, first frame in {(t.firstFrameMs / 1000).toFixed(1)} s.
    </div>
  );
}

/** The offset between this camera's clock and the POS clock, so clips line up with receipts. */
function ClockOffset({ cameraId, onSaved }: { cameraId: number; onSaved(): void }) {
  const list = useQuery(() => api.call('cameras.list', {}), []);
  const current = list.data?.find((x) => x.id === cameraId)?.clockOffsetMs ?? 0;
  const [value, setValue] = useState<string>();
  const [msg, setMsg] = useState<string>();
  const [error, setError] = useState<ApiError>();
  const save = async (e: FormEvent) => {
    e.preventDefault();
    const secs = Number(value ?? current / 1000);
    if (!Number.isFinite(secs)) return setError(new ApiError({ code: 'invalid_input', message: 'Clock offset must be a number of seconds, e.g. -4.5.' }));
    try {
      const now = Date.now();
      await api.call('cameras.calibrate', { cameraId, posAt: now, videoAt: now + Math.round(secs * 1000) });
      setError(undefined);
      setMsg('Saved.');
      list.reload();
      onSaved();
    } catch (err) {
      setError(asError(err));
    }
  };
  return (
    <details className="sx-inline">
      <summary>Clock offset: {current / 1000} s</summary>
      <form onSubmit={save} noValidate>
      <TextField label="Clock offset (seconds)" hint="How far the camera clock runs ahead of the register (negative: behind)." inputMode="decimal" value={value ?? String(current / 1000)} onChange={(e) => { setValue(e.target.value); setMsg(undefined); }} />
      <button className="btn" type="submit">Save offset</button>
      {msg && <span role="status" className="sx-okword">{msg}</span>}
      <ErrorBanner error={error} />
      </form>
    </details>
  );
}

function AddRtsp({ onAdded }: { onAdded(): void }) {
  const empty = { name: '', rtspUrl: '', user: '', password: '' };
  const [form, setForm] = useState(empty);
  const [busy, setBusy] = useState('');
  const [test, setTest] = useState<StreamTest>();
  const [error, setError] = useState<ApiError>();
  const [added, setAdded] = useState<string>();
  const errs = fieldErrors(error);
  const set = (k: keyof typeof empty) => (e: { target: { value: string } }) => { setForm({ ...form, [k]: e.target.value }); setTest(undefined); setAdded(undefined); };
  const withCreds = () => {
    // cameras.test takes only a URL: put typed credentials into it for the probe.
    if (!form.user) return form.rtspUrl.trim();
    return form.rtspUrl.trim().replace(/^(rtsps?:\/\/)/i, `$1${encodeURIComponent(form.user)}:${encodeURIComponent(form.password)}@`);
  };
  const doTest = async () => {
    setBusy('test');
    setError(undefined);
    setTest(undefined);
    try {
      setTest(await api.call('cameras.test', { rtspUrl: withCreds() }));
    } catch (e) {
      setError(asError(e));
    } finally {
      setBusy('');
    }
  };
  const add = async (e: FormEvent) => {
    e.preventDefault();
    setBusy('add');
    setError(undefined);
    try {
      const c = await api.call('cameras.addRtsp', { name: form.name, rtspUrl: form.rtspUrl, ...(form.user ? { user: form.user, password: form.password } : {}), test: !!test });
      setForm(empty);
      setTest(undefined);
      setAdded(`Added ${c.name}.`);
      onAdded();
    } catch (err) {
      setError(asError(err));
    } finally {
      setBusy('');
    }
  };
  return (
    <form className="card" onSubmit={add} noValidate aria-label="Add a camera by RTSP URL">
      <h2>Add a camera by RTSP URL</h2>
      <p className="dim">For DVR channels and cameras without ONVIF. Test first: the stream is checked with ffprobe.</p>
      <div className="form-grid">
        <TextField label="Camera name" placeholder="Front counter" value={form.name} onChange={set('name')} error={errs.name} />
        <TextField label="RTSP URL" placeholder="rtsp://192.168.1.64:554/Streaming/Channels/101" value={form.rtspUrl} onChange={set('rtspUrl')} error={errs.rtspUrl} autoComplete="off" />
        <TextField label="Camera user" value={form.user} onChange={set('user')} autoComplete="off" />
        <TextField label="Camera password" type="password" value={form.password} onChange={set('password')} autoComplete="new-password" />
      </div>
      {test && <TestResult t={test} />}
      {added && <div className="banner ok" role="status">{added}</div>}
      <ErrorBanner error={error && !Object.keys(errs).length ? error : undefined} />
      <div className="row">
        <button className="btn" type="button" disabled={!!busy || !form.rtspUrl.trim()} onClick={() => void doTest()}>{busy === 'test' ? 'Testing…' : 'Test connection'}</button>
        <button className="btn primary" type="submit" disabled={!!busy}>{busy === 'add' ? 'Adding…' : test ? 'Add camera' : 'Add without test'}</button>
      </div>
    </form>
  );
}

function hostOf(d: Device): string {
  try {
    const u = new URL(d.xaddr);
    return u.port ? `${u.hostname}:${u.port}` : u.hostname;
  } catch {
    return d.host;
  }
}

function Discover({ onAdded }: { onAdded(): void }) {
  const [probe, setProbe] = useState('');
  const [range, setRange] = useState('');
  const [running, setRunning] = useState(false);
  const [progress, setProgress] = useState<{ phase: string; done: number; total: number; found: number }>();
  const [devices, setDevices] = useState<Device[]>();
  const [error, setError] = useState<ApiError>();
  useEffect(() => api.on('cameras.discoveryProgressed', (p) => setProgress(p as typeof progress)), []);
  const run = async (e: FormEvent) => {
    e.preventDefault();
    setRunning(true);
    setError(undefined);
    setDevices(undefined);
    setProgress(undefined);
    try {
      const hosts = probe.split(/[\s,]+/).filter(Boolean);
      const r = await api.call('cameras.discover', { probe: hosts, ...(range.trim() ? { range: range.trim() } : {}), timeoutMs: 3000, port: 3702 });
      setDevices(r.devices);
    } catch (err) {
      setError(asError(err));
    } finally {
      setRunning(false);
    }
  };
  const pct = progress && progress.total ? Math.round((progress.done / progress.total) * 100) : undefined;
  return (
    <section className="card">
      <h2>Find ONVIF cameras</h2>
      <p className="dim">Leave both fields empty to search this network by multicast. Where multicast is blocked, give a camera address or a range.</p>
      <form onSubmit={run} noValidate>
        <div className="form-grid">
          <TextField label="Camera address" placeholder="192.168.1.64 or 192.168.1.64:8000" value={probe} onChange={(e) => setProbe(e.target.value)} />
          <TextField label="Address range" placeholder="192.168.1.0/24" value={range} onChange={(e) => setRange(e.target.value)} />
        </div>
        <button className="btn primary" type="submit" disabled={running}>{running ? 'Searching…' : 'Search'}</button>
      </form>
      {running && (
        <div className="sx-progress" role="status">
          <progress max={100} value={pct} aria-label="Discovery progress" />
          <span>{progress ? `${progress.phase === 'inspecting' ? 'Reading devices' : 'Probing'}: ${progress.done} of ${progress.total}, ${progress.found} found` : 'Starting…'}</span>
        </div>
      )}
      <ErrorBanner error={error} />
      {devices && !devices.length && <p className="dim" role="status">No cameras answered. Check the address, or that ONVIF is turned on in the camera.</p>}
      {devices?.map((d) => <FoundDevice key={d.endpoint + d.xaddr} device={d} onAdded={onAdded} />)}
    </section>
  );
}

function FoundDevice({ device: d, onAdded }: { device: Device; onAdded(): void }) {
  const [form, setForm] = useState({ name: d.model ?? d.scopeName ?? d.host, user: '', password: '' });
  const [error, setError] = useState<ApiError>();
  const [done, setDone] = useState(d.cameraId != null);
  const [busy, setBusy] = useState(false);
  const add = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      await api.call('cameras.addOnvif', { name: form.name, host: hostOf(d), ...(form.user ? { user: form.user, password: form.password } : {}) });
      setError(undefined);
      setDone(true);
      onAdded();
    } catch (err) {
      setError(asError(err));
    } finally {
      setBusy(false);
    }
  };
  const title = [d.manufacturer ?? d.scopeHardware, d.model ?? d.scopeName].filter(Boolean).join(' ') || 'ONVIF device';
  return (
    <form className="sx-device" onSubmit={add} noValidate aria-label={`Found ${d.host}`}>
      <div className="row">
        <strong className="grow">{title}</strong>
        <span className="dim">{hostOf(d)}</span>
        {done && <span className="badge sx-online">Added</span>}
      </div>
      {d.firmware && <div className="dim">Firmware {d.firmware}{d.serial ? ` · serial ${d.serial}` : ''} · {d.profiles.length} profile{d.profiles.length === 1 ? '' : 's'}</div>}
      {d.error && !done && <p className="sx-warn">{d.error}</p>}
      {!done && (
        <div className="sx-add-row">
          <TextField label="Name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
          <TextField label="User" value={form.user} onChange={(e) => setForm({ ...form, user: e.target.value })} autoComplete="off" />
          <TextField label="Password" type="password" value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} autoComplete="new-password" />
          <button className="btn primary" type="submit" disabled={busy}>{busy ? 'Adding…' : 'Add'}</button>
        </div>
      )}
      <ErrorBanner error={error} />
    </form>
  );
}

/** Which cameras watch which register, with pre-roll/post-roll in seconds. */
function RegisterMap({ cameras, admin }: { cameras: CameraView[]; admin: boolean }) {
  const regs = useQuery(() => api.call('registers.list', {}), []);
  const map = useQuery(() => api.call('registerCameras.list', {}), []);
  if (regs.error || map.error) return <ErrorBanner error={regs.error ?? map.error} />;
  return (
    <section className="card">
      <h2>Registers and cameras</h2>
      <p className="dim">Clips for an exception come from the cameras watching its register: pre-roll seconds before, post-roll after.</p>
      {!regs.data?.length || !cameras.length ? (
        <p className="dim">{!regs.data?.length ? 'No registers yet (Settings → Registers).' : 'No cameras yet.'}</p>
      ) : (
        regs.data.map((r) => (
          <RegisterRow key={r.id} register={r} cameras={cameras} current={(map.data ?? []).filter((m) => m.registerId === r.id)} admin={admin} onSaved={map.reload} />
        ))
      )}
    </section>
  );
}

type Link = { on: boolean; pre: string; post: string };

function RegisterRow(props: { register: { id: number; code: string; name: string }; cameras: CameraView[]; current: OutputOf<'registerCameras.list'>; admin: boolean; onSaved(): void }) {
  const { register: r, cameras, current, admin } = props;
  const initial = () =>
    Object.fromEntries(
      cameras.map((c) => {
        const m = current.find((x) => x.cameraId === c.id);
        return [c.id, { on: !!m, pre: String((m?.preRollMs ?? 60_000) / 1000), post: String((m?.postRollMs ?? 120_000) / 1000) }];
      }),
    ) as Record<number, Link>;
  const key = JSON.stringify(current) + cameras.map((c) => c.id).join();
  const [links, setLinks] = useState(initial);
  const [seen, setSeen] = useState(key);
  if (seen !== key) {
    setSeen(key);
    setLinks(initial());
  }
  const [error, setError] = useState<ApiError>();
  const [msg, setMsg] = useState<string>();
  const save = async () => {
    try {
      const chosen = cameras.filter((c) => links[c.id]?.on).map((c) => ({ cameraId: c.id, preRollMs: Math.round(Number(links[c.id]!.pre) * 1000), postRollMs: Math.round(Number(links[c.id]!.post) * 1000) }));
      const bad = chosen.find((x) => !Number.isFinite(x.preRollMs) || !Number.isFinite(x.postRollMs));
      if (bad) throw new ApiError({ code: 'invalid_input', message: 'Pre-roll and post-roll must be numbers of seconds.' });
      await api.call('registerCameras.set', { registerId: r.id, cameras: chosen });
      setError(undefined);
      setMsg('Saved.');
      props.onSaved();
    } catch (e) {
      setError(asError(e));
    }
  };
  const upd = (id: number, patch: Partial<Link>) => { setLinks({ ...links, [id]: { ...links[id]!, ...patch } }); setMsg(undefined); };
  return (
    <fieldset className="sx-register" disabled={!admin}>
      <legend>Register {r.code}{r.name && r.name !== r.code ? ` · ${r.name}` : ''}</legend>
      {cameras.map((c) => {
        const l = links[c.id] ?? { on: false, pre: '60', post: '120' };
        return (
          <div className="sx-link" key={c.id}>
            <label className="sx-check"><input type="checkbox" checked={l.on} onChange={(e) => upd(c.id, { on: e.target.checked })} /> {c.name}</label>
            {l.on && (
              <>
                <label className="sx-num">Pre-roll s <input inputMode="numeric" value={l.pre} onChange={(e) => upd(c.id, { pre: e.target.value })} aria-label={`Pre-roll seconds, ${c.name}, register ${r.code}`} /></label>
                <label className="sx-num">Post-roll s <input inputMode="numeric" value={l.post} onChange={(e) => upd(c.id, { post: e.target.value })} aria-label={`Post-roll seconds, ${c.name}, register ${r.code}`} /></label>
              </>
            )}
          </div>
        );
      })}
      {admin && (
        <div className="row">
          <button className="btn" type="button" onClick={() => void save()}>Save register {r.code}</button>
          {msg && <span role="status" className="sx-okword">{msg}</span>}
        </div>
      )}
      <ErrorBanner error={error} />
    </fieldset>
  );
}
