import { useState, type FormEvent } from 'react';
import type { OutputOf } from '../../../../services/contract/index';
import { api, ApiError } from '../../api/client';
import { DemoLoader } from '../demo/Demo';
import { Brand, COMMON_ZONES, ErrorBanner, fieldErrors, guessZone, SelectField, TextField } from '../../ui/kit';

type Session = OutputOf<'onboarding.complete'>;

/** First run: two short steps, the store and then its first admin. */
export function Onboarding({ onDone }: { onDone: (s: Session) => void }) {
  const [step, setStep] = useState<1 | 2>(1);
  const zone = guessZone();
  const [store, setStore] = useState({ name: '', timezone: COMMON_ZONES.includes(zone) ? zone : 'America/Chicago', address: '' });
  const [admin, setAdmin] = useState({ displayName: '', username: '', password: '', confirm: '' });
  const [error, setError] = useState<ApiError | string>();
  const [busy, setBusy] = useState(false);
  const errs = fieldErrors(error instanceof ApiError ? error : undefined);

  const next = (e: FormEvent) => {
    e.preventDefault();
    if (!store.name.trim()) return setError('Give the store a name, e.g. "Corner Fuel #12".');
    setError(undefined);
    setStep(2);
  };
  const finish = async (e: FormEvent) => {
    e.preventDefault();
    if (admin.password !== admin.confirm) return setError('The two passwords do not match.');
    setBusy(true);
    setError(undefined);
    try {
      const s = await api.call('onboarding.complete', {
        store,
        admin: { username: admin.username, displayName: admin.displayName, password: admin.password },
      });
      onDone(s);
    } catch (err) {
      const e2 = err as ApiError;
      if (Object.keys(fieldErrors(e2)).some((k) => k.startsWith('store.'))) setStep(1);
      setError(e2);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="center-page">
      <div className="card">
        <Brand />
        <div className="steps" aria-label={`Step ${step} of 2`}>
          <span className="done" />
          <span className={step === 2 ? 'done' : ''} />
        </div>
        {step === 1 ? (
          <form onSubmit={next} noValidate>
            <h1>Set up your store</h1>
            <p className="dim">Penny keeps everything on this computer. You can change these later in Settings.</p>
            <ErrorBanner error={typeof error === 'string' ? error : error && !Object.keys(errs).length ? error : undefined} />
            <TextField label="Store name" autoFocus value={store.name} onChange={(e) => setStore({ ...store, name: e.target.value })} error={errs['store.name']} placeholder="Corner Fuel #12" />
            <SelectField label="Time zone" hint="POS report times are read in this zone." value={store.timezone} onChange={(e) => setStore({ ...store, timezone: e.target.value })} error={errs['store.timezone']}>
              {[...new Set([store.timezone, ...COMMON_ZONES])].map((z) => (
                <option key={z} value={z}>{z.replace(/_/g, ' ')}</option>
              ))}
            </SelectField>
            <TextField label="Address" hint="Optional. Printed on evidence summaries." value={store.address} onChange={(e) => setStore({ ...store, address: e.target.value })} />
            <button className="btn primary" type="submit">Continue</button>
            <DemoLoader />
          </form>
        ) : (
          <form onSubmit={finish} noValidate>
            <h1>Create the admin account</h1>
            <p className="dim">The admin manages users, cameras, rules and settings.</p>
            <ErrorBanner error={typeof error === 'string' ? error : error && !Object.keys(errs).length ? error : undefined} />
            <TextField label="Your name" autoFocus value={admin.displayName} onChange={(e) => setAdmin({ ...admin, displayName: e.target.value })} error={errs['admin.displayName']} />
            <TextField label="Username" autoComplete="username" value={admin.username} onChange={(e) => setAdmin({ ...admin, username: e.target.value })} error={errs['admin.username']} hint="Letters, digits, dots or dashes." />
            <TextField label="Password" type="password" autoComplete="new-password" value={admin.password} onChange={(e) => setAdmin({ ...admin, password: e.target.value })} error={errs['admin.password']} hint="At least 8 characters." />
            <TextField label="Confirm password" type="password" autoComplete="new-password" value={admin.confirm} onChange={(e) => setAdmin({ ...admin, confirm: e.target.value })} />
            <div className="row">
              <button className="btn" type="button" onClick={() => setStep(1)}>Back</button>
              <button className="btn primary" type="submit" disabled={busy}>{busy ? 'Setting up…' : 'Finish setup'}</button>
            </div>
          </form>
        )}
      </div>
    </main>
  );
}
