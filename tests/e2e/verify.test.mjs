// verify.test.mjs — browser tests of the public verify page (issue 6): an
// issued AZE visa's sealed PNG uploaded on /verify is VALID and shows the
// passport number; a photo-like image of the visa (the PDF page rendered by
// pdftoppm at 110 dpi, then scaled, rotated slightly, blurred and saved as a
// JPEG by build/tools/photoscan) is VALID too; the page in Urdu is RTL and a
// pasted seal with one byte changed is INVALID.  The visa is issued through
// the JSON APIs (an officer made with `evisa admin create-user`, enrolled,
// approving).  Verdicts are compared with the po catalogs, never English.
// Screenshots: tests/artifacts/e2e/verify-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'playwright-core';
import {
  ROOT, T, startServer, launchBrowser, phone, shooter, submit, makeImages, apiDraft, apiGet, apiPay,
} from './harness.mjs';

const EVISA = process.env.EVISA || join(ROOT, 'build', 'evisa');
const PHOTOSCAN = process.env.PHOTOSCAN || join(ROOT, 'build', 'tools', 'photoscan');
const PASSWORD = 'correct-horse-battery-staple';
const PASSPORT = 'VF7654321';
const LIMIT = { timeout: 90000 };

let server, browser, images, tmp, visa; // visa: {reference, access_token, png, pdf, hex}

/** `evisa admin totp` for the secret at unix time at (seconds). */
function totp(secret, at) {
  return execFileSync(EVISA, ['admin', 'totp', '--secret', secret, '--at', String(Math.floor(at))],
    { encoding: 'utf8' }).trim();
}

/** An AZE officer, enrolled and signed in through plain HTTP; resolves to
 * {api, csrf} (api: a playwright request context holding the cookies). */
async function apiOfficer(email) {
  const out = execFileSync(EVISA, ['admin', 'create-user', '--state', 'AZE', '--role', 'officer', '--email', email,
    '--data', server.dataDir, '--base-url', server.url], { cwd: ROOT, encoding: 'utf8' });
  const link = out.match(/https?:\/\/\S+\/officer\/enrol\?t=([A-Za-z0-9_-]+)/);
  assert.ok(link, `create-user printed an enrolment link: ${out}`);
  const api = await request.newContext({ baseURL: server.url });
  const page = await (await api.get(link[0])).text();
  const secret = page.match(/id="totp-secret">([A-Z2-7]+)</)?.[1];
  const csrf = page.match(/name="csrf" value="([^"]*)"/)?.[1];
  assert.ok(secret && csrf, 'the enrolment page shows a key and has a csrf field');
  const now = Date.now() / 1000;
  let r = await api.post('/officer/enrol', {
    form: { csrf, t: link[1], email, password: PASSWORD, password2: PASSWORD, totp: totp(secret, now) },
  });
  assert.equal(r.status(), 200);
  assert.match(r.url(), /\/officer\/login\?enrolled=1$/);
  // the next 30-second step: a code is good once, for the current step ± 1
  r = await api.post('/api/v1/officer/session', {
    data: { email, password: PASSWORD, totp: totp(secret, now + 30) },
  });
  const j = await r.json();
  assert.ok(r.ok(), `session: ${r.status()} ${JSON.stringify(j)}`);
  assert.ok(j.csrf_token, JSON.stringify(j));
  return { api, csrf: j.csrf_token };
}

