import { z } from 'zod';
import { defineCommand } from '../registry.js';
import { Empty, Id, NonEmpty, Ok } from '../common.js';
import { StoreProfileInput } from './auth.js';

export const StoreProfile = z.object({
  id: Id,
  name: z.string(),
  timezone: z.string(),
  address: z.string(),
  updatedAt: z.number(),
});
export type StoreProfile = z.infer<typeof StoreProfile>;

export const Register = z.object({
  id: Id,
  code: z.string(),
  name: z.string(),
  active: z.boolean(),
});
export type Register = z.infer<typeof Register>;

export const storeGet = defineCommand({
  name: 'store.get',
  access: 'viewer',
  doc: 'The store profile: name, IANA time zone, address.',
  input: Empty,
  output: StoreProfile,
});

export const storeUpdate = defineCommand({
  name: 'store.update',
  access: 'admin',
  doc: 'Change the store profile. Only the fields given change.',
  input: StoreProfileInput.partial().refine((v) => Object.keys(v).length > 0, 'give at least one field to change'),
  output: StoreProfile,
});

export const registersList = defineCommand({
  name: 'registers.list',
  access: 'viewer',
  doc: 'The registers (POS terminals) of the store.',
  input: Empty,
  output: z.array(Register),
});

export const registersSave = defineCommand({
  name: 'registers.save',
  access: 'admin',
  doc: 'Add a register, or rename / (de)activate one when id is given.',
  input: z.object({
    id: Id.optional(),
    code: NonEmpty('register code', 40),
    name: NonEmpty('register name', 80),
    active: z.boolean().default(true),
  }),
  output: Register,
});

export const registersRemove = defineCommand({
  name: 'registers.remove',
  access: 'admin',
  doc: 'Remove a register that nothing refers to yet.',
  input: z.object({ id: Id }),
  output: Ok,
});

export const storeCommands = [storeGet, storeUpdate, registersList, registersSave, registersRemove] as const;
