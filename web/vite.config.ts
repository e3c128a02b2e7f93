import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The explorer is a static site: `npm run build` writes it to dist/web, which `basin serve` (or any web server)
 * hosts. Relative asset paths (base './') let it live under any URL prefix.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 2500,
  },
  worker: { format: 'es' },
});
