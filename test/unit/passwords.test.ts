import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../services/core/auth/passwords.js';
import { createSecretBox } from '../../services/core/platform/secrets.js';
import { randomBytes } from 'node:crypto';

describe('password hashing', () => {
  it('verifies the right password and rejects a wrong one; hashes are salted', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('correct');
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterY', a)).toBe(false);
  });
  it('treats a malformed stored hash as a mismatch', async () => {
    expect(await verifyPassword('x', 'md5$abc')).toBe(false);
  });
});

describe('secret box', () => {
  it('round-trips and detects tampering', () => {
    const box = createSecretBox(randomBytes(32));
    const sealed = box.seal('smtp-pass');
    expect(sealed).not.toContain('smtp-pass');
    expect(box.open(sealed)).toBe('smtp-pass');
    const parts = sealed.split(':');
    parts[3] = Buffer.from('tampered').toString('base64');
    expect(() => box.open(parts.join(':'))).toThrow();
  });
});
