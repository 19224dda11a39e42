// The Data section's tabs: catalog, pipeline runs, lineage, quarantine.
import { TabNav } from '../../components/tab-nav';

/** Tabs shown on every Data page. */
export function DataTabs() {
  return (
    <TabNav
      label="Data"
      items={[
        { to: '/data/catalog', label: 'Catalog' },
        { to: '/data/runs', label: 'Pipeline runs' },
        { to: '/data/lineage', label: 'Lineage' },
        { to: '/data/quarantine', label: 'Quarantine' },
      ]}
    />
  );
}
