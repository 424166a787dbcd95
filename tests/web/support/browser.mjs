// Debian's Chromium driven by playwright-core (nothing downloads a browser),
// with the flags that keep it from calling outside hosts, and the page
// checks every test shares: axe-core and screenshots.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';

export const kChromium = process.env.ORDERLY_CHROMIUM ?? '/usr/bin/chromium';
const kScreenshotDir = process.env.ORDERLY_SCREENSHOT_DIR ?? join(process.cwd(), 'web-screenshots');
export const kDesktop = { width: 1280, height: 800 };
export const kPhone = { width: 375, height: 740 };

export async function launchBrowser() {
  if (!existsSync(kChromium)) throw new Error(`${kChromium} is missing: scripts/bootstrap installs Debian's chromium`);
  return chromium.launch({
    executablePath: kChromium,
    args: ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

// A fresh visitor: its own cookies and storage. Console errors and CSP
// violations are collected for the security test to read.
export async function newVisitor(browser, viewport = kDesktop) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.consoleMessages = [];
  page.on('console', (message) => page.consoleMessages.push({ type: message.type(), text: message.text() }));
  page.dialogs = [];
  page.on('dialog', async (dialog) => { page.dialogs.push(dialog.message()); await dialog.dismiss(); });
  return { context, page };
}

// Zero serious or critical axe-core violations on the page as it is now.
export async function seriousViolations(page) {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
}

// The page at desktop width and at 375 px, into the build folder.
export async function screenshots(page, name) {
  mkdirSync(kScreenshotDir, { recursive: true });
  const size = page.viewportSize();
  await page.screenshot({ path: join(kScreenshotDir, `${name}-desktop.png`), fullPage: true });
  await page.setViewportSize(kPhone);
  await page.screenshot({ path: join(kScreenshotDir, `${name}-375.png`), fullPage: true });
  await page.setViewportSize(size);
}
