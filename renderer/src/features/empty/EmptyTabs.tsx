import { EmptyState } from '../../ui/kit';
import { IconCamera, IconNetwork, IconRecovery, IconReports, IconReview } from '../../ui/icons';

// Honest empty states: each says where its data will come from, so nobody waits for something that cannot arrive.
export const MonitorEmpty = () => (
  <EmptyState icon={<IconCamera />} title="Nothing to watch yet">
    <p className="dim">Live alerts land here: flagged transactions, return-offender matches and camera problems, newest first.</p>
    <p className="dim">They start once POS reports are imported and cameras are added in Settings.</p>
  </EmptyState>
);
export const ReviewEmpty = () => (
  <EmptyState icon={<IconReview />} title="No exceptions to review">
    <p className="dim">Import a POS report (Modisoft, Gilbarco Passport or NAXML) and Penny's rules flag refunds, voids, no-sales and other patterns for review here, each with its video clip.</p>
  </EmptyState>
);
export const NetworkEmpty = () => (
  <EmptyState icon={<IconNetwork />} title="Not connected to Penny Network">
    <p className="dim">Once an admin pairs this station in Settings → Network, confirmed offenders and return alerts for your region appear here.</p>
  </EmptyState>
);
export const RecoveryEmpty = () => (
  <EmptyState icon={<IconRecovery />} title="No recoveries yet">
    <p className="dim">Confirmed cases with an amount owed appear here, with QR notices, payments and your commission ledger from Penny Network.</p>
  </EmptyState>
);
export const ReportsEmpty = () => (
  <EmptyState icon={<IconReports />} title="No data to chart yet">
    <p className="dim">Trends by exception type, per-employee rates, a register × hour heatmap and loss against recovery appear once POS reports are imported.</p>
  </EmptyState>
);
