// harness.mjs — what the browser tests share: a throw-away evisa server (fresh
// data dir, generous status-lookup limit), one headless Debian chromium driven
// by playwright-core, the translation catalogs read from po/*.po (so tests
// compare against the real texts, never hard-coded English), test images made
// by build/tools/mkimage, full-page screenshots into tests/artifacts/e2e/, and
// a small JSON API client for setting up data quickly.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ARTIFACTS = join(ROOT, 'tests', 'artifacts', 'e2e');
const EVISA = process.env.EVISA || join(ROOT, 'build', 'evisa');
const MKIMAGE = process.env.MKIMAGE || join(ROOT, 'build', 'tools', 'mkimage');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

// ---- translation catalogs --------------------------------------------------

function parsePo(text) {
  const out = new Map();
  const unq = (s) => JSON.parse(s); // po strings use C escapes that JSON shares (\" \\ \n)
  let id = null, str = null, cur = null;
  const flush = () => { if (id !== null && str !== null) out.set(id, str); id = str = cur = null; };
  for (const line of text.split('\n')) {
    let m;
    if ((m = line.match(/^msgid (".*")$/))) { flush(); id = unq(m[1]); cur = 'id'; }
    else if ((m = line.match(/^msgstr (".*")$/))) { str = unq(m[1]); cur = 'str'; }
    else if ((m = line.match(/^(".*")$/)) && cur) {
      if (cur === 'id') id += unq(m[1]); else str += unq(m[1]);
    }
  }
  flush();
  return out;
}

export const catalogs = Object.fromEntries(['en', 'az', 'ur'].map((l) =>
  [l, parsePo(readFileSync(join(ROOT, 'po', `${l}.po`), 'utf8'))]));

/** The text of key in lang, exactly as the po file has it. */
export function T(lang, key) {
  const s = catalogs[lang].get(key);
  assert.ok(s !== undefined, `po/${lang}.po has no ${key}`);
  return s;
}

// ---- dates -------------------------------------------------------------------

/** YYYY-MM-DD of today (UTC) plus days. */
export function day(days) {
  return new Date(Date.now() + days * 86400e3).toISOString().slice(0, 10);
}

// ---- the server --------------------------------------------------------------

/** Starts `evisa serve` on a free port with a fresh data dir; resolves to
 * {url, dataDir, stop()} once it prints its URL. */
