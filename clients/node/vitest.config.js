import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 10_000,
    projects: [
      {
        // The helpers' own logic against stand-ins: no server.
        test: { name: 'offline', include: ['test/offline.test.js', 'test/readme.test.js'] },
      },
      {
        test: {
          name: 'sandbox',
          include: ['test/**/*.test.js'],
          exclude: ['test/offline.test.js', 'test/readme.test.js'],
          // What a project using the package writes: 'switchboard-sandbox/vitest-setup'.
          globalSetup: ['./src/vitest-setup.js'],
        },
      },
    ],
  },
});
