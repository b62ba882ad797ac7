import { useRoute } from '../router';
import { useSession } from '../session';
import { Brand } from '../ui/kit';
import { TABS } from './tabs';
import { OfflineBanner } from '../features/network/OfflineBanner';
import { ImportDrop } from '../features/review/Imports';

export function Shell() {
  const route = useRoute();
  const { user, storeName, signOut } = useSession();
  const tab = TABS.find((t) => t.id === route[0]) ?? TABS[0]!;
  return (
    <div className="shell">
      <nav className="sidebar" aria-label="Main">
        <Brand />
        {TABS.map((t) => (
          <a key={t.id} className="nav-item" href={`#/${t.id}`} aria-current={t.id === tab.id ? 'page' : undefined}>
            {t.icon}
            <span>{t.label}</span>
          </a>
        ))}
        <div className="spacer" />
        <div className="user-box">
          <div><strong>{user.displayName}</strong> <span className={`badge ${user.role}`}>{user.role}</span></div>
          <div className="dim" style={{ margin: '4px 0 8px' }}>{storeName}</div>
          <button className="btn ghost" onClick={signOut}>Sign out</button>
        </div>
      </nav>
      <div className="main">
        <header className="topbar">
          <h1>{tab.label}</h1>
          <span className="grow" />
          <span className="dim hide-narrow">{storeName}</span>
        </header>
        <OfflineBanner />
        <main className="content">
          {/* A report dropped on any tab imports; Review mounts its own with the picker button. */}
          {tab.id !== 'review' && <ImportDrop button={false} />}
          {tab.render(route.slice(1))}
        </main>
      </div>
    </div>
  );
}
