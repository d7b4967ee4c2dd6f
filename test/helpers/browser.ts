import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { REQUIRE_SERVICES } from './databases.js';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * Debian's Chromium, headless. Null when it is not installed, so browser tests can skip;
 * with REQUIRE_SERVICES set (CI installs it) a missing browser is an error instead.
 */
export async function launchChromium(): Promise<Browser | null> {
  if (!existsSync(CHROMIUM_PATH)) {
    if (REQUIRE_SERVICES) throw new Error(`Chromium is not installed at ${CHROMIUM_PATH} and REQUIRE_SERVICES is set`);
    return null;
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ARGS });
}
