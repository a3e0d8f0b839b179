import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';

// The app's log view: lines sent with curl appear live, the search language filters them,
// the histogram zooms, exports download, and log text can never run as HTML.
const password = 'correct horse battery';

async function signUpWithApp(page: Page, appName: string): Promise<{ key: string; appUrl: string }> {
  await page.goto('/signup');
  await page.getByLabel('Name').fill('Lin');
  await page.getByLabel('Email').fill(`lin-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`);
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

/** Sends lines the way a shell script would: curl, JSON, the key as a bearer token. */
function curlIngest(baseURL: string, key: string, logs: object[]) {
  const out = execFileSync('curl', [
    '-sS', '-X', 'POST', `${baseURL}/ingest`,
    '-H', `Authorization: Bearer ${key}`,
    '-H', 'Content-Type: application/json',
    '--data-binary', JSON.stringify({ logs }),
  ]).toString();
  expect(JSON.parse(out)).toEqual({ accepted: logs.length });
}

const services = ['api', 'billing', 'worker', 'db'];
const messages = [
  ['info', 'GET /cart 200 in 12ms'],
  ['info', 'POST /orders 201 in 48ms'],
  ['debug', 'cache hit for session'],
  ['warn', 'slow query on orders (812ms)'],
  ['error', 'upstream timeout after 3000ms calling payments'],
  ['info', 'user signed in'],
  ['error', 'payment declined: card expired'],
];

function history(count: number): object[] {
  const now = Date.now() / 1000;
  return Array.from({ length: count }, (_, i) => {
    const [level, message] = messages[i % messages.length];
    return {
      timestamp: now - 86_000 + (i * 86_000) / count,
      level,
      message,
      service: services[i % services.length],
      environment: i % 3 === 0 ? 'staging' : 'production',
      trace_id: `trace${(i % 5).toString().padStart(4, '0')}`,
      extra: { correlation_id: `order-${i % 9}`, attempt: i % 3 },
    };
  });
}

test('lines arrive live, search filters them, the histogram zooms and exports download', async ({ page, baseURL }) => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('dialog', (dialog) => { errors.push(`dialog: ${dialog.message()}`); dialog.dismiss(); });

  const { key, appUrl } = await signUpWithApp(page, 'storefront');
  await expect(page.getByRole('heading', { name: 'Waiting for the first line' })).toBeVisible();
  await expect(page.getByTestId('live-status')).toHaveText('Live');

  // A line sent with curl appears without a reload.
  curlIngest(baseURL!, key, [{ level: 'info', message: 'hello from curl', service: 'cli' }]);
  const table = page.locator('table.log-table');
  await expect(table.getByText('hello from curl')).toBeVisible({ timeout: 5_000 });

  // A day of history, plus hostile text: it shows literally and runs nothing.
  const hostile = [
    { level: 'error', message: '<script>window.__pwned = 1; alert("xss")</script>', service: 'api' },
    { level: 'warn', message: '"><img src=x onerror="window.__pwned=2">', service: 'api', extra: { note: '<b onmouseover=alert(1)>x</b>' } },
  ];
  const sent = await page.request.post('/ingest', { data: { api_key: key, logs: [...history(260), ...hostile] } });
  expect(sent.status()).toBe(200);
  await expect(table.getByText('<script>window.__pwned = 1; alert("xss")</script>')).toBeVisible();
  await expect(table.getByText('"><img src=x onerror="window.__pwned=2">')).toBeVisible();
  expect(await page.evaluate(() => (window as any).__pwned)).toBeUndefined();
  expect(await page.locator('table.log-table script, table.log-table img').count()).toBe(0);

  // Reload: the histogram, health and first page come from the server.
  await page.reload();
  await expect(page.getByText('Health')).toBeVisible();
  await expect(page.locator('.chart .bucket')).not.toHaveCount(0);
  await expect(page.locator('table.log-table .log-row')).toHaveCount(100);
  await page.getByRole('button', { name: 'Load older' }).click();
  await expect(page.locator('table.log-table .log-row')).toHaveCount(200);
  await page.screenshot({ path: 'test-results/logs-live.png', fullPage: true });

  // A row opens to every attribute; a trace id filters on click.
  const row = page.locator('tbody.log-entry').filter({ hasText: 'upstream timeout' }).first();
  await row.locator('.log-row').click();
  await expect(row.getByText('correlation_id')).toBeVisible();
  await page.screenshot({ path: 'test-results/logs-row-open.png', fullPage: false });
  const trace = (await row.locator('dd button.filter-chip').filter({ hasText: /^trace/ }).first().textContent()) ?? '';
  await row.locator('dd button.filter-chip').filter({ hasText: /^trace/ }).first().click();
  await expect(page).toHaveURL(new RegExp(`q=trace%3A${trace}`));
  await expect(page.locator('.log-row').first()).toBeVisible();
  for (const text of await page.locator('.log-row .log-message').allTextContents()) {
    expect(text.length).toBeGreaterThan(0);
  }

  // The search language: a mistake is pointed at while typing, then a real query.
  const search = page.getByLabel('Search lines');
  await search.fill('level:error (timeout');
  await expect(page.getByRole('alert').filter({ hasText: 'character' })).toBeVisible();
  await search.fill('level:error timeout');
  await search.press('Enter');
  await expect(page).toHaveURL(/q=level%3Aerror%20timeout/);
  await expect(page.locator('.log-row').first()).toContainText('timeout');
  const messagesShown = await page.locator('.log-row .log-message').allTextContents();
  expect(messagesShown.length).toBeGreaterThan(0);
  for (const text of messagesShown) expect(text).toContain('timeout');
  await page.screenshot({ path: 'test-results/logs-search.png', fullPage: true });

  // Export the current query: the file holds exactly those lines.
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Export CSV' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^storefront-logs-.*\.csv$/);
  const csv = readFileSync((await file.path())!, 'utf8').trim().split('\r\n');
  expect(csv[0]).toBe('timestamp,level,service,environment,release,message,trace_id,issue_id,attributes');
  expect(csv.length - 1).toBe(messagesShown.length);
  for (const line of csv.slice(1)) expect(line).toContain('upstream timeout');

  // Drag across the histogram's last bars: the range becomes fixed and the URL says so.
  await page.goto(appUrl);
  const chart = page.locator('svg.chart');
  const box = (await chart.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.99, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await expect(page).toHaveURL(/start=.*end=/);
  await expect(page.getByTestId('live-status')).toHaveText('Fixed range');
  await expect(page.locator('.log-row').first()).toBeVisible();
  await page.goBack();
  await expect(page).toHaveURL(new RegExp(`${appUrl}$`));
  await expect(page.getByTestId('live-status')).toHaveText('Live');
  await page.screenshot({ path: 'test-results/logs-app-page.png', fullPage: true });

  expect(errors, 'no errors or dialogs in the browser').toEqual([]);
});
