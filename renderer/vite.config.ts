import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { resolve } from 'node:path';

// Browser-mode build of the renderer (the same files electron-vite bundles for the desktop app).
export default defineConfig({
  root: resolve(import.meta.dirname),
  base: './',
  plugins: [react()],
  build: { outDir: resolve(import.meta.dirname, '../out/renderer'), emptyOutDir: true, chunkSizeWarningLimit: 1500 },
});
