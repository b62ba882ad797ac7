import { z } from 'zod';
import { defineCommand } from '../registry.js';
import { Empty, Id, NonEmpty } from '../common.js';
import { Password, RoleSchema, User, Username } from './auth.js';

export const usersList = defineCommand({
  name: 'users.list',
  access: 'admin',
  doc: 'Local users of this station with their roles.',
  input: Empty,
  output: z.array(User),
});

export const usersCreate = defineCommand({
  name: 'users.create',
  access: 'admin',
  doc: 'Add a local user with a role (admin, manager or viewer).',
  input: z.object({ username: Username, displayName: NonEmpty('name', 80), role: RoleSchema, password: Password }),
  output: User,
});

export const usersUpdate = defineCommand({
  name: 'users.update',
  access: 'admin',
  doc: "Change a user's name, role, disabled flag or password. The last active admin cannot be demoted or disabled.",
  input: z.object({
    id: Id,
    displayName: NonEmpty('name', 80).optional(),
    role: RoleSchema.optional(),
    disabled: z.boolean().optional(),
    password: Password.optional(),
  }),
  output: User,
});

export const userCommands = [usersList, usersCreate, usersUpdate] as const;
