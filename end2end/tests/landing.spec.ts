import { expect, test } from '@playwright/test';

test('a visitor reads the landing page and switches the quick start tabs', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });

  await page.goto('/');
  await expect(page).toHaveTitle('Lodestar');
  await expect(
    page.getByRole('heading', { level: 1, name: 'Every log and error, live, from one small binary.' }),
  ).toBeVisible();
  for (const feature of ['Live logs from any SDK', 'Errors grouped into issues', 'Alerts and summaries']) {
    await expect(page.getByRole('heading', { name: feature })).toBeVisible();
  }
  await expect(page.getByRole('main').getByRole('link', { name: 'Get started' })).toHaveAttribute('href', '/signup');
  await expect(page.getByRole('main').getByRole('link', { name: 'Sign in' })).toHaveAttribute('href', '/login');

  // The tabs only switch once the wasm bundle has hydrated the page.
  const python = page.getByRole('tab', { name: 'Python' });
  const curl = page.getByRole('tab', { name: 'curl' });
  const panel = page.getByRole('tabpanel');
  await expect(python).toHaveAttribute('aria-selected', 'true');
  await expect(panel).toContainText('lodestar.init(');
  await expect(async () => {
    await curl.click();
    await expect(curl).toHaveAttribute('aria-selected', 'true', { timeout: 500 });
  }).toPass({ timeout: 15_000 });
  await expect(panel).toContainText('curl https://lodestar.example.com/ingest');
  await expect(python).toHaveAttribute('aria-selected', 'false');
  await page.getByRole('tab', { name: 'Sentry SDK' }).click();
  await expect(panel).toContainText('sentry_sdk.init(');

  await page.getByRole('tab', { name: 'curl' }).click();
  await page.screenshot({ path: 'test-results/landing.png', fullPage: true });
  expect(errors, 'no errors in the browser console').toEqual([]);
});

test('an unknown address shows the 404 page with a way back', async ({ page }) => {
  const response = await page.goto('/no/such/page');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'This page does not exist' })).toBeVisible();
  await page.getByRole('link', { name: 'Back to the home page' }).click();
  await expect(page).toHaveURL('/');
  await page.screenshot({ path: 'test-results/not-found.png' });
});
