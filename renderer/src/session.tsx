import { createContext, useContext } from 'react';
import type { Role, User } from '../../services/contract/index';

export interface SessionState {
  user: User;
  storeName: string;
  signOut(): void;
  refresh(): void;
}
export const SessionContext = createContext<SessionState | null>(null);

export function useSession(): SessionState {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a signed-in shell');
  return s;
}

const ORDER: Role[] = ['viewer', 'manager', 'admin'];
export const can = (user: User, needed: Role) => ORDER.indexOf(user.role) >= ORDER.indexOf(needed);
