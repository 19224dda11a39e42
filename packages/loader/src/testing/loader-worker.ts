// Child-process loader for crash and multi-instance tests: `node loader-worker.js <dataDir> <loaderConfigJson>`.
// Reports `ready` and, on request, its stats over IPC; stops cleanly on {type:'stop'}; tests SIGKILL it.
import { join } from 'node:path';
import { createEventLog } from '@lens/log';
import { LoaderConfig } from '@lens/protocol';
import { startLoader } from '../loader.js';

const [dataDir, configJson] = process.argv.slice(2);
if (dataDir === undefined) throw new Error('usage: loader-worker <dataDir> [configJson]');
const log = await createEventLog({ backend: 'local', dir: join(dataDir, 'log'), minFreeDiskBytes: 0 });
const loader = await startLoader({ config: LoaderConfig.parse(JSON.parse(configJson ?? '{}')), dataDir, log });
process.send?.({ type: 'ready', stats: loader.stats() });
process.on('message', (message: { type?: string }) => {
  if (message.type === 'stats') process.send?.({ type: 'stats', stats: loader.stats() });
  if (message.type === 'stop') {
    void loader
      .stop()
      .then(() => log.close())
      .then(() => process.send?.({ type: 'stopped' }, () => process.exit(0)));
  }
});
