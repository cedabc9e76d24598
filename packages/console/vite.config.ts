import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The dev server proxies the API, webhooks and the sandbox to a running `npm start` (port 3000 unless
// WAREACH_API_URL says otherwise), so the console is developed against the real server.
const api = process.env.WAREACH_API_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 4000 },
  server: {
    port: 5173,
    proxy: { '/api': api, '/sandbox': api, '/openapi.json': api, '/docs': api },
  },
});
