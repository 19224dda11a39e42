// Vite build of the browser app into dist/app (served by the Fastify plugin in src/server), and the dev
// server on :5173 proxying /api to a running Lens server on :3000.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { precompressPlugin } from './precompress-plugin.mjs';

export default defineConfig({
  plugins: [react(), precompressPlugin()],
  base: '/',
  build: {
    outDir: 'dist/app',
    emptyOutDir: true,
    target: 'es2022',
    // ECharts is one lazy chunk shared by the chart views; the limit warns about anything else this big.
    chunkSizeWarningLimit: 700,
    // The precompress step is slow by design (brotli quality 11 once, at build time); don't warn about it.
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
  server: { proxy: { '/api': 'http://localhost:3000' } },
});
