import { defineConfig } from '@playwright/test';

// The journeys run against the release binary (`make test` builds it first) on an empty
// SQLite database under a temporary folder, in Debian's Chromium: no browser download.
const port = Number(process.env.LODESTAR_E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;
const dataDir = process.env.LODESTAR_E2E_DATA_DIR ?? `/tmp/lodestar-e2e-${process.pid}`;
// end2end/fake-oauth-provider.mjs stands in for Google (see tests/google.spec.ts).
const fakeOAuthPort = Number(process.env.FAKE_OAUTH_PORT ?? 3101);
const fakeOAuthURL = `http://127.0.0.1:${fakeOAuthPort}`;

export default defineConfig({
  testDir: './tests',
  outputDir: './test-results',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  // The fake sign-in provider first, then Lodestar configured to use it as "Google".
  webServer: [
    {
      command: `node fake-oauth-provider.mjs`,
      url: `${fakeOAuthURL}/health`,
      timeout: 10_000,
      reuseExistingServer: false,
      stdout: 'pipe',
      stderr: 'pipe',
      env: { FAKE_OAUTH_PORT: String(fakeOAuthPort) },
    },
    {
      // Run from the repository root so the binary reads Leptos.toml and serves target/site.
      command: `rm -rf ${dataDir} && ./target/release/lodestar serve`,
      cwd: '..',
      // Playwright waits until /health answers 200 before the first test.
      url: `${baseURL}/health`,
      timeout: 60_000,
      reuseExistingServer: false,
      stdout: 'pipe',
      stderr: 'pipe',
      env: {
        LODESTAR_ADDR: `127.0.0.1:${port}`,
        LODESTAR_DATA_DIR: dataDir,
        LODESTAR_LOG: 'warn',
        // Alert rules are measured every 2 s, so that the alerts journey sees one fire soon.
        LODESTAR_ALERT_INTERVAL_SECS: '2',
        LODESTAR_GOOGLE_CLIENT_ID: 'e2e-client',
        LODESTAR_GOOGLE_CLIENT_SECRET: 'e2e-secret',
        LODESTAR_GOOGLE_AUTHORIZE_URL: `${fakeOAuthURL}/authorize`,
        LODESTAR_GOOGLE_TOKEN_URL: `${fakeOAuthURL}/token`,
        LODESTAR_GOOGLE_USERINFO_URL: `${fakeOAuthURL}/userinfo`,
      },
    },
  ],
});
