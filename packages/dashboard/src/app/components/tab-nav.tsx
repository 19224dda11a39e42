// Second-level navigation inside a section (Insights kinds, Data pages).
import { NavLink } from 'react-router';

/** Tabs as links, so each is a URL and keyboard/back-button friendly. */
export function TabNav({ label, items }: { label: string; items: readonly { to: string; label: string }[] }) {
  return (
    <nav className="tabs" aria-label={label}>
      {items.map((i) => (
        <NavLink key={i.to} to={i.to} className={({ isActive }) => (isActive ? 'active' : undefined)}>
          {i.label}
        </NavLink>
      ))}
    </nav>
  );
}
