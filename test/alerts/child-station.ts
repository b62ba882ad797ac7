/**
 * A station core in its own process, for the crash test: `node --import tsx child-station.ts DIR SMTP_PORT N`.
 * On first start it onboards, points e-mail at the test SMTP server and raises N alerts; on every
 * start the core's own outbox worker delivers whatever is due. It runs until killed.
 */
import { createCore } from '../../services/core/index.js';
import { silentLogger } from '../../services/core/deps.js';
import { dispatch } from '../../services/transport/dispatch.js';
import { ONBOARD } from '../helpers/core.js';

const [dir, port, n] = process.argv.slice(2);
const core = await createCore({ dataDir: dir!, logger: silentLogger, version: 'test' });
const sys = async (name: string, input: unknown = {}) => {
  const r = await dispatch(core, name, input, { system: 'crash-test' });
  if (!r.ok) throw new Error(`${name}: ${r.error.message}`);
  return r.value;
};
const info = (await sys('system.info')) as { onboarded: boolean };
if (!info.onboarded) {
  await sys('onboarding.complete', ONBOARD);
  for (const [key, value] of Object.entries({ 'smtp.host': '127.0.0.1', 'smtp.port': port, 'smtp.from': 'penny@corner-fuel.test', 'alerts.desktop': 'false' })) {
    await sys('settings.set', { key, value });
  }
  await sys('contacts.save', { name: 'Morgan', email: 'morgan@corner-fuel.test' });
  for (let i = 1; i <= Number(n); i++) await sys('alerts.raise', { severity: 'high', source: 'system', title: `Crash test alert ${i}` });
}
process.stdout.write('ready\n');
setInterval(() => {}, 60_000);
