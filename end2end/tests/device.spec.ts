import { spawn, execFileSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, existsSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';

// `lodestar init` from the Python SDK (installed by `make python-sdk`) connects a terminal:
// the test runs the real CLI, opens the link it prints, signs up, approves, and the CLI saves
// the key; `lodestar test` then shows up in the app's live view.
const password = 'correct horse battery';
const toolsDir = process.env.LODESTAR_TOOLS_DIR ?? join(homedir(), '.cache', 'lodestar-tools');
const cli = join(toolsDir, 'venv', 'bin', 'lodestar');

interface Run {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  exited: Promise<number>;
}

function run(args: string[], home: string): Run {
  const child = spawn(cli, args, {
    env: { ...process.env, HOME: home, LODESTAR_CONFIG: join(home, '.lodestar', 'config.json'), NO_COLOR: '1' },
  });
  let text = '';
  child.stdout.on('data', (chunk) => { text += chunk.toString(); });
  child.stderr.on('data', (chunk) => { text += chunk.toString(); });
  const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
  return { child, output: () => text, exited };
}

/** The approval link `lodestar init` prints, once it has printed it. */
async function printedLink(init: Run): Promise<string> {
  let link = '';
  await expect.poll(() => {
    link = init.output().match(/https?:\/\/\S+\/sdk\/link\?code=[A-Z]{4}-[A-Z]{4}/)?.[0] ?? '';
    return link;
  }, { timeout: 15_000, message: 'lodestar init prints the link' }).not.toBe('');
  return link;
}

test.beforeAll(() => {
  expect(existsSync(cli), `${cli} (make python-sdk installs it)`).toBe(true);
});

test('lodestar init gets a key through the browser and lodestar test shows up live', async ({ page, baseURL }) => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const home = mkdtempSync(join(tmpdir(), 'lodestar-cli-'));

  const init = run(['init', '--app-name', 'terminal-shop', '--no-browser', '--url', baseURL!], home);
  const link = await printedLink(init);
  const code = link.split('code=')[1];
  expect(init.output()).toContain(code);

  // Not signed in yet: the link goes through sign-up and comes back to the code.
  await page.goto(link);
  await expect(page).toHaveURL(/\/login\?next=/);
  await page.getByRole('link', { name: 'Create an account' }).click();
  await page.getByLabel('Name').fill('Tess');
  await page.getByLabel('Email').fill(`tess-${Date.now()}@example.com`);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(new RegExp(`/sdk/link\\?code=${code}$`));
  await expect(page.getByRole('heading', { name: 'Connect a terminal' })).toBeVisible();
  await expect(page.getByTestId('device-code')).toHaveText(code);
  await expect(page.getByLabel('App name')).toHaveValue('terminal-shop');
  await page.screenshot({ path: 'test-results/device-approve.png', fullPage: true });
  await page.getByRole('button', { name: 'Approve' }).click();
  await expect(page.getByRole('heading', { name: 'Terminal connected' })).toBeVisible();
  await page.screenshot({ path: 'test-results/device-approved.png', fullPage: true });

  // The CLI picks the key up, saves it readable by its owner only, and says so.
  expect(await init.exited, init.output()).toBe(0);
  const configPath = join(home, '.lodestar', 'config.json');
  expect(statSync(configPath).mode & 0o777).toBe(0o600);
  const config = JSON.parse(readFileSync(configPath, 'utf8'));
  expect(config.api_key).toMatch(/^sk_/);
  expect(config.app_name).toBe('terminal-shop');
  expect(init.output()).not.toContain(config.api_key);

  // The app's page is live; `lodestar test` sends a line that appears without a reload.
  await page.getByRole('link', { name: 'Open terminal-shop' }).click();
  await expect(page).toHaveURL(new RegExp(`/apps/${config.app_id}$`));
  await expect(page.getByTestId('live-status')).toHaveText('Live');
  const sent = run(['test'], home);
  expect(await sent.exited, sent.output()).toBe(0);
  await expect(page.locator('table.log-table').getByText(/Lodestar test line/)).toBeVisible({ timeout: 5_000 });

  // The key the terminal got is listed in the app's settings under the terminal's name.
  await page.goto(`/apps/${config.app_id}/settings`);
  await expect(page.getByRole('cell', { name: /^lodestar init \(/ })).toBeVisible();
  await page.screenshot({ path: 'test-results/device-flow.png', fullPage: true });
  expect(errors).toEqual([]);
});

test('a denied code tells the terminal, and a used code says so', async ({ page, baseURL }) => {
  const home = mkdtempSync(join(tmpdir(), 'lodestar-cli-'));
  await page.goto('/signup');
  await page.getByLabel('Name').fill('Dana');
  await page.getByLabel('Email').fill(`dana-${Date.now()}@example.com`);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL('/dashboard');

  const init = run(['init', '--app-name', 'not-mine', '--no-browser', '--url', baseURL!], home);
  const link = await printedLink(init);
  await page.goto(link);
  await page.getByRole('button', { name: 'Deny' }).click();
  await expect(page.getByRole('heading', { name: 'Request denied' })).toBeVisible();
  expect(await init.exited).toBe(1);
  expect(init.output()).toMatch(/denied/i);
  expect(existsSync(join(home, '.lodestar', 'config.json'))).toBe(false);

  // The same link again: the page says the request was denied, with no form.
  await page.goto(link);
  await expect(page.getByRole('heading', { name: 'This request was denied' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Approve' })).toHaveCount(0);

  // A code typed by hand that no terminal is waiting with.
  await page.goto('/sdk/link');
  await page.getByLabel('Code').fill('bcdf-ghjk');
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { name: 'Unknown code' })).toBeVisible();
  await page.screenshot({ path: 'test-results/device-flow-denied.png', fullPage: true });
});

test.afterAll(() => {
  // No CLI left behind if an assertion failed mid-way.
  try { execFileSync('pkill', ['-f', `${cli} init`]); } catch { /* none running */ }
});
