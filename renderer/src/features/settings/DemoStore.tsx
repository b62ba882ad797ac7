import { DemoLoader } from '../demo/Demo';

/** Settings → Demo store: open the generated demo (the banner on every tab brings you back). */
export function DemoStore() {
  return (
    <section className="card" style={{ maxWidth: 720 }}>
      <h2>Demo store</h2>
      <p className="dim">A separate store with a generated day of POS data, two cameras with generated footage (no real people) and clips for every exception. Your own store, its users and its data are not touched; one click on “Back to my store” returns here.</p>
      <DemoLoader compact />
    </section>
  );
}
