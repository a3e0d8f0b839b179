import { expect, test, type Page } from '@playwright/test';

// Log patterns: lines of three kinds are mined into three templates in the background (the
// miner runs every second); the Patterns tab lists them with their counts, a "New" badge for
// ones first seen in the range, and a link to each one's lines; the log view's summary card
// names the new patterns and the top error patterns.
const password = 'correct horse battery';
const paymentTemplate = 'payment failed for order <num>';

async function signUpWithApp(page: Page, appName: string): Promise<{ key: string; appUrl: string }> {
  await page.goto('/signup');
  await page.getByLabel('Name').fill('Grace');
  await page.getByLabel('Email').fill(`grace-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL('/dashboard');
  await page.goto('/apps/new');
  await page.getByLabel('Name').fill(appName);
  await page.getByRole('button', { name: 'Create app' }).click();
  const key = (await page.getByTestId('api-key').textContent()) ?? '';
  expect(key).toMatch(/^sk_/);
  await page.getByRole('button', { name: 'Add another app' }).click();
  await page.getByRole('link', { name: appName }).first().click();
  await expect(page).toHaveURL(/\/apps\/\d+$/);
  return { key, appUrl: new URL(page.url()).pathname };
}

/** 60 lines, 20 of each kind, interleaved, every one with its own number. */
function lines(): object[] {
  return Array.from({ length: 60 }, (_, i) => {
    const n = i + 1;
    switch (i % 3) {
      case 0:
        return { level: 'error', message: `payment failed for order ${4000 + n}`, service: 'billing' };
      case 1:
        return { level: 'info', message: `GET /cart 200 in ${10 + n} ms`, service: 'web' };
      default:
        return { level: 'debug', message: `cache miss for key user:${700 + n}`, service: 'web' };
    }
  });
}

test('lines are mined into patterns that link to their lines, and the summary names them', async ({ page }) => {
  test.setTimeout(120_000);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const { key, appUrl } = await signUpWithApp(page, 'storefront');

  // Before any line: the Patterns tab says how patterns come about.
  await page.getByRole('link', { name: 'Patterns', exact: true }).click();
  await expect(page).toHaveURL(`${appUrl}/patterns`);
  await expect(page.getByRole('heading', { name: 'No patterns yet' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Open the log view' })).toBeVisible();

  const sent = await page.request.post('/ingest', { data: { api_key: key, logs: lines() } });
  expect(sent.status()).toBe(200);

  // The miner catches up within seconds: reload until the payment pattern has all its lines.
  const table = page.getByRole('table', { name: 'Patterns' });
  const paymentRow = table.getByRole('row').filter({ hasText: paymentTemplate });
  await expect(async () => {
    await page.reload();
    await expect(paymentRow).toBeVisible({ timeout: 1_000 });
    await expect(paymentRow.getByRole('cell').nth(2)).toHaveText('20', { timeout: 1_000 });
  }).toPass({ timeout: 30_000, intervals: [1_000] });
  await expect(table.getByRole('row').filter({ hasText: 'GET /cart <num> in <num> ms' })).toBeVisible();
  await expect(table.getByRole('row').filter({ hasText: 'cache miss for key' })).toBeVisible();
  await expect(paymentRow.getByText('New', { exact: true })).toBeVisible();
  await expect(paymentRow.getByRole('cell').nth(3)).toHaveText('33 %');
  await expect(paymentRow.getByRole('img', { name: /Lines per bar over the range/ })).toBeVisible();
  await expect(paymentRow.getByRole('img', { name: /Levels: error 20/ })).toBeVisible();
  await expect(page.getByText('60 lines in the last 24h')).toBeVisible();

  // The range is in the URL: another period is a link that keeps the page.
  await page.getByRole('navigation', { name: 'Time range' }).getByRole('link', { name: '1h', exact: true }).click();
  await expect(page).toHaveURL(`${appUrl}/patterns?statsPeriod=1h`);
  await expect(paymentRow).toBeVisible();
  await page.screenshot({ path: 'test-results/patterns.png', fullPage: true });

  // The template opens the log view on its lines.
  await paymentRow.getByRole('link', { name: paymentTemplate }).click();
  await expect(page).toHaveURL(new RegExp(`${appUrl}\\?`));
  expect(new URL(page.url()).searchParams.get('q')).toBeTruthy();
  const payments = page.locator('table.log-table .log-row').filter({ hasText: 'payment failed for order' });
  await expect(payments).toHaveCount(20);
  await expect(page.locator('table.log-table .log-row').filter({ hasText: 'cache miss for key' })).toHaveCount(0);

  // The app's page: the summary card names the pattern as new and as the top error pattern.
  await page.goto(appUrl);
  const summary = page.getByRole('region', { name: 'Summary' });
  await expect(summary.getByRole('list', { name: 'New patterns' })).toContainText(paymentTemplate);
  await expect(summary.getByRole('list', { name: 'Top error patterns' })).toContainText(paymentTemplate);
  await expect(summary.getByRole('link', { name: 'All patterns →' })).toHaveAttribute('href', `${appUrl}/patterns`);
  await summary.scrollIntoViewIfNeeded();
  await summary.screenshot({ path: 'test-results/summary-card.png' });

  // Its pattern links open the same lines.
  await summary.getByRole('list', { name: 'Top error patterns' }).getByRole('link', { name: paymentTemplate }).click();
  await expect(page.locator('table.log-table .log-row').filter({ hasText: 'payment failed for order' })).toHaveCount(20);
  expect(errors).toEqual([]);
});
