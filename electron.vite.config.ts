import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';
import { resolve } from 'node:path';

// Main and preload are emitted as CommonJS (.cjs): a sandboxed preload cannot be an ES module,
// and main uses __dirname to find its siblings.
const cjs = (entries: Record<string, string>) => ({
  build: {
    externalizeDeps: true,
    rollupOptions: {
      input: entries,
      output: { format: 'cjs' as const, entryFileNames: '[name].cjs' },
    },
  },
});

export default defineConfig({
  main: cjs({ index: resolve('main/index.ts'), core: resolve('main/core.ts') }),
  preload: cjs({ index: resolve('preload/index.ts') }),
  renderer: {
    root: resolve('renderer'),
    plugins: [react()],
    build: { outDir: resolve('out/renderer'), rollupOptions: { input: resolve('renderer/index.html') } },
  },
});
