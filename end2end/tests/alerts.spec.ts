import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test, type Page } from '@playwright/test';

// Alerts: "Set alert" on the log view starts a rule from the search; lines past its threshold
// fire it, the webhook (a receiver started here) gets the notification, the history shows it
// sent, "Send test" answers in place, and "View lines" opens the lines behind it. The server
// under test evaluates rules every 2 s (LODESTAR_ALERT_INTERVAL_SECS in playwright.config.ts).
const password = 'correct horse battery';
const ruleName = 'Too many errors';

async function signUpWithApp(page: Page, appName: string): Promise<{ key: string; appUrl: string }> {
  await page.goto('/signup');
  await page.getByLabel('Name').fill('Ada');
  await page.getByLabel('Email').fill(`ada-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`);
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

type Received = { method: string; url: string; headers: IncomingHttpHeaders; body: string };

/** A webhook receiver on a free local port that records every request and answers 200. */
async function startReceiver(): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/hooks/lodestar`, received };
}

test('a rule set from the log view fires on error lines, notifies its webhook and links to the lines', async ({ page }) => {
  test.setTimeout(120_000);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const receiver = await startReceiver();
  try {
    const { key, appUrl } = await signUpWithApp(page, 'checkout');

    // Before any rule: the Alerts tab says what alerts do and how to start one.
    await page.getByRole('link', { name: 'Alerts', exact: true }).click();
    await expect(page).toHaveURL(`${appUrl}/alerts`);
    await expect(page.getByRole('heading', { name: 'No alert rules yet' })).toBeVisible();
    await expect(page.getByRole('link', { name: 'New alert rule' })).toBeVisible();

    // The log view of the errors; once it is live (hydrated), "Set alert" carries its search.
    await page.goto(`${appUrl}?q=${encodeURIComponent('level:error')}`);
    await expect(page.getByTestId('live-status')).toHaveText('Live');
    await page.getByRole('link', { name: 'Set alert' }).click();
    await expect(page).toHaveURL(new RegExp(`${appUrl}/alerts/new\\?q=level%3Aerror$`));
    await expect(page.getByRole('heading', { name: 'New alert rule' })).toBeVisible();
    await expect(page.getByLabel('Search', { exact: true })).toHaveValue('level:error');
    await expect(page.getByLabel('Alert when')).toHaveValue('threshold');
    await expect(page.getByLabel('Fire when the count is')).toHaveValue('above');
    await expect(page.getByLabel('Enabled')).toBeChecked();

    await page.getByLabel('Name', { exact: true }).fill(ruleName);
    await page.getByLabel('Window (minutes)').fill('1');
    await page.getByLabel('Threshold').fill('2');
    await page.getByLabel('Cooldown (minutes)').fill('0');
    await page.getByLabel('Webhook URL', { exact: true }).fill(receiver.url);
    await page.getByRole('button', { name: 'Create rule' }).click();
    await expect(page).toHaveURL(new RegExp(`${appUrl}/alerts/\\d+$`));
    await expect(page.locator('#rule-title')).toHaveText(ruleName);
    await expect(page.getByText('More than 2 lines matching level:error in 1 min').first()).toBeVisible();
    const ruleUrl = new URL(page.url()).pathname;

    // Five errors in the window: more than 2.
    const logs = Array.from({ length: 5 }, (_, i) => ({
      level: 'error',
      message: `payment gateway timeout #${i + 1}`,
      service: 'checkout',
    }));
    const sent = await page.request.post('/ingest', { data: { api_key: key, logs } });
    expect(sent.status()).toBe(200);

    // The rule fires within a few evaluations and its webhook delivery is sent.
    await page.goto(`${appUrl}/alerts`);
    const entries = () => page.getByRole('list', { name: 'Alert history' }).getByRole('listitem');
    const kind = (label: string) => ({ has: page.getByText(label, { exact: true }) });
    const fired = entries().filter(kind('Fired')).filter(kind('Sent'));
    await expect(async () => {
      await page.reload();
      await expect(fired.first()).toBeVisible({ timeout: 1_000 });
    }).toPass({ timeout: 60_000, intervals: [1_000, 2_000, 2_000] });
    await expect(fired.first()).toContainText(ruleName);
    await expect(fired.first()).toContainText('Webhook');
    await expect(fired.first()).toContainText(receiver.url);
    const row = page.getByRole('row').filter({ hasText: ruleName });
    await expect(row).toContainText('More than 2 lines matching level:error in 1 min');
    await expect(row).toContainText('Webhook');
    await page.screenshot({ path: 'test-results/alerts-history.png', fullPage: true });

    // The receiver got a JSON body that names the rule.
    await expect.poll(() => receiver.received.length).toBeGreaterThan(0);
    const notification = receiver.received[0];
    expect(notification.method).toBe('POST');
    expect(notification.url).toBe('/hooks/lodestar');
    expect(notification.headers['content-type'] ?? '').toContain('application/json');
    const body = JSON.parse(notification.body);
    expect(JSON.stringify(body)).toContain(ruleName);

    // "Send test" on the rule's page answers per channel in place, and is kept in the history.
    await page.goto(ruleUrl);
    const before = receiver.received.length;
    await page.getByRole('button', { name: 'Send test' }).click();
    const results = page.getByRole('list', { name: 'Test results' });
    await expect(results.getByRole('listitem').filter({ hasText: 'Webhook' }).filter(kind('OK'))).toBeVisible();
    await expect.poll(() => receiver.received.length).toBeGreaterThan(before);
    await expect(entries().filter(kind('Test')).first()).toBeVisible();

    // "View lines" opens the log view on the lines that fired it.
    const firedHere = entries().filter(kind('Fired')).first();
    await firedHere.getByRole('link', { name: 'View lines' }).click();
    await expect(page).toHaveURL(new RegExp(`${appUrl}\\?`));
    expect(new URL(page.url()).searchParams.get('q')).toBe('level:error');
    const lines = page.locator('table.log-table .log-row').filter({ hasText: 'payment gateway timeout' });
    await expect(lines).toHaveCount(5);
    await expect(lines.first()).toBeVisible();
    expect(errors).toEqual([]);
  } finally {
    await new Promise((resolve) => receiver.server.close(resolve));
  }
});
