import { expect, test, type Page } from '@playwright/test';

// Each run starts on an empty database, but the journeys below must not depend on each other:
// every one signs up its own user.
const password = 'correct horse battery';

function uniqueEmail(name: string): string {
  return `${name}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
}

async function signUp(page: Page, name: string, email: string) {
  await page.goto('/signup');
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
}

test('sign up, land on the dashboard, sign out and sign in again', async ({ page }) => {
  const email = uniqueEmail('ada');
  await signUp(page, 'Ada Lovelace', email);
  await expect(page).toHaveURL('/dashboard');
  await expect(page.getByRole('heading', { name: 'Welcome, Ada Lovelace!' })).toBeVisible();
  await expect(page.getByText('No apps yet.')).toBeVisible();
  await expect(page.getByRole('link', { name: '+ Add your first app' })).toHaveAttribute('href', '/apps/new');
  await page.screenshot({ path: 'test-results/dashboard-empty.png', fullPage: true });

  await page.getByLabel('Account menu').click();
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByText('You have been signed out.')).toBeVisible();

  // The dashboard is closed again.
  await page.goto('/dashboard');
  await expect(page).toHaveURL('/login?next=/dashboard');

  await page.getByLabel('Email').fill(email.toUpperCase());
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Wrong email or password.');

  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL('/dashboard');
  await expect(page.getByRole('heading', { name: 'Welcome, Ada Lovelace!' })).toBeVisible();
});

test('a visitor who opens the dashboard signs in and comes back to it', async ({ page, browser }) => {
  const email = uniqueEmail('bob');
  await signUp(page, 'Bob', email);
  await expect(page).toHaveURL('/dashboard');

  const fresh = await browser.newPage();
  await fresh.goto('/dashboard');
  await expect(fresh).toHaveURL('/login?next=/dashboard');
  await expect(fresh.getByRole('heading', { name: 'Sign in to Lodestar' })).toBeVisible();
  await fresh.screenshot({ path: 'test-results/sign-in.png', fullPage: true });
  await fresh.getByLabel('Email').fill(email);
  await fresh.getByLabel('Password').fill(password);
  await fresh.getByRole('button', { name: 'Sign in' }).click();
  await expect(fresh).toHaveURL('/dashboard');
  await expect(fresh.getByRole('heading', { name: 'Welcome, Bob!' })).toBeVisible();
  await fresh.close();
});

test('sign-up explains what is wrong, in place', async ({ page }) => {
  const email = uniqueEmail('carol');
  await signUp(page, 'Carol', email);
  await expect(page).toHaveURL('/dashboard');
  await page.context().clearCookies();

  await signUp(page, 'Carol again', email);
  await expect(page.getByRole('alert')).toContainText('already exists');
  await expect(page).toHaveURL('/signup');
});
