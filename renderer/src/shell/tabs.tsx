import type { ReactNode } from 'react';
import { IconMonitor, IconNetwork, IconRecovery, IconReports, IconReview, IconSettings } from '../ui/icons';
import { MonitorEmpty, NetworkEmpty, RecoveryEmpty, ReportsEmpty, ReviewEmpty } from '../features/empty/EmptyTabs';
import { Settings } from '../features/settings/Settings';

export interface TabDef {
  id: string;
  label: string;
  icon: ReactNode;
  render(sub: string[]): ReactNode;
}

/** The station's tabs, in the order a manager works: what is happening, what to review, then the rest. */
export const TABS: TabDef[] = [
  { id: 'monitor', label: 'Monitor', icon: <IconMonitor />, render: () => <MonitorEmpty /> },
  { id: 'review', label: 'Review', icon: <IconReview />, render: () => <ReviewEmpty /> },
  { id: 'network', label: 'Network', icon: <IconNetwork />, render: () => <NetworkEmpty /> },
  { id: 'recovery', label: 'Recovery', icon: <IconRecovery />, render: () => <RecoveryEmpty /> },
  { id: 'reports', label: 'Reports', icon: <IconReports />, render: () => <ReportsEmpty /> },
  { id: 'settings', label: 'Settings', icon: <IconSettings />, render: (sub) => <Settings sub={sub} /> },
];
