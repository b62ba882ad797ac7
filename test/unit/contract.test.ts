import { describe, expect, it } from 'vitest';
import { buildRegistry, COMMANDS, defineCommand, EVENTS, roleAtLeast } from '../../services/contract/index.js';
import { z } from 'zod';

describe('contract', () => {
  it('names every command domain.verb and documents it', () => {
    for (const [name, def] of Object.entries(COMMANDS)) {
      expect(name).toMatch(/^[a-z][a-zA-Z]*(\.[a-z][a-zA-Z]*)+$/);
      expect(def.doc.length, name).toBeGreaterThan(10);
    }
    expect(Object.keys(EVENTS).length).toBeGreaterThan(0);
  });
  it('rejects a duplicate name', () => {
    const c = defineCommand({ name: 'x.y', access: 'public', doc: 'd', input: z.object({}), output: z.object({}) });
    expect(() => buildRegistry('command', [[c], [c]])).toThrow(/"x.y" is defined twice/);
  });
  it('rejects a badly formed name', () => {
    expect(() => defineCommand({ name: 'Bad', access: 'public', doc: 'd', input: z.object({}), output: z.object({}) })).toThrow(/domain.verb/);
  });
  it('orders roles', () => {
    expect(roleAtLeast('admin', 'manager')).toBe(true);
    expect(roleAtLeast('manager', 'admin')).toBe(false);
    expect(roleAtLeast('viewer', 'viewer')).toBe(true);
  });
  it('validates store input with messages a person can read', () => {
    const r = COMMANDS['onboarding.complete']!.input.safeParse({ store: { name: '', timezone: 'Mars/Base' }, admin: { username: 'A B', displayName: 'x', password: 'short' } });
    expect(r.success).toBe(false);
    const msgs = r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(msgs).toContain('store.name: store name is required');
    expect(msgs).toContain('store.timezone: time zone must be an IANA name such as America/Chicago');
    expect(msgs.some((m) => m.startsWith('admin.password: password must be at least 8'))).toBe(true);
  });
});
