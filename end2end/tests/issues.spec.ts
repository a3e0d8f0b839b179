import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';

// The official sentry-sdk (installed in the tools venv by `make python-sdk`) sends a captured
// exception to the app's DSN; the issue list and page show it; resolving it and sending the
// same error again shows the regression.
const password = 'correct horse battery';
const toolsDir = process.env.LODESTAR_TOOLS_DIR ?? join(homedir(), '.cache', 'lodestar-tools');
const python = join(toolsDir, 'venv', 'bin', 'python');
const program = join(__dirname, '..', '..', 'sdk', 'python', 'tests', 'sentry_sdk_app.py');
const title = "ValueError: invalid literal for int() with base 10: 'three'";

// Run from the program's own directory, as an app runs from its project, the SDK marks the
// program's frames in-app; run from elsewhere it cannot tell and marks none.
function sendError(dsn: string, order: number, fromProject = true) {
  const cwd = fromProject ? dirname(program) : homedir();
  execFileSync(python, [program, dsn, String(order)], { timeout: 60_000, cwd });
}

async function newAppDsn(page: Page): Promise<{ dsn: string; appPath: string }> {
  await page.goto('/signup');
  await page.getByLabel('Name').fill('Iris');
  await page.getByLabel('Email').fill(`iris-${Date.now()}@example.com`);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await page.goto('/apps/new');
  await page.getByLabel('Name').fill('shop');
  await page.getByRole('button', { name: 'Create app' }).click();
  await expect(page.getByRole('heading', { name: 'shop is ready' })).toBeVisible();
  await page.getByRole('tab', { name: 'Sentry SDK' }).click();
  const dsn = (await page.getByTestId('dsn').textContent()) ?? '';
  expect(dsn).toMatch(/^http:\/\/[0-9a-f]{32}@127\.0\.0\.1:\d+\/\d+$/);
  const appPath = new URL(dsn).pathname; // "/<app id>"
  return { dsn, appPath: `/apps${appPath}` };
}

test.beforeAll(() => {
  expect(existsSync(python), `${python} (make python-sdk installs it)`).toBe(true);
});

test('a Sentry SDK exception becomes an issue; resolved, the same error comes back as a regression', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const { dsn, appPath } = await newAppDsn(page);

  // Before any error: the Issues tab says how to send one, with the DSN.
  await page.goto(appPath);
  await page.getByRole('link', { name: 'Issues' }).click();
  await expect(page).toHaveURL(new RegExp(`${appPath}/issues`));
  await expect(page.getByText(dsn).first()).toBeVisible();

  sendError(dsn, 991);
  await page.reload();
  const row = page.getByRole('row').filter({ hasText: title });
  await expect(row).toBeVisible();
  await expect(row).toContainText('parse_quantity');
  await expect(row.getByRole('img', { name: '1 event in the last 24 hours' })).toBeVisible();
  await page.screenshot({ path: 'test-results/issues-list.png', fullPage: true });

  // The issue page: the stack trace with the app's own frame open on its source line,
  // breadcrumbs, the user and tags.
  await row.getByRole('link', { name: title }).click();
  await expect(page.locator('#issue-title')).toHaveText(title);
  await expect(page.getByText('parse_quantity in sentry_sdk_app.py:11')).toBeVisible();
  // The program's four frames (main, checkout, add_to_cart, parse_quantity) are open, the
  // innermost on the line that raised.
  await expect(page.locator('.frame.is-app details[open]')).toHaveCount(4);
  await expect(page.locator('.source-line.is-current').first()).toContainText('return int(text)');
  await expect(page.getByText('user signed in').first()).toBeVisible();
  await expect(page.getByText('opened order 991').first()).toBeVisible();
  await expect(page.getByText('ada@example.com').first()).toBeVisible();
  await expect(page.getByText('eu-west').first()).toBeVisible();
  await page.screenshot({ path: 'test-results/issue-page.png', fullPage: true });

  // Resolve: it leaves the default (unresolved) list.
  await page.getByRole('button', { name: 'Resolve' }).click();
  await expect(page.locator('.issue-badges')).toContainText(/resolved/i);
  await page.getByRole('link', { name: 'Issues' }).first().click();
  await expect(page.getByRole('row').filter({ hasText: title })).toHaveCount(0);

  // The same error again (another order number): the issue is back, as a regression.
  sendError(dsn, 992);
  await page.reload();
  const again = page.getByRole('row').filter({ hasText: title });
  await expect(again).toBeVisible();
  await expect(again).toContainText('Regression');
  await again.getByRole('link', { name: title }).click();
  await expect(page.locator('.issue-badges')).toContainText('Regression');
  await expect(page.getByText('opened order 992').first()).toBeVisible();
  await page.getByRole('link', { name: 'Oldest' }).click();
  await expect(page.getByText('opened order 991').first()).toBeVisible();
  await page.screenshot({ path: 'test-results/issue-regression.png', fullPage: true });
  expect(errors).toEqual([]);
});

// When the SDK marks no frame in-app, the innermost one (where the error was raised) is open.
test('with no in-app frame, the innermost frame is open on its source line', async ({ page }) => {
  const { dsn, appPath } = await newAppDsn(page);
  sendError(dsn, 7, false);
  await page.goto(`${appPath}/issues`);
  await page.getByRole('link', { name: title }).click();
  await expect(page.locator('.frame.is-app')).toHaveCount(0);
  await expect(page.locator('.frame details[open]')).toHaveCount(1);
  await expect(page.locator('.source-line.is-current:visible')).toContainText('return int(text)');
});
