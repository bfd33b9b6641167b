import { defineConfig } from 'vitest/config'

// Three tiers, by what a test starts (`npm run test:unit`, `test:integration`, `test:system`;
// `npm test` runs them all):
//   unit         nothing: no network, no child process, no database
//   integration  real local parts in this process: dynalite on a random port, the Sheets v4 test
//                server, webhook receivers, Lambda bundles on fake AWS endpoints, CDK synth
//   system       whole processes: `npm start` as a child (restart, crash, security), dynalite as
//                its own process (faults), Chromium
const shared = {
  testTimeout: 30_000,
  hookTimeout: 30_000,
  pool: 'forks',
  env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
} as const

export default defineConfig({
  test: {
    projects: [
      { test: { ...shared, name: 'unit', include: ['test/unit/**/*.test.{ts,tsx}'] } },
      { test: { ...shared, name: 'integration', include: ['test/integration/**/*.test.{ts,tsx}'] } },
      { test: { ...shared, name: 'system', include: ['test/system/**/*.test.{ts,tsx}'] } },
    ],
  },
})
