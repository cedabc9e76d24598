import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// Two projects: component tests (`src/**/*.test.tsx`, happy-dom — jsdom crashes on Node 20 here) and
// browser tests (`e2e/*.test.ts`: a real server and Chromium). Pure `*.test.ts` files under src run
// under the root config.
export default defineConfig({
  plugins: [react()],
  test: {
    projects: [
      {
        plugins: [react()],
        test: { name: 'console', root: import.meta.dirname, include: ['src/**/*.test.tsx'], environment: 'happy-dom', testTimeout: 30_000 },
      },
      {
        test: { name: 'console-e2e', root: import.meta.dirname, include: ['e2e/**/*.test.ts'], environment: 'node', pool: 'forks', testTimeout: 240_000, hookTimeout: 180_000, fileParallelism: false },
      },
    ],
  },
});
