import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// Component tests of the console (`*.test.tsx`) run in happy-dom (jsdom crashes on Node 20 here).
// Pure `*.test.ts` files run under the root config; browser tests live in e2e/.
export default defineConfig({
  plugins: [react()],
  test: {
    name: 'console',
    include: ['src/**/*.test.tsx'],
    environment: 'happy-dom',
    testTimeout: 30_000,
  },
});
