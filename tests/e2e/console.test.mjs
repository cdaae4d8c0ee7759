// console.test.mjs — browser tests of the consular console (issue 5): an
// officer enrols from the one-time link (password + the TOTP key read off the
// page) and signs in with a code from `evisa admin totp`, a wrong code is
// refused; an approval issues a visa whose PDF and sealed PNG the applicant
// downloads (the seal verified with `evisa seal verify`); a refusal needs a
// second officer (four-eyes) and reaches the applicant in Azerbaijani with the
// state's reason text; a request for information goes to the applicant, who
// re-uploads and resubmits, and comes back to the queue; an officer of
// another state gets "not found"; sign-out and sign-out everywhere.  Officers
// use a desktop-sized window, applicants a phone.  Every step leaves a
// full-page screenshot in tests/artifacts/e2e/console-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ROOT, T, startServer, sql, launchBrowser, phone, shooter, submit, makeImages, apiDraft, apiGet, apiPay,
} from './harness.mjs';

const EVISA = process.env.EVISA || join(ROOT, 'build', 'evisa');
const MKIMAGE = process.env.MKIMAGE || join(ROOT, 'build', 'tools', 'mkimage');
const PASSWORD = 'correct-horse-battery-staple';
const LIMIT = { timeout: 60000 };
const AZE = JSON.parse(readFileSync(join(ROOT, 'config', 'states', 'AZE.json'), 'utf8'));

let server, browser, images, tmp;
const officers = {}; // email -> {email, state, role, secret, lastStep}

