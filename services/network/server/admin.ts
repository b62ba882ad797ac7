import type { Net } from './context.js';
import { listCases } from './cases.js';
import { addStore, createPairCode } from './tenancy.js';
import { createUser } from './users.js';

/**
 * The operator's commands (CLI). They run the same whether the CLI opened the database itself or
 * went through a running server's admin endpoint, so the result cannot depend on the path taken.
 */
export const adminOps = {
  async opsUserAdd(net: Net, input: { email: string; password: string }) {
    const u = await net.db.transaction().execute((trx) => createUser(trx, net.now(), 'admin:cli', { email: input.email, password: input.password, role: 'ops' }));
    return { id: u.id, email: u.email, role: u.role };
  },
  async storeAdd(net: Net, input: { name: string; region: string }) {
    return net.db.transaction().execute((trx) => addStore(trx, net.now(), 'admin:cli', input.name, input.region));
  },
  async pairCode(net: Net, input: { storeId: string }) {
    return net.db.transaction().execute((trx) => createPairCode(trx, net.now(), 'admin:cli', input.storeId));
  },
  async casesList(net: Net, input: { status?: string }) {
    return listCases(net.db, input.status);
  },
};
export type AdminOp = keyof typeof adminOps;
export const ADMIN_OPS = Object.keys(adminOps) as AdminOp[];
