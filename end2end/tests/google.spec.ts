import { expect, test } from '@playwright/test';

// "Continue with Google" against end2end/fake-oauth-provider.mjs, which approves at once as
// Grace Hopper (a verified grace@example.com) and checks the PKCE verifier at its token endpoint.
test('a visitor continues with Google and lands on the dashboard', async ({ page }) => {
  await page.goto('/login');
  await page.getByRole('link', { name: 'Continue with Google' }).click();

  await expect(page).toHaveURL('/dashboard');
  await expect(page.getByRole('heading', { name: 'Welcome, Grace Hopper!' })).toBeVisible();
  await page.screenshot({ path: 'test-results/google-signin.png', fullPage: true });
});
