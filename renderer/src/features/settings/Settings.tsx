import { can, useSession } from '../../session';
import { StoreProfile } from './StoreProfile';
import { Users } from './Users';
import { Registers } from './Registers';
import { Preferences } from './Preferences';
import { Rules } from './Rules';
import { DemoStore } from './DemoStore';
import { Cameras } from './Cameras';
import { Alerts } from './Alerts';
import { FaceSearch } from './FaceSearch';
import { Network } from './Network';
import type { ReactNode } from 'react';
import type { Role } from '../../../../services/contract/index';

interface Section {
  id: string;
  label: string;
  role: Role;
  render(): ReactNode;
}
export const SECTIONS: Section[] = [
  { id: 'store', label: 'Store profile', role: 'viewer', render: () => <StoreProfile /> },
  { id: 'registers', label: 'Registers', role: 'viewer', render: () => <Registers /> },
  { id: 'users', label: 'Users', role: 'admin', render: () => <Users /> },
  { id: 'preferences', label: 'Preferences', role: 'viewer', render: () => <Preferences /> },
  { id: 'rules', label: 'Rules', role: 'viewer', render: () => <Rules /> },
  { id: 'cameras', label: 'Cameras', role: 'viewer', render: () => <Cameras /> },
  { id: 'alerts', label: 'Alerts', role: 'admin', render: () => <Alerts /> },
  { id: 'faces', label: 'Face search', role: 'admin', render: () => <FaceSearch /> },
  { id: 'network', label: 'Network', role: 'admin', render: () => <Network /> },
  { id: 'demo', label: 'Demo store', role: 'admin', render: () => <DemoStore /> },
];

export function Settings({ sub }: { sub: string[] }) {
  const { user } = useSession();
  const visible = SECTIONS.filter((s) => can(user, s.role));
  const asked = SECTIONS.find((s) => s.id === sub[0]);
  const current = asked ?? visible[0]!;
  return (
    <>
      <nav className="tabs" aria-label="Settings sections">
        {visible.map((s) => (
          <a
            key={s.id}
            href={`#/settings/${s.id}`}
            aria-current={s.id === current.id ? 'page' : undefined}
            // On a phone the section bar scrolls sideways; keep the open section in view.
            ref={s.id === current.id ? (el) => el?.scrollIntoView({ block: 'nearest', inline: 'center' }) : undefined}
          >
            {s.label}
          </a>
        ))}
      </nav>
      {can(user, current.role) ? current.render() : (
        <div className="banner error" role="alert">Only an {current.role} can open {current.label}. Ask an admin if you need access.</div>
      )}
    </>
  );
}
