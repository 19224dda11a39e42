// The frame around every view: skip link, navigation (a bar on laptops, a toggled menu on phones) and the
// <main> the view renders into, with a loading bar while a lazy view's chunk arrives.
import { useState } from 'react';
import { NavLink, Outlet, useNavigation } from 'react-router';

const NAV: readonly { to: string; label: string }[] = [
  { to: '/realtime', label: 'Realtime' },
  { to: '/insights/trends', label: 'Insights' },
  { to: '/search', label: 'Search' },
  { to: '/content', label: 'Content' },
  { to: '/data/catalog', label: 'Data' },
  { to: '/sql', label: 'SQL' },
];

/** Layout route element. */
export function AppShell() {
  const [open, setOpen] = useState(false);
  const navigation = useNavigation();
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand" aria-label="Lens">
          ◉ Lens
        </span>
        <button
          type="button"
          className="menu-toggle"
          aria-expanded={open}
          aria-controls="primary-nav"
          onClick={() => setOpen(!open)}
        >
          Menu
        </button>
        <nav id="primary-nav" className={open ? 'nav open' : 'nav'} aria-label="Primary">
          {NAV.map((item) => (
            <NavLink
              key={item.to}
              to={item.to}
              onClick={() => setOpen(false)}
              className={({ isActive }) =>
                isActive || location.pathname.startsWith(item.to.split('/').slice(0, 2).join('/'))
                  ? 'active'
                  : undefined
              }
            >
              {item.label}
            </NavLink>
          ))}
        </nav>
      </header>
      {navigation.state === 'loading' && (
        <div className="route-progress" role="progressbar" aria-label="Loading view" />
      )}
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}