before(async () => {
  images = makeImages();
  tmp = mkdtempSync(join(tmpdir(), 'evisa-e2e-console-'));
  const [s, b] = await Promise.allSettled([startServer(), launchBrowser()]);
  server = s.value;
  browser = b.value;
  if (s.status === 'rejected') throw s.reason;
  if (b.status === 'rejected') throw b.reason;
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (images) rmSync(images.dir, { recursive: true, force: true });
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

// ---- helpers -------------------------------------------------------------------

/** An officer's browser: a desk-sized window, no cookies. */
async function desk() {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  ctx.setDefaultTimeout(10000);
  ctx.setDefaultNavigationTimeout(15000);
  return ctx;
}

/** Runs fn with fresh contexts (kinds: 'desk' or 'phone'); closes them afterwards. */
async function withPages(kinds, fn) {
  const ctxs = [];
  try {
    const pages = [];
    for (const k of kinds) {
      const ctx = k === 'phone' ? await phone(browser) : await desk();
      ctxs.push(ctx);
      pages.push(await ctx.newPage());
    }
    return await fn(...pages);
  } finally {
    for (const c of ctxs) await c.close();
  }
}

const h1 = (page) => page.locator('main h1').innerText();
const notice = (page) => page.locator('#notice').innerText();
const appStatus = (page) => page.locator('#app-status').innerText();

/** The TOTP code of secret for a 30-second step. */
function totp(secret, step) {
  return execFileSync(EVISA, ['admin', 'totp', '--secret', secret, '--at', String(step * 30 + 1)],
    { encoding: 'utf8' }).trim();
}

/** A code the server has not seen yet.  A code is good for the current
 * 30-second step ± 1, and (against replay) only for a step after the last one
 * accepted: the officer's first code is the previous step's, the next ones
 * count up, so up to three sign-ins need no waiting. */
async function freshCode(o) {
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  // too close to a step boundary, "the previous step" may expire in transit
  if (30000 - (Date.now() % 30000) < 2500) await sleep(30000 - (Date.now() % 30000) + 100);
  const now = () => Math.floor(Date.now() / 30000);
  const step = Math.max(now() - 1, o.lastStep + 1);
  while (step > now() + 1) await sleep(250);
  o.lastStep = step;
  return totp(o.secret, step);
}

/** `evisa admin create-user`: resolves to the one-time enrolment link. */
function createUser(email, state, role = 'officer') {
  const out = execFileSync(EVISA, ['admin', 'create-user', '--state', state, '--role', role, '--email', email,
    '--data', server.dataDir, '--base-url', server.url], { cwd: ROOT, encoding: 'utf8' });
  const link = out.match(/https?:\/\/\S+\/officer\/enrol\?t=[A-Za-z0-9_-]+/);
  assert.ok(link, `create-user printed an enrolment link: ${out}`);
  return link[0];
}

/** Enrols a new officer in page: sets the password, reads the key off the page. */
async function enrol(page, email, state, role, shot) {
  const link = createUser(email, state, role);
  let r = await page.goto(link);
  assert.equal(r.status(), 200);
  assert.equal(await h1(page), 'Set up your account');
  const secret = (await page.locator('#totp-secret').innerText()).trim();
  assert.match(secret, /^[A-Z2-7]{32}$/, 'a base32 key of 20 bytes is shown');
  assert.equal(await page.locator('input[name=secret]').count(), 0, 'the key is bound to the link on the server, not carried by the form');
  assert.ok((await page.locator('main .hint').innerText()).startsWith('otpauth://totp/'), 'the otpauth URI');
  const o = { email, state, role, secret, lastStep: -1 };
  officers[email] = o;
  await page.locator('#email').fill(email);
  await page.locator('#password').fill(PASSWORD);
  await page.locator('#password2').fill(PASSWORD);
  await page.locator('#totp').fill(await freshCode(o));
  if (shot) await shot(page, 'enrol');
  r = await submit(page);
  assert.equal(r.status(), 200);
  assert.match(page.url(), /\/officer\/login\?enrolled=1$/);
  assert.equal(await page.locator('main [role=status]').innerText(), 'Your account is ready: sign in.');
  if (shot) await shot(page, 'enrolled');
  o.link = link;
  return o;
}

/** Signs o in on the login page; resolves on the queue. */
async function login(page, o, shot) {
  await page.goto(`${server.url}/officer/login`);
  await page.locator('#email').fill(o.email);
  await page.locator('#password').fill(PASSWORD);
  await page.locator('#totp').fill(await freshCode(o));
  if (shot) await shot(page, 'login');
  const r = await submit(page);
  assert.equal(r.status(), 200, await page.locator('main').innerText());
  assert.equal(new URL(page.url()).pathname, '/officer');
  assert.equal(await h1(page), 'Review queue');
  assert.ok((await page.locator('header nav').innerText()).includes(`${o.email} · ${o.state} · ${o.role}`));
}

/** A new officer, enrolled and signed in, in a fresh desk window: {page, o}. */
async function officerPage(email, state, role = 'officer') {
  const ctx = await desk();
  const page = await ctx.newPage();
  const o = await enrol(page, email, state, role);
  await login(page, o);
  return { page, o, ctx };
}

/** References in the officer's queue page (status filter optional). */
async function queueRefs(page, status) {
  await page.goto(`${server.url}/officer${status ? `?status=${status}` : ''}`);
  return page.locator('table.queue td.ref a').evaluateAll((es) => es.map((e) => e.innerText));
}

/** Opens the application from the queue, by clicking its row's link. */
async function openFromQueue(page, ref) {
  assert.ok((await queueRefs(page)).includes(ref), `${ref} is in the queue`);
  await submit(page, page.locator(`table.queue a[href="/officer/a/${ref}"]`));
  assert.equal(await page.locator('main h1 .ref').innerText(), ref);
}

/** Fills and sends the decision form. */
async function decide(page, decision, { reason, info, note } = {}) {
  await page.locator(`input[name=decision][value=${decision}]`).check();
  if (reason) await page.locator('#reason_code').selectOption(reason);
  if (info) await page.locator('#info_request').fill(info);
  if (note) await page.locator('#note').fill(note);
  const r = await submit(page, page.locator('main form[action$="/decide"] button[type=submit]'));
  assert.equal(r.status(), 200);
}

/** A complete, paid AZE application made through the JSON API. */
async function paidApp(passport) {
  const app = await apiDraft(server, images, { passport_number: passport });
  await apiPay(server, app);
  assert.equal((await apiGet(server, app.reference, app.access_token)).status, 'submitted');
  return app;
}

async function applicantDone(page, app, lang = 'en') {
  await page.goto(`${server.url}${app.resume_url}`);
  const r = await page.goto(`${server.url}/a/${app.reference}/done?lang=${lang}`);
  assert.equal(r.status(), 200);
  assert.equal(await page.locator('main p.ref strong').first().innerText(), app.reference);
}

// ---- tests ------------------------------------------------------------------------

test('an officer enrols in the browser, then signs in with password and TOTP; a wrong code is refused', LIMIT, () =>
  withPages(['desk'], async (page) => {
    const shot = shooter('console-login');
    const o = await enrol(page, 'aze.a@mfa.example', 'AZE', 'officer', shot);
    // the link works once
    await page.goto(o.link);
    const secret = await page.locator('#totp-secret').innerText();
    await page.locator('#email').fill(o.email);
    await page.locator('#password').fill(PASSWORD);
    await page.locator('#password2').fill(PASSWORD);
    await page.locator('#totp').fill(totp(secret, Math.floor(Date.now() / 30000)));
    const spent = await submit(page);
    assert.equal(spent.status(), 404);
    assert.equal(await page.locator('main .notice.error').innerText(), 'This enrolment link is not valid or was already used.');
    await shot(page, 'link-spent');
    // without a session the console sends to the login page
    await page.goto(`${server.url}/officer`);
    assert.equal(new URL(page.url()).pathname, '/officer/login');
    // a wrong code: not one of the codes around now
    const step = Math.floor(Date.now() / 30000);
    const good = [-1, 0, 1, 2].map((d) => totp(o.secret, step + d));
    const wrong = ['000000', '111111', '222222', '333333', '444444'].find((c) => !good.includes(c));
    await page.locator('#email').fill(o.email);
    await page.locator('#password').fill(PASSWORD);
    await page.locator('#totp').fill(wrong);
    let r = await submit(page);
    assert.equal(r.status(), 401);
    assert.equal(await page.locator('main .notice.error[role=alert]').innerText(), 'Wrong email, password or code.');
    assert.equal(await page.locator('#email').inputValue(), o.email, 'the email is kept');
    assert.equal(await page.locator('#password').inputValue(), '', 'the password is not sent back');
    await shot(page, 'wrong-code');
    // a wrong password with a good code: the same answer
    await page.locator('#password').fill('not-the-password-at-all');
    await page.locator('#totp').fill(totp(o.secret, step));
    r = await submit(page);
    assert.equal(r.status(), 401);
    assert.equal(await page.locator('main .notice.error[role=alert]').innerText(), 'Wrong email, password or code.');
    // the right code
    await login(page, o, shot);
    await shot(page, 'queue-empty');
    assert.equal(await page.locator('table.queue:not(.overstays) tbody').innerText(), 'Nothing waiting.');
    const cookie = (await page.context().cookies()).find((c) => c.name === 'evisa_officer');
    assert.ok(cookie?.httpOnly, 'the session cookie is HttpOnly');
    assert.notEqual(cookie.sameSite, 'None', 'not sent on cross-site requests');
  }));

test('approve: the application is issued and the applicant downloads a PDF and a sealed PNG', LIMIT, async () => {
  const shot = shooter('console-approve');
  const app = await paidApp('AP1234567');
  const { page, ctx } = await officerPage('aze.approver@mfa.example', 'AZE');
  try {
    assert.ok((await queueRefs(page)).includes(app.reference));
    const row = page.locator(`table.queue tr:has(a[href="/officer/a/${app.reference}"])`);
    assert.match(await row.innerText(), /KHAN, IMRAN\s+PAK\s+E-visa \(tourist\)\s+submitted\s+\d+h \d\dm left/);
    await shot(page, 'queue');
    await openFromQueue(page, app.reference);
    assert.equal(await appStatus(page), 'in_review', 'opening it takes it into review');
    assert.match(await page.locator('main p.mrz').first().innerText(), /^KHAN<<IMRAN<*$/);
    assert.ok(await page.locator('main .success').first().isVisible(), 'MRZ and passport data consistent');
    const img = page.locator('main img[src$="/doc/passport_page"]');
    assert.ok(await img.evaluate((e) => e.complete && e.naturalWidth === 900), 'the passport page is shown');
    await page.locator('input[name=decision][value=approve]').check();
    await page.locator('#note').fill('Passport page matches the data.');
    await shot(page, 'detail-decision-form');
    await decide(page, 'approve');
    assert.equal(await notice(page), 'approved and visa issued');
    assert.equal(await appStatus(page), 'issued');
    assert.equal(await page.locator('main form[action$="/decide"]').count(), 0, 'no decision form any more');
    const mrz = await page.locator('main section:has(h2:text-matches("^Visa ")) p.mrz').innerText();
    assert.match(mrz, /^V<AZEKHAN<<IMRAN/);
    await shot(page, 'issued');
    assert.ok(!(await queueRefs(page)).includes(app.reference), 'gone from the open queue');
    assert.ok((await queueRefs(page, 'issued')).includes(app.reference), 'listed under Issued');
    // sign out: this window's session ends
    await submit(page, page.locator('header form[action="/officer/logout"] button'));
    assert.equal(new URL(page.url()).pathname, '/officer/login');
    await shot(page, 'signed-out');
    await page.goto(`${server.url}/officer/a/${app.reference}`);
    assert.equal(new URL(page.url()).pathname, '/officer/login', 'the session is gone');
    const api = await page.request.get(`${server.url}/api/v1/officer/queue`);
    assert.equal(api.status(), 401);
  } finally {
    await ctx.close();
  }
  await withPages(['phone'], async (phonePage) => {
    await applicantDone(phonePage, app);
    assert.equal(await phonePage.locator('#status').innerText(), T('en', 'status.issued'));
    assert.ok((await phonePage.locator('main').innerText()).includes(T('en', 'done.visa_ready')));
    const pdf = phonePage.locator(`main a[href="/a/${app.reference}/visa.pdf"]`);
    const png = phonePage.locator(`main a[href="/a/${app.reference}/visa.png"]`);
    assert.equal(await pdf.innerText(), T('en', 'done.download_pdf'));
    assert.equal(await png.innerText(), T('en', 'done.download_png'));
    await shot(phonePage, 'applicant-issued');
    let r = await phonePage.request.get(new URL(await pdf.getAttribute('href'), server.url).href);
    assert.equal(r.status(), 200);
    assert.match(r.headers()['content-type'], /^application\/pdf/);
    assert.equal((await r.body()).subarray(0, 5).toString(), '%PDF-');
    r = await phonePage.request.get(new URL(await png.getAttribute('href'), server.url).href);
    assert.equal(r.status(), 200);
    assert.match(r.headers()['content-type'], /^image\/png/);
    const file = join(tmp, 'visa.png');
    writeFileSync(file, await r.body());
    const out = execFileSync(EVISA, ['seal', 'verify', '--cert', join(server.dataDir, 'keys', 'AZE', 'ds.cert.pem'),
      '--image', file], { encoding: 'utf8' });
    const v = (await apiGet(server, app.reference, app.access_token));
    assert.equal(v.status, 'issued');
    assert.ok(out.includes('KHAN<<IMRAN'), `the verified seal carries the MRZ: ${out.slice(0, 300)}`);
    // another browser without the applicant's cookie gets nothing
    await withPages(['phone'], async (stranger) => {
      const s = await stranger.request.get(`${server.url}/a/${app.reference}/visa.pdf`);
      assert.equal(s.status(), 404);
    });
  });
});

test('refusal with a reason needs a second officer; the applicant reads the reason in Azerbaijani', LIMIT, async () => {
  const shot = shooter('console-refuse');
  const app = await paidApp('RF1234567');
  const a = await officerPage('aze.first@mfa.example', 'AZE');
  const b = await officerPage('aze.second@mfa.example', 'AZE', 'supervisor');
  try {
    await openFromQueue(a.page, app.reference);
    await a.page.locator('input[name=decision][value=refuse]').check();
    await a.page.locator('#reason_code').selectOption('data-mismatch');
    await a.page.locator('#note').fill('Surname differs from the passport scan.');
    assert.ok(!(await a.page.locator('#info_request').isVisible()), 'only the fields of a refusal are shown');
    await shot(a.page, 'proposal');
    await decide(a.page, 'refuse');
    assert.equal(await notice(a.page), 'recorded; a second officer must confirm it (four-eyes)');
    assert.equal(await appStatus(a.page), 'in_review', 'not refused yet');
    const box = a.page.locator('main section.notice:has(h2:text("Awaiting a second officer (four-eyes)"))');
    assert.match(await box.innerText(), /Proposed: refuse data-mismatch — Surname differs from the passport scan\./);
    assert.ok((await box.innerText()).includes('You proposed this decision; another officer must confirm it.'));
    assert.equal(await box.locator('button').count(), 0, 'the proposer has no Confirm button');
    assert.equal(await a.page.locator('main form[action$="/decide"]').count(), 0, 'no second decision meanwhile');
    await shot(a.page, 'pending-mine');
    // posting the confirmation anyway is refused by the server
    const csrf = await a.page.locator('header form[action="/officer/logout"] input[name=csrf]').inputValue();
    const r = await a.page.request.post(`${server.url}/officer/a/${app.reference}/confirm`,
      { form: { csrf, confirm: 'yes' } });
    assert.equal(r.status(), 200);
    assert.equal(new URL(r.url()).searchParams.get('msg'), 'four-eyes: a second officer must confirm');
    assert.equal((await apiGet(server, app.reference, app.access_token)).status, 'in_review');
    // the second officer confirms
    await b.page.goto(`${server.url}/officer/a/${app.reference}`);
    const box2 = b.page.locator('main section.notice:has(h2:text("Awaiting a second officer (four-eyes)"))');
    assert.match(await box2.innerText(), /Proposed: refuse data-mismatch/);
    assert.equal(await box2.locator('button[value=yes]').innerText(), 'Confirm');
    assert.equal(await box2.locator('button[value=no]').innerText(), 'Reject');
    await shot(b.page, 'pending-second');
    await submit(b.page, box2.locator('button[value=yes]'));
    assert.equal(await notice(b.page), 'decision confirmed');
    assert.equal(await appStatus(b.page), 'refused');
    assert.equal(await b.page.locator('main section.notice:has(h2:text("Awaiting"))').count(), 0);
    assert.match(await b.page.locator('main section:has(h2:text("Last decision"))').innerText(), /refuse data-mismatch/);
    await shot(b.page, 'confirmed');
    assert.equal(sql(server, `SELECT count(*) FROM decisions d JOIN users a ON a.id = d.officer_id JOIN users b ON b.id = d.second_officer_id
      WHERE d.reference='${app.reference}' AND d.status='final' AND a.email='aze.first@mfa.example' AND b.email='aze.second@mfa.example'`), '1',
    'the decision names both officers');
  } finally {
    await a.ctx.close();
    await b.ctx.close();
  }
  await withPages(['phone'], async (p) => {
    await applicantDone(p, app, 'az');
    assert.equal(await p.locator('html').getAttribute('lang'), 'az');
    assert.equal(await p.locator('#status').innerText(), T('az', 'status.refused'));
    const reason = AZE.refusal_reasons.find((x) => x.code === 'data-mismatch').text.az;
    const alert = p.locator('main .notice.error');
    assert.equal(await alert.locator('p').nth(0).innerText(), T('az', 'done.refused'));
    assert.equal(await alert.locator('p').nth(1).innerText(), reason);
    assert.ok(!(await p.locator('main').innerText()).includes('Surname differs'), 'the internal note stays internal');
    assert.equal(await p.locator(`main a[href$="/visa.pdf"]`).count(), 0, 'no visa to download');
    await shot(p, 'applicant-refused-az');
  });
});

test('request info: the applicant re-uploads and resubmits, the officer then approves', LIMIT, async () => {
  const shot = shooter('console-info');
  const app = await paidApp('RI1234567');
  const ask = 'Upload a sharper scan of your passport data page.';
  const { page, ctx } = await officerPage('aze.info@mfa.example', 'AZE');
  try {
    await openFromQueue(page, app.reference);
    await page.locator('input[name=decision][value=request_info]').check();
    await page.locator('#info_request').fill(ask);
    await shot(page, 'request');
    await decide(page, 'request_info');
    assert.equal(await notice(page), 'decision recorded');
    assert.equal(await appStatus(page), 'info_requested');
    assert.ok(!(await queueRefs(page)).includes(app.reference), 'not in the open queue while waiting');
    assert.ok((await queueRefs(page, 'info_requested')).includes(app.reference), 'listed as waiting for the applicant');
    await shot(page, 'queue-waiting');

    await withPages(['phone'], async (p) => {
      await applicantDone(p, app);
      assert.equal(await p.locator('#status').innerText(), T('en', 'status.info_requested'));
      const box = p.locator('main .notice.error');
      assert.equal(await box.locator('p').nth(0).innerText(), T('en', 'done.info_requested'));
      assert.equal(await box.locator('p').nth(1).innerText(), ask);
      await shot(p, 'applicant-asked');
      // "change" → review → documents, upload a new passport page
      await submit(p, box.locator(`a[href="/a/${app.reference}/review"]`));
      assert.equal(await h1(p), T('en', 'review.heading'));
      await shot(p, 'applicant-review');
      await submit(p, p.locator(`ol.steps a[href="/a/${app.reference}/documents"]`));
      assert.equal(await h1(p), T('en', 'documents.heading'));
      const sharper = join(tmp, 'sharper.jpg');
      execFileSync(MKIMAGE, ['1000', '700', sharper]);
      await p.locator('input[type=file][name=passport_page]').setInputFiles(sharper);
      let r = await submit(p, p.locator('button[name=upload]'));
      assert.equal(r.status(), 200);
      assert.ok((await p.locator('.field:has(#passport_page) .success').innerText()).includes(T('en', 'documents.uploaded')));
      await shot(p, 'applicant-uploaded');
      // back to the done page, resubmit
      r = await p.goto(`${server.url}/a/${app.reference}/done`);
      await submit(p, p.locator('main form[action$="/resubmit"] button[type=submit]'));
      assert.match(p.url(), new RegExp(`/a/${app.reference}/done$`));
      assert.equal(await p.locator('#status').innerText(), T('en', 'status.submitted'));
      assert.equal(await p.locator('main form[action$="/resubmit"]').count(), 0);
      await shot(p, 'applicant-resubmitted');
    });

    // back in the queue, with the new page
    await openFromQueue(page, app.reference);
    const img = page.locator('main img[src$="/doc/passport_page"]');
    assert.ok(await img.evaluate((e) => e.complete && e.naturalWidth === 1000), 'the new passport page is shown');
    assert.match(await page.locator('main section:has(h2:text("Last decision"))').innerText(), /request_info/);
    await shot(page, 'back-in-queue');
    await decide(page, 'approve');
    assert.equal(await notice(page), 'approved and visa issued');
    assert.equal(await appStatus(page), 'issued');
    await shot(page, 'issued');
  } finally {
    await ctx.close();
  }
  assert.equal((await apiGet(server, app.reference, app.access_token)).status, 'issued');
});

test('an officer of another state gets "not found" and does not see the application in the queue', LIMIT, async () => {
  const shot = shooter('console-cross-state');
  const app = await paidApp('CS1234567');
  const { page, ctx } = await officerPage('pak.officer@mfa.example', 'PAK');
  try {
    assert.ok(!(await queueRefs(page)).includes(app.reference));
    for (const s of ['issued', 'refused', 'info_requested']) {
      const refs = await queueRefs(page, s);
      assert.ok(refs.every((x) => x.startsWith('PAK')), `only PAK applications under ${s}: ${refs}`);
    }
    await shot(page, 'pak-queue');
    let r = await page.goto(`${server.url}/officer/a/${app.reference}`);
    assert.equal(r.status(), 404);
    assert.equal(await h1(page), 'Not found');
    assert.equal(await page.locator('main p').first().innerText(), "No application with this reference in your state's queue.");
    assert.ok(!(await page.locator('main').innerText()).includes('KHAN'), 'nothing of the application shows');
    await shot(page, 'not-found');
    r = await page.request.get(`${server.url}/officer/a/${app.reference}/doc/passport_page`);
    assert.equal(r.status(), 404, 'nor its documents');
    // a decision posted anyway changes nothing
    const csrf = await page.locator('header form[action="/officer/logout"] input[name=csrf]').inputValue();
    r = await page.request.post(`${server.url}/officer/a/${app.reference}/decide`, { form: { csrf, decision: 'approve' } });
    assert.equal(new URL(r.url()).searchParams.get('msg'), 'no such application in your state');
    assert.equal((await apiGet(server, app.reference, app.access_token)).status, 'submitted', 'untouched, not even opened');
  } finally {
    await ctx.close();
  }
});

test('sign out everywhere ends the sessions in other windows', LIMIT, () =>
  withPages(['desk', 'desk'], async (one, two) => {
    const shot = shooter('console-logout');
    const o = await enrol(one, 'aze.logout@mfa.example', 'AZE', 'officer');
    for (const p of [one, two]) await login(p, o);
    await shot(two, 'second-window');
    await submit(one, one.locator('header form[action="/officer/logout-all"] button'));
    assert.equal(new URL(one.url()).pathname, '/officer/login');
    await shot(one, 'signed-out-everywhere');
    const r = await two.goto(`${server.url}/officer`);
    assert.equal(r.status(), 200);
    assert.equal(new URL(two.url()).pathname, '/officer/login', 'the other window was signed out');
    await shot(two, 'signed-out-elsewhere');
    const api = await two.request.get(`${server.url}/api/v1/officer/queue`);
    assert.equal(api.status(), 401);
  }));
