import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The explorer is a static site: `npm run build` writes it to dist/web, which `basin serve` (or any web server)
 * hosts. Relative asset paths (base './') let it live under any URL prefix.
 *
 * It imports the library as a user would, `import { train } from 'basin'`: the alias points the package's
 * browser-safe entry at its TypeScript source, so the explorer needs no build of the library first (web/tsconfig.json
 * maps the same name for the type checker). `basin/node` is deliberately not mapped.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  resolve: {
    alias: [{ find: /^basin$/, replacement: fileURLToPath(new URL('../src/index.ts', import.meta.url)) }],
  },
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 2500,
  },
  worker: { format: 'es' },
});
