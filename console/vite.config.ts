import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** `npm run build:console`: console/src -> console/dist, which the service serves at /console/. */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  // Relative asset URLs: the page works under /console/ or any other prefix a proxy gives it.
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  logLevel: 'warn',
});
