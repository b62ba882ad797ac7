import type { ReactNode } from 'react';
import { IconMonitor, IconNetwork, IconRecovery, IconReports, IconReview, IconSettings } from '../ui/icons';
import { NetworkTab } from '../features/network/NetworkTab';
import { Recovery } from '../features/recovery/Recovery';
import { Review } from '../features/review/Review';
import { Settings } from '../features/settings/Settings';
import { Monitor } from '../features/monitor/Monitor';
import { Reports } from '../features/reports/Reports';
import { DemoBanner } from '../features/demo/Demo';

export interface TabDef {
  id: string;
  label: string;
  icon: ReactNode;
  render(sub: string[]): ReactNode;
}

/** The station's tabs, in the order a manager works: what is happening, what to review, then the rest. */
export const TABS: TabDef[] = [
  { id: 'monitor', label: 'Monitor', icon: <IconMonitor />, render: () => <Monitor /> },
  { id: 'review', label: 'Review', icon: <IconReview />, render: (sub) => <Review sub={sub} /> },
  { id: 'network', label: 'Network', icon: <IconNetwork />, render: () => <NetworkTab /> },
  { id: 'recovery', label: 'Recovery', icon: <IconRecovery />, render: () => <Recovery /> },
  { id: 'reports', label: 'Reports', icon: <IconReports />, render: () => <Reports /> },
  { id: 'settings', label: 'Settings', icon: <IconSettings />, render: (sub) => <Settings sub={sub} /> },
];

// While the demo store is served, every tab says so and offers the one click back to the real store.
for (const tab of TABS) {
  const render = tab.render;
  tab.render = (sub) => (
    <>
      <DemoBanner />
      {render(sub)}
    </>
  );
}
