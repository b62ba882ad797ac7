import { useState } from 'react';
import { setTheme } from '../../theme';
import { SelectField } from '../../ui/kit';
import { api } from '../../api/client';

export function Preferences() {
  const [theme, set] = useState(localStorage.getItem('penny.theme') ?? 'system');
  return (
    <div className="card" style={{ maxWidth: 720 }}>
      <h2>Preferences</h2>
      <SelectField label="Theme" value={theme} onChange={(e) => { set(e.target.value); setTheme(e.target.value as 'system' | 'dark' | 'light'); }} hint="Dark is easier on the eyes on a late shift.">
        <option value="system">Follow this computer</option>
        <option value="dark">Dark</option>
        <option value="light">Light</option>
      </SelectField>
      <p className="dim">Connected through {api.transport.kind === 'ipc' ? 'the desktop app' : 'browser mode'}.</p>
    </div>
  );
}
