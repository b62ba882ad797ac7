import { z } from 'zod';
import { defineCommand, ROLES } from '../registry.js';
import { Empty, Id, NonEmpty, Ok, TimeZone } from '../common.js';

export const Username = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9._-]{2,40}$/, 'username must be 2–40 letters, digits, dots, dashes or underscores');
export const Password = z.string().min(8, 'password must be at least 8 characters').max(200);
export const RoleSchema = z.enum(ROLES);

export const User = z.object({
  id: Id,
  username: z.string(),
  displayName: z.string(),
  role: RoleSchema,
  disabled: z.boolean(),
  createdAt: z.number(),
});
export type User = z.infer<typeof User>;

export const Session = z.object({ token: z.string(), user: User, expiresAt: z.number() });

export const StoreProfileInput = z.object({
  name: NonEmpty('store name', 120),
  timezone: TimeZone,
  address: z.string().trim().max(300).default(''),
});

export const onboardingComplete = defineCommand({
  name: 'onboarding.complete',
  access: 'public',
  doc: 'First run only: create the store and its first admin, and sign that admin in.',
  input: z.object({
    store: StoreProfileInput,
    admin: z.object({ username: Username, displayName: NonEmpty('name', 80), password: Password }),
  }),
  output: Session,
});

export const authLogin = defineCommand({
  name: 'auth.login',
  access: 'public',
  doc: 'Sign in with username and password; returns a session token.',
  input: z.object({ username: Username, password: z.string().min(1, 'password is required') }),
  output: Session,
});

export const authLogout = defineCommand({
  name: 'auth.logout',
  access: 'viewer',
  doc: 'End the current session.',
  input: Empty,
  output: Ok,
});

export const authMe = defineCommand({
  name: 'auth.me',
  access: 'viewer',
  doc: 'The signed-in user.',
  input: Empty,
  output: User,
});

export const authChangePassword = defineCommand({
  name: 'auth.changePassword',
  access: 'viewer',
  doc: 'Change your own password; other sessions of yours are signed out.',
  input: z.object({ current: z.string().min(1, 'current password is required'), next: Password }),
  output: Ok,
});

export const authCommands = [onboardingComplete, authLogin, authLogout, authMe, authChangePassword] as const;
