import { expect, test, type Page } from '@playwright/test';

// Register an app from the empty dashboard, see its key once, manage keys, delete the app.
const password = 'correct horse battery';

function uniqueEmail(name: string): string {
  return `${name}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
}

async function signUp(page: Page, name: string) {
  await page.goto('/signup');
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Email').fill(uniqueEmail(name.toLowerCase()));
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL('/dashboard');
}

test('register an app, see its key once, manage keys and delete the app', async ({ page, context, baseURL }) => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL });

  await signUp(page, 'Ada');
  await expect(page.getByText('No apps yet.')).toBeVisible();
  await page.getByRole('link', { name: '+ Add your first app' }).click();
  await expect(page).toHaveURL('/apps/new');
  await expect(page.getByRole('heading', { name: 'Add an app' })).toBeVisible();

  // A name of spaces passes the browser's check; the server's answer shows beside the field.
  const name = page.getByLabel('Name');
  await name.fill('   ');
  await page.getByRole('button', { name: 'Create app' }).click();
  await expect(page.locator('#app-name-error')).toHaveText('Give the app a name.');
  await expect(name).toHaveAttribute('aria-invalid', 'true');

  await name.fill('checkout');
  await page.getByLabel('Description').fill('Payments and orders');
  await page.getByRole('button', { name: 'Create app' }).click();

  // The key, once, with the warning, a copy button and a Quick Start that carries it.
  await expect(page.getByRole('heading', { name: 'checkout is ready' })).toBeVisible();
  await expect(page.getByText('Save this API key — shown only once.')).toBeVisible();
  const key = (await page.getByTestId('api-key').textContent()) ?? '';
  expect(key).toMatch(/^sk_[0-9A-Za-z]{43}$/);
  await page.getByRole('button', { name: 'Copy API key' }).click();
  await expect(page.getByRole('button', { name: 'Copy API key' })).toHaveText('Copied');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);

  const panel = page.getByRole('tabpanel');
  await expect(panel).toContainText(`lodestar.init(api_key="${key}"`);
  await expect(panel).toContainText('pip install ./sdk/python');
  await page.getByRole('tab', { name: 'curl' }).click();
  await expect(panel).toContainText(`${baseURL}/ingest`);
  await expect(panel).toContainText(`Bearer ${key}`);
  await page.getByRole('tab', { name: 'Sentry SDK' }).click();
  const dsn = (await page.getByTestId('dsn').textContent()) ?? '';
  expect(dsn).toMatch(/^http:\/\/[0-9a-f]{32}@127\.0\.0\.1:\d+\/\d+$/);
  await expect(panel).toContainText(`dsn="${dsn}"`);
  await page.getByRole('tab', { name: 'curl' }).click();
  await page.screenshot({ path: 'test-results/app-created.png', fullPage: true });

  // Reloading does not show the key again.
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Add an app' })).toBeVisible();
  expect(await page.content()).not.toContain(key);

  // The same name again is refused beside the field.
  await page.getByLabel('Name').fill('checkout');
  await page.getByRole('button', { name: 'Create app' }).click();
  await expect(page.locator('#app-name-error')).toHaveText('You already have an app named "checkout".');

  // The dashboard lists the app with its numbers, and so does the sidebar.
  await page.goto('/dashboard');
  const card = page.getByRole('article').filter({ hasText: 'checkout' });
  await expect(card).toContainText('Payments and orders');
  await expect(card).toContainText('Lines (24h)');
  await expect(card).toContainText('never');
  await expect(page.getByRole('complementary', { name: 'Apps' }).getByRole('link', { name: 'checkout' })).toBeVisible();
  await page.screenshot({ path: 'test-results/dashboard-apps.png', fullPage: true });

  // The key works as an SDK uses it: POST /ingest, and the card counts the lines.
  const now = Date.now() / 1000;
  const sent = await page.request.post('/ingest', {
    data: { api_key: key, logs: [
      { timestamp: now - 2, level: 'INFO', message: 'GET /cart 200', service: 'api' },
      { timestamp: now - 1, level: 'warning', message: 'slow query', service: 'db' },
      { timestamp: now, level: 'ERROR', message: 'payment failed', service: 'billing', extra: { order: 7 } },
    ] },
  });
  expect(sent.status()).toBe(200);
  expect(await sent.json()).toEqual({ accepted: 3 });
  const refused = await page.request.post('/ingest', { data: { api_key: key, logs: [{ level: 'info' }] } });
  expect(refused.status()).toBe(400);
  expect((await refused.json()).error).toMatchObject({ code: 'missing_message', index: 0 });
  await page.reload();
  const stats = card.locator('dd.stat-value');
  await expect(stats.nth(0)).toHaveText('3');
  await expect(stats.nth(1)).toHaveText('1');
  await expect(stats.nth(2)).not.toHaveText('never');
  await page.screenshot({ path: 'test-results/dashboard-ingested.png', fullPage: true });

  // Settings: a second key, shown once, then revoked.
  await card.getByRole('link', { name: 'Settings & keys' }).click();
  await expect(page.getByRole('heading', { name: 'API keys' })).toBeVisible();
  const rows = page.locator('#keys tbody tr');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(key.slice(0, 10));
  await page.getByLabel('New key name').fill('worker');
  await page.getByRole('button', { name: 'Create key' }).click();
  const second = (await page.locator('#keys').getByTestId('api-key').textContent()) ?? '';
  expect(second).toMatch(/^sk_[0-9A-Za-z]{43}$/);
  expect(second).not.toBe(key);
  await expect(rows).toHaveCount(2);
  const worker = rows.filter({ hasText: 'worker' });
  await expect(worker).toContainText('Active');
  await worker.getByText('Revoke…').click();
  await worker.getByRole('button', { name: 'Revoke key' }).click();
  await expect(worker).toContainText('Revoked');
  await expect(rows.filter({ hasText: 'Default' })).toContainText('Active');
  await page.screenshot({ path: 'test-results/app-settings.png', fullPage: true });

  // Loaded directly (not through the router), the page hydrates: the key form comes alive.
  for (let i = 0; i < 3; i++) {
    await page.reload();
    await expect(page.getByRole('button', { name: 'Create key' })).toBeEnabled();
    await expect(rows).toHaveCount(2);
    await expect(page.getByTestId('api-key')).toHaveCount(0);
  }

  // Rename: the heading and the sidebar follow. Rotate the DSN: a new public key.
  await page.locator('#app-name').fill('checkout-api');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByText('Saved.')).toBeVisible();
  await expect(page.getByRole('heading', { level: 1, name: 'checkout-api' })).toBeVisible();
  await expect(page.getByRole('complementary', { name: 'Apps' }).getByRole('link', { name: 'checkout-api' })).toBeVisible();
  const oldDsn = (await page.getByTestId('dsn').textContent()) ?? '';
  expect(oldDsn).toBe(dsn);
  await page.getByText('Rotate DSN…').click();
  await page.getByRole('button', { name: 'Rotate DSN' }).click();
  await expect(page.getByTestId('dsn')).not.toHaveText(oldDsn);

  // Delete the app: the button waits for its name.
  const remove = page.getByRole('button', { name: 'Delete app' });
  await expect(remove).toBeDisabled();
  await page.getByLabel('to confirm').fill('checkout-api');
  await expect(remove).toBeEnabled();
  await remove.click();
  await expect(page).toHaveURL('/dashboard');
  await expect(page.getByText('No apps yet.')).toBeVisible();

  expect(errors, 'no errors in the browser').toEqual([]);
});

test("another user's app answers not found", async ({ page, browser }) => {
  await signUp(page, 'Grace');
  await page.goto('/apps/new');
  await page.getByLabel('Name').fill('private');
  await page.getByRole('button', { name: 'Create app' }).click();
  await expect(page.getByRole('heading', { name: 'private is ready' })).toBeVisible();
  // "Add another app" starts over with an empty form; the key is gone from the page.
  await page.getByRole('button', { name: 'Add another app' }).click();
  await expect(page.getByRole('heading', { name: 'Add an app' })).toBeVisible();
  await expect(page.getByLabel('Name')).toHaveValue('');
  await expect(page.getByTestId('api-key')).toHaveCount(0);
  await page.getByRole('link', { name: 'Cancel' }).click();
  await page.getByRole('link', { name: 'private' }).first().click();
  await expect(page).toHaveURL(/\/apps\/\d+$/);
  const url = page.url();

  const other = await browser.newPage();
  await signUp(other, 'Mallory');
  const response = await other.goto(url);
  expect(response?.status()).toBe(404);
  await expect(other.getByRole('heading', { name: 'App not found' })).toBeVisible();
  await expect(other.getByText('private')).toHaveCount(0);
  await other.close();
});
