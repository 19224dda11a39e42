// What `lens server` (and the server inside `lens up`) mounts besides the API: the dashboard's production build
// at `/`. The recommendations API joins here once it lands.
import { dashboardPlugin } from '@lens/dashboard';
import type { LensConfig } from '@lens/protocol';
import type { ServerPlugin } from '@lens/server';

/** The plugins of a Lens server for this configuration. */
export async function serverPlugins(_config: LensConfig): Promise<ServerPlugin[]> {
  return [{ plugin: dashboardPlugin as ServerPlugin['plugin'] }];
}