export async function startServer() {
  const dir = mkdtempSync(join(tmpdir(), 'evisa-e2e-'));
  const cfg = join(dir, 'config.json');
  writeFileSync(cfg, JSON.stringify({ status_lookups_per_minute: 100 }));
  const dataDir = join(dir, 'data');
  const proc = spawn(EVISA, ['serve', '--listen', '127.0.0.1:0', '--data', dataDir, '--config', cfg],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const url = await new Promise((resolve, reject) => {
    const fail = reject;
    reject = (e) => { if (proc.exitCode === null) proc.kill('SIGKILL'); rmSync(dir, { recursive: true, force: true }); fail(e); };
    let out = '';
    const timer = setTimeout(() => reject(new Error(`evisa serve did not start:\n${out}\n${stderr}`)), 20000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/evisa: open (http:\/\/\S+?)\/?\s/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`evisa serve exited ${code}:\n${stderr}`)); });
    proc.on('error', (e) => { clearTimeout(timer); reject(new Error(`cannot run ${EVISA}: ${e.message}`)); });
  });
  proc.stdout.resume();
  return {
    url,
    dataDir,
    stderr: () => stderr,
    async stop() {
      if (proc.exitCode === null) {
        const done = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
        await done;
        clearTimeout(t);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One value from the server's store (read-only sqlite3, WAL-safe). */
export function sql(server, query) {
  const db = ['db/evisa.db', 'evisa.db'].map((f) => join(server.dataDir, f)).find((f) => existsSync(f));
  assert.ok(db, `no store under ${server.dataDir}`);
  return execFileSync('sqlite3', ['-readonly', db, query], { encoding: 'utf8' }).trim();
}

// ---- the browser -------------------------------------------------------------

export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A fresh context (no cookies) with a phone's viewport. */
export async function phone(browser) {
  const ctx = await browser.newContext({
    viewport: { width: 412, height: 915 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true,
    locale: 'en-US',
  });
  ctx.setDefaultTimeout(10000);
  ctx.setDefaultNavigationTimeout(15000);
  return ctx;
}

/** Screenshots numbered per test: tests/artifacts/e2e/<name>-<nn>-<step>.png.
 * Every shot also checks the page for presentation bugs a phone shows:
 * horizontal overflow and untranslated catalog keys. */
export function shooter(name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const f of readdirSync(ARTIFACTS)) if (f.startsWith(`${name}-`) && /^\d\d-/.test(f.slice(name.length + 1))) rmSync(join(ARTIFACTS, f));
  let n = 0;
  return async (page, step) => {
    n += 1;
    const file = join(ARTIFACTS, `${name}-${String(n).padStart(2, '0')}-${step}.png`);
    await page.screenshot({ path: file, fullPage: true });
    await checkPage(page, `${name}/${step}`);
    return file;
  };
}

const allKeys = [...catalogs.en.keys()];

export async function checkPage(page, where) {
  const { text, overflow, width } = await page.evaluate(() => ({
    text: document.body.innerText,
    overflow: document.documentElement.scrollWidth,
    width: window.innerWidth,
  }));
  assert.ok(overflow <= width, `${where}: page is ${overflow}px wide on a ${width}px phone`);
  const leaked = allKeys.filter((k) => new RegExp(`(^|[^\\w.])${k.replace(/\./g, '\\.')}($|[^\\w.])`).test(text));
  assert.deepEqual(leaked, [], `${where}: untranslated keys on the page`);
}

// ---- forms -------------------------------------------------------------------

/** Fills inputs, selects, textareas and checkboxes by their name. */
export async function fill(page, values) {
  for (const [name, value] of Object.entries(values)) {
    const el = page.locator(`main form [name="${name}"]`);
    const tag = await el.evaluate((e) => e.tagName.toLowerCase() + ':' + (e.type || ''));
    if (tag.startsWith('select')) await el.selectOption(value);
    else if (tag === 'input:checkbox') await (value ? el.check() : el.uncheck());
    else await el.fill(value);
  }
}

/** Clicks a submit button and waits for the resulting page; returns its
 * final response (after redirects). */
export async function submit(page, button = page.locator('main form button[type=submit]').last()) {
  const nav = page.waitForNavigation();
  await button.click();
  return nav;
}

/** The value of every named field of the page's form. */
export async function formValues(page) {
  return page.evaluate(() => Object.fromEntries([...document.querySelectorAll('main form [name]')]
    .filter((e) => e.type !== 'hidden' && e.type !== 'submit')
    .map((e) => [e.name, e.type === 'checkbox' ? e.checked : e.value])));
}

// ---- test images -------------------------------------------------------------

/** Writes the test images once: face 420x540, page 900x630, blank, too small. */
export function makeImages() {
  const dir = mkdtempSync(join(tmpdir(), 'evisa-e2e-img-'));
  const img = (name, ...args) => {
    const p = join(dir, name);
    execFileSync(MKIMAGE, [...args.slice(0, 2).map(String), p, ...args.slice(2)]);
    return p;
  };
  return {
    dir,
    face: img('face.jpg', 420, 540),
    page: img('page.jpg', 900, 630),
    blankFace: img('blank-face.jpg', 420, 540, 'blank'),
    small: img('small.jpg', 200, 260),
  };
}

// ---- the JSON API (quick set-up of applications) -----------------------------

export const applicant = {
  surname: 'KHAN', given_names: 'IMRAN', sex: 'M', date_of_birth: '1990-05-15',
  passport_number: 'AB1234567', passport_issue_date: '2021-01-01', passport_expiry: '2031-01-01',
  place_of_birth: 'Lahore', occupation: 'Engineer', home_address: '12 Mall Road, Lahore',
  email: 'imran@example.org', phone: '+923001234567', decl_truth: 'yes', decl_terms: 'yes',
};

/** Creates an AZE tourist application through the API, complete and with its
 * passport page; resolves to {reference, access_token, resume_url}. */
export async function apiDraft(server, images, fields = {}) {
  const body = {
    state: 'AZE', visa_type: 'tourist-e', track: 'standard', lang: 'en',
    fields: {
      ...applicant, nationality: 'PAK', arrival_date: day(20), departure_date: day(25),
      address_in_country: 'Hotel Baku, Neftchilar 1', ...fields,
    },
  };
  const r = await fetch(`${server.url}/api/v1/applications`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  });
  const app = await r.json();
  assert.equal(r.status, 201, JSON.stringify(app));
  const up = await fetch(`${server.url}/api/v1/applications/${app.reference}/passport-page`, {
    method: 'PUT', headers: { Authorization: `Bearer ${app.access_token}`, 'Content-Type': 'image/jpeg' },
    body: readFileSync(images.page),
  });
  assert.equal(up.status, 200, await up.text());
  return app;
}

/** GET /api/v1/applications/REF with the access token. */
export async function apiGet(server, ref, token) {
  const r = await fetch(`${server.url}/api/v1/applications/${ref}`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  assert.equal(r.status, 200);
  return r.json();
}

/** Pays through the API with the good test card. */
export async function apiPay(server, app) {
  const r = await fetch(`${server.url}/api/v1/applications/${app.reference}/payments`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${app.access_token}`, 'Content-Type': 'application/json',
      'Idempotency-Key': `pay-${app.reference}`,
    },
    body: JSON.stringify({ card_number: '4242424242424242', expiry: '12/30', cvc: '123' }),
  });
  const j = await r.json();
  assert.equal(r.status, 201, JSON.stringify(j));
  return j;
}