before(async () => {
  images = makeImages();
  tmp = mkdtempSync(join(tmpdir(), 'evisa-e2e-verify-'));
  const [s, b] = await Promise.allSettled([startServer(), launchBrowser()]);
  server = s.value;
  browser = b.value;
  if (s.status === 'rejected') throw s.reason;
  if (b.status === 'rejected') throw b.reason;
  // an issued AZE visa
  const app = await apiDraft(server, images, { passport_number: PASSPORT });
  await apiPay(server, app);
  const { api, csrf } = await apiOfficer('aze.verify@mfa.example');
  try {
    const r = await api.post(`/api/v1/officer/applications/${app.reference}/decision`, {
      headers: { 'X-CSRF-Token': csrf }, data: { decision: 'approve' },
    });
    assert.ok(r.ok(), `approve: ${r.status()} ${await r.text()}`);
  } finally {
    await api.dispose();
  }
  assert.equal((await apiGet(server, app.reference, app.access_token)).status, 'issued');
  const get = async (what) => {
    const r = await fetch(`${server.url}/api/v1/applications/${app.reference}/${what}`,
      { headers: { Authorization: `Bearer ${app.access_token}` } });
    assert.equal(r.status, 200, `GET ${what}`);
    return r;
  };
  visa = { ...app };
  visa.png = join(tmp, 'visa.png');
  writeFileSync(visa.png, Buffer.from(await (await get('visa.png')).arrayBuffer()));
  visa.pdf = join(tmp, 'visa.pdf');
  writeFileSync(visa.pdf, Buffer.from(await (await get('visa.pdf')).arrayBuffer()));
  visa.hex = (await (await get('visa')).json()).seal_hex;
  assert.match(visa.hex, /^dc[0-9a-f]+$/i);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (images) rmSync(images.dir, { recursive: true, force: true });
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Runs fn(page) in a fresh phone context. */
async function onPhone(fn) {
  const ctx = await phone(browser);
  try {
    return await fn(await ctx.newPage());
  } finally {
    await ctx.close();
  }
}

/** Uploads file on /verify (lang) and resolves once the verdict page is shown. */
async function uploadAndVerify(page, file, lang = 'en') {
  const r = await page.goto(`${server.url}/verify?lang=${lang}`);
  assert.equal(r.status(), 200);
  assert.equal(await page.locator('main h1').innerText(), T(lang, 'verify.heading'));
  await page.locator('#image').setInputFiles(file);
  const res = await submit(page);
  assert.equal(res.status(), 200, await page.locator('main').innerText());
}

/** The verdict section's shown data: {code, text, rows: {label: value}}. */
async function verdict(page) {
  const box = page.locator('#verdict');
  assert.ok(await box.isVisible(), `a verdict is shown: ${await page.locator('main').innerText()}`);
  const rows = await box.locator('dl').evaluateAll((dls) => {
    const o = {};
    for (const dl of dls) {
      const dts = [...dl.querySelectorAll('dt')];
      for (const dt of dts) o[dt.innerText.trim()] = dt.nextElementSibling?.innerText.trim();
    }
    return o;
  });
  return {
    code: await box.getAttribute('data-verdict'),
    text: (await page.locator('#verdict-text').innerText()).trim(),
    rows,
  };
}

test('the PNG of an issued visa uploaded on /verify is VALID and shows the passport number', LIMIT, () =>
  onPhone(async (page) => {
    const shot = shooter('verify-png');
    await uploadAndVerify(page, visa.png);
    const v = await verdict(page);
    assert.equal(v.code, 'valid');
    assert.equal(v.text, T('en', 'verify.valid'));
    assert.equal(v.rows[T('en', 'verify.passport_number')], PASSPORT);
    assert.ok(await page.locator('#verdict.success').isVisible(), 'shown as a success');
    assert.match(await page.locator('#seal-mrz').innerText(), /^V<AZE/);
    await shot(page, 'valid');
  }));

test('a photo-like picture of the visa page (110 dpi, rotated, blurred JPEG) is VALID', LIMIT, () =>
  onPhone(async (page) => {
    const shot = shooter('verify-photo');
    const base = join(tmp, 'scan');
    execFileSync('pdftoppm', ['-r', '110', '-png', '-singlefile', visa.pdf, base]);
    const scan = `${base}.png`;
    const photo = join(tmp, 'photo.jpg');
    // a phone held a little crooked, a little further away, not quite in focus
    execFileSync(PHOTOSCAN, [scan, photo, '4', '0.9', '80']);
    assert.ok(statSync(photo).size > 10000, 'a real picture');
    await uploadAndVerify(page, photo);
    const v = await verdict(page);
    assert.equal(v.code, 'valid', `verdict: ${v.text}`);
    assert.equal(v.text, T('en', 'verify.valid'));
    assert.equal(v.rows[T('en', 'verify.passport_number')], PASSPORT);
    await shot(page, 'valid');
  }));

test('in Urdu the page is right-to-left and a pasted seal with one byte changed is INVALID', LIMIT, () =>
  onPhone(async (page) => {
    const shot = shooter('verify-ur');
    const r = await page.goto(`${server.url}/verify?lang=ur`);
    assert.equal(r.status(), 200);
    assert.equal(await page.locator('html').getAttribute('lang'), 'ur');
    assert.equal(await page.locator('html').getAttribute('dir'), 'rtl');
    assert.equal(await page.locator('main h1').innerText(), T('ur', 'verify.heading'));
    assert.equal(await page.locator('#seal').getAttribute('dir'), 'ltr', 'the hex stays left-to-right');
    await shot(page, 'form');
    // flip the low bit of the last byte (inside the signature)
    const last = parseInt(visa.hex.slice(-2), 16) ^ 0x01;
    const bad = visa.hex.slice(0, -2) + last.toString(16).padStart(2, '0');
    await page.locator('#seal').fill(bad);
    const res = await submit(page);
    assert.equal(res.status(), 200);
    assert.equal(await page.locator('html').getAttribute('dir'), 'rtl', 'still in Urdu');
    const v = await verdict(page);
    assert.equal(v.code, 'invalid');
    assert.equal(v.text, T('ur', 'verify.invalid'));
    assert.equal((await page.locator('#verdict-reason').innerText()).trim(), T('ur', 'verify.reason.signature_invalid'));
    assert.ok(await page.locator('#verdict.error').isVisible(), 'shown as an error');
    await shot(page, 'invalid');
  }));

