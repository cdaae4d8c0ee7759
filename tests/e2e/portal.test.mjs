// portal.test.mjs — browser tests of the applicant portal (issue 4): the full
// journey in English, Azerbaijani and Urdu (with RTL layout checks), field
// validation, an upload error, a declined then a successful payment with
// double-submit protection, resuming a draft, status lookup and a nationality
// that is not eligible.  Elements are found by ids, names and roles, and texts
// are compared with the po catalogs, so the same steps work in every language.
// Every step leaves a full-page screenshot in tests/artifacts/e2e/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import {
  T, day, startServer, sql, launchBrowser, phone, shooter, checkPage, fill, submit, formValues,
  makeImages, applicant, apiDraft, apiGet, apiPay,
} from './harness.mjs';

let server, browser, images;
const LIMIT = { timeout: 60000 }; // per test; the whole file takes about 20 s

before(async () => {
  images = makeImages();
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
});

/** Runs fn with a fresh phone context and page; closes them afterwards. */
async function withPage(fn) {
  const ctx = await phone(browser);
  const page = await ctx.newPage();
  try {
    return await fn(page, ctx);
  } finally {
    await ctx.close();
  }
}

const h1 = (page) => page.locator('main h1').innerText();
const refOf = (page) => page.url().match(/\/a\/([^/]+)\//)[1];

async function expectLang(page, lang) {
  assert.equal(await page.locator('html').getAttribute('lang'), lang);
  assert.equal(await page.locator('html').getAttribute('dir'), lang === 'ur' ? 'rtl' : 'ltr');
}

/** Home → state page → start: resolves on the passport step. */
async function start(page, shot, { lang, state, choice, nationality }) {
  let r = await page.goto(`${server.url}/?lang=${lang}`);
  assert.equal(r.status(), 200);
  await expectLang(page, lang);
  assert.equal(await h1(page), T(lang, 'home.heading'));
  await shot(page, 'home');
  r = await submit(page, page.locator(`main a[href="/apply/${state}"]`));
  assert.equal(r.status(), 200);
  assert.equal(await h1(page), T(lang, 'state.heading'));
  await page.locator(`input[name=choice][value="${choice}"]`).check();
  await page.locator('select#nationality').selectOption(nationality);
  await shot(page, 'state');
  r = await submit(page);
  assert.equal(r.status(), 200);
  assert.match(page.url(), /\/a\/[^/]+\/step\/passport$/);
}

/** The form steps, documents, review, payment and done page of one journey. */
async function journey(page, shot, o) {
  await start(page, shot, o);
  const ref = refOf(page);
  const lang = o.lang;
  assert.equal(await h1(page), T(lang, 'step.passport'));
  assert.equal(await page.locator('[name=nationality]').inputValue(), o.nationality);
  const resume = await page.locator('main a[href*="/resume?t="]').getAttribute('href');
  assert.ok(resume, 'the first step shows the resume link');
  if (o.atPassport) await o.atPassport(page);
  const steps = [
    ['passport', {
      surname: o.surname, given_names: o.given, sex: 'M', date_of_birth: applicant.date_of_birth,
      passport_number: o.passport, passport_issue_date: '2021-01-01', passport_expiry: '2031-01-01',
    }],
    ['personal', { place_of_birth: o.birthplace, occupation: 'Engineer', home_address: o.home }],
    ['travel', { arrival_date: day(20), departure_date: day(25), address_in_country: o.stay }],
    ['contact', { email: 'applicant@example.org', phone: '+994501234567' }],
    ['declarations', { decl_truth: true, decl_terms: true }],
  ];
  for (const [step, values] of steps) {
    assert.match(page.url(), new RegExp(`/a/${ref}/step/${step}$`));
    assert.equal(await h1(page), T(lang, `step.${step}`));
    await fill(page, values);
    await shot(page, step);
    const r = await submit(page);
    assert.equal(r.status(), 200, `${step}: ${await page.locator('main').innerText()}`);
  }
  // documents
  assert.match(page.url(), new RegExp(`/a/${ref}/documents$`));
  assert.equal(await h1(page), T(lang, 'documents.heading'));
  const wanted = o.docs.map((d) => d[0]).sort();
  const present = await page.locator('main input[type=file]').evaluateAll((es) => es.map((e) => e.name).sort());
  assert.deepEqual(present, wanted, 'the file inputs the visa type requires');
  for (const [name, file] of o.docs) await page.locator(`input[type=file][name=${name}]`).setInputFiles(file);
  await shot(page, 'documents');
  let r = await submit(page, page.locator('button[name=continue]'));
  assert.equal(r.status(), 200);
  // review
  assert.match(page.url(), new RegExp(`/a/${ref}/review$`));
  assert.equal(await h1(page), T(lang, 'review.heading'));
  const mrz = await page.locator('main p.mrz').innerText();
  assert.ok(mrz.startsWith(o.mrz), `MRZ preview ${mrz} starts with ${o.mrz}`);
  assert.equal(await page.locator('main [role=alert]').count(), 0, 'nothing missing');
  await shot(page, 'review');
  r = await submit(page, page.locator(`main a[href="/a/${ref}/pay"]`));
  assert.equal(r.status(), 200);
  // pay
  await payPage(page, lang);
  await shot(page, 'pay');
  await fill(page, { card_number: '4242424242424242', expiry: '12/30', cvc: '123' });
  r = await submit(page);
  assert.equal(r.status(), 200);
  // done
  assert.match(page.url(), new RegExp(`/a/${ref}/done$`));
  await checkDone(page, lang, ref);
  await shot(page, 'done');
  return { ref, resume };
}

async function payPage(page, lang) {
  assert.equal(await h1(page), T(lang, 'pay.heading'));
  assert.equal(await page.locator('.test-banner').innerText(), T(lang, 'layout.test_banner'));
  assert.ok(await page.locator('.test-box').isVisible(), 'the test cards are listed');
}

async function checkDone(page, lang, ref) {
  assert.equal(await h1(page), T(lang, 'done.heading'));
  assert.equal(await page.locator('main p.ref strong').first().innerText(), ref);
  assert.ok((await page.locator('main').innerText()).includes(T(lang, 'status.submitted')));
  const deadline = await page.locator('main [role=status] strong[dir=ltr]').innerText();
  assert.match(deadline, /^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
  assert.ok(new Date(deadline.replace(' UTC', 'Z').replace(' ', 'T')) > new Date(), 'deadline in the future');
}

test('English journey to Azerbaijan for a Pakistani citizen, passport page only', LIMIT, () =>
  withPage(async (page) => {
    const shot = shooter('en-journey');
    const { ref } = await journey(page, shot, {
      lang: 'en', state: 'AZE', choice: 'tourist-e:standard', nationality: 'PAK',
      surname: 'Khan', given: 'Imran', passport: 'AB1234567', birthplace: 'Lahore',
      home: '12 Mall Road, Lahore', stay: 'Hotel Baku, Neftchilar 1', docs: [['passport_page', images.page]],
      mrz: 'KHAN<<IMRAN<',
    });
    assert.equal(sql(server, `SELECT status FROM applications WHERE reference='${ref}'`), 'submitted');
  }));

test('Azerbaijani journey to Pakistan: the name transliterated for the MRZ, photo and page', LIMIT, () =>
  withPage(async (page) => {
    const shot = shooter('az-journey');
    const { ref } = await journey(page, shot, {
      lang: 'az', state: 'PAK', choice: 'tourist:standard', nationality: 'AZE',
      surname: 'Məmmədov', given: 'Əli', passport: 'C01234567', birthplace: 'Bakı',
      home: 'Nizami küçəsi 5, Bakı', stay: 'Serena Hotel, Islamabad',
      docs: [['photo', images.face], ['passport_page', images.page]], mrz: 'MAMMADOV<<ALI<',
    });
    assert.equal(sql(server, `SELECT count(*) FROM uploads WHERE reference='${ref}'`), '2');
  }));

test('Urdu journey to Azerbaijan with a right-to-left layout', LIMIT, () =>
  withPage(async (page) => {
    const shot = shooter('ur-journey');
    // RTL on the passport step: the document, main's computed direction, a
    // label's text at the right edge, the MRZ input left to right
    const atPassport = async (p) => {
      await expectLang(p, 'ur');
      const rtl = await p.evaluate(() => {
        const label = document.querySelector('label[for=surname]');
        const range = document.createRange();
        range.selectNodeContents(label);
        const box = range.getBoundingClientRect();
        const main = document.querySelector('main').getBoundingClientRect();
        return {
          direction: getComputedStyle(document.querySelector('main')).direction,
          right: box.right, left: box.left, mainRight: main.right, mainLeft: main.left,
          width: window.innerWidth, mrzDir: getComputedStyle(document.querySelector('#mrz_line1')).direction,
        };
      });
      assert.equal(rtl.direction, 'rtl');
      assert.ok(rtl.width - rtl.right < 40, `label text ends near the right edge: ${JSON.stringify(rtl)}`);
      assert.ok(rtl.left - rtl.mainLeft > 100, `label text is not at the left edge: ${JSON.stringify(rtl)}`);
      assert.equal(rtl.mrzDir, 'ltr', 'MRZ lines stay left to right');
    };
    const { ref } = await journey(page, shot, {
      lang: 'ur', state: 'AZE', choice: 'tourist-e:urgent', nationality: 'PAK', atPassport,
      surname: 'Qureshi', given: 'Ayesha', passport: 'BC7654321', birthplace: 'Karachi',
      home: 'Clifton Block 5, Karachi', stay: 'Hotel Baku', docs: [['passport_page', images.page]],
      mrz: 'QURESHI<<AYESHA<',
    });
    await expectLang(page, 'ur');
    assert.equal(await page.locator('main [role=status]').evaluate((e) => getComputedStyle(e).direction), 'rtl');
    assert.equal(sql(server, `SELECT track FROM applications WHERE reference='${ref}'`), 'urgent');
  }));

test('passport step with a missing surname and a bad date keeps the other values', LIMIT, () =>
  withPage(async (page) => {
    const shot = shooter('validation');
    await start(page, shot, { lang: 'en', state: 'AZE', choice: 'tourist-e:standard', nationality: 'PAK' });
    await fill(page, {
      given_names: 'Imran', sex: 'M', date_of_birth: day(30), passport_number: 'AB1234567',
      passport_issue_date: '2021-01-01', passport_expiry: '2031-01-01',
    });
    // a browser without a date picker sends whatever was typed
    await page.locator('#passport_issue_date').evaluate((e) => { e.type = 'text'; e.value = '2021-02-30'; });
    const typed = await formValues(page);
    const r = await submit(page);
    assert.equal(r.status(), 422);
    await shot(page, 'errors');
    assert.ok(await page.locator('main .notice.error[role=alert]').isVisible(), 'error summary');
    const errs = await page.locator('.field-error').evaluateAll((es) => es.map((e) => [e.id, e.innerText]));
    const byField = Object.fromEntries(errs.map(([id, t]) => [id.replace(/-error$/, ''), t]));
    assert.deepEqual(Object.keys(byField).sort(), ['date_of_birth', 'passport_issue_date', 'surname']);
    assert.equal(byField.surname, T('en', 'err.required'));
    assert.equal(byField.date_of_birth, T('en', 'err.date_not_past'));
    for (const f of Object.keys(byField)) {
      const input = page.locator(`#${f}`);
      assert.equal(await input.getAttribute('aria-invalid'), 'true', f);
      assert.ok((await input.getAttribute('aria-describedby')).split(' ').includes(`${f}-error`), f);
      // the error sits in the same .field box as its input
      assert.equal(await page.locator(`.field:has(#${f}) .field-error`).count(), 1, f);
    }
    const kept = await formValues(page);
    for (const f of ['given_names', 'sex', 'date_of_birth', 'passport_number', 'passport_expiry'])
      assert.equal(kept[f], typed[f], `${f} kept`);
    // a date input cannot show an impossible date, but the page gave it back
    assert.equal(await page.locator('#passport_issue_date').getAttribute('value'), '2021-02-30');
    assert.equal(await page.locator('#given_names').getAttribute('aria-invalid'), null);
    // correcting the two fields moves on
    await page.locator('#passport_issue_date').evaluate((e) => { e.type = 'date'; });
    await fill(page, { surname: 'Khan', date_of_birth: applicant.date_of_birth, passport_issue_date: '2021-01-01' });
    assert.equal((await submit(page)).status(), 200);
    assert.match(page.url(), /\/step\/personal$/);
    await shot(page, 'fixed');
  }));

test('upload error: a blank image is refused in the page language, then a good one is taken', LIMIT, () =>
  withPage(async (page) => {
    const shot = shooter('upload');
    // AZE's e-visa takes no photo: a PAK application (photo + page), in Azerbaijani
    const r0 = await fetch(`${server.url}/api/v1/applications`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        state: 'PAK', visa_type: 'tourist', track: 'standard', lang: 'az',
        fields: { ...applicant, nationality: 'AZE', arrival_date: day(20), departure_date: day(25), address_in_country: 'Islamabad' },
      }),
    });
    assert.equal(r0.status, 201);
    const pak = await r0.json();
    await page.goto(`${server.url}${pak.resume_url}`);
    await page.goto(`${server.url}/a/${pak.reference}/documents?lang=az`);
    await expectLang(page, 'az');
    await page.locator('input[name=photo]').setInputFiles(images.blankFace);
    let r = await submit(page, page.locator('button[name=upload]'));
    assert.equal(r.status(), 422);
    await shot(page, 'blank-refused');
    assert.equal(await page.locator('#photo-error').innerText(), T('az', 'err.photo_blank'));
    assert.equal(await page.locator('#photo').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.locator('.field:has(#photo) .field-error').count(), 1);
    // too small, in Urdu this time
    await page.goto(`${server.url}/a/${pak.reference}/documents?lang=ur`);
    await page.locator('input[name=photo]').setInputFiles(images.small);
    r = await submit(page, page.locator('button[name=upload]'));
    assert.equal(r.status(), 422);
    await shot(page, 'small-refused-ur');
    assert.equal(await page.locator('#photo-error').innerText(), T('ur', 'err.photo_too_small'));
    // a good image
    await page.goto(`${server.url}/a/${pak.reference}/documents?lang=az`);
    await page.locator('input[name=photo]').setInputFiles(images.face);
    r = await submit(page, page.locator('button[name=upload]'));
    assert.equal(r.status(), 200);
    assert.equal(await page.locator('#photo-error').count(), 0);
    assert.ok((await page.locator('.field:has(#photo) .success').innerText()).includes(T('az', 'documents.uploaded')));
    const img = page.locator('.field:has(#photo) .success img');
    assert.ok(await img.evaluate((e) => e.complete && e.naturalWidth > 0), 'the uploaded photo is shown');
    await shot(page, 'uploaded');
    const j = await apiGet(server, pak.reference, pak.access_token);
    assert.deepEqual(j.documents, { photo: true, passport_page: false });
  }));

test('a declined payment leaves a draft; the good card then pays once, even when clicked twice', LIMIT, () =>
  withPage(async (page) => {
    const shot = shooter('payment');
    const app = await apiDraft(server, images, { passport_number: 'PY1234567' });
    const resume = await page.goto(`${server.url}${app.resume_url}`);
    assert.equal(resume.status(), 200);
    assert.match(page.url(), new RegExp(`/a/${app.reference}/review$`), 'a complete draft resumes at the review');
    await submit(page, page.locator(`main a[href="/a/${app.reference}/pay"]`));
    await payPage(page, 'en');
    await fill(page, { card_number: '4000000000000002', expiry: '12/30', cvc: '123' });
    let r = await submit(page);
    assert.equal(r.status(), 402);
    await shot(page, 'declined');
    assert.equal(await page.locator('#pay-error').innerText(), T('en', 'pay.declined.card_declined'));
    assert.equal((await apiGet(server, app.reference, app.access_token)).status, 'draft', 'no charge');
    assert.equal(sql(server, `SELECT count(*) FROM payments WHERE reference='${app.reference}' AND status='succeeded'`), '0');
    // the good card, double-clicked
    await fill(page, { card_number: '4242424242424242', expiry: '12/30', cvc: '123' });
    await shot(page, 'good-card');
    const done = new RegExp(`/a/${app.reference}/done$`);
    await page.locator('main form button[type=submit]').dblclick();
    await page.waitForURL(done, { timeout: 5000 }).catch(() => {});
    if (!done.test(page.url())) {
      // the second click met the first payment in flight: "pending, check again"
      assert.ok((await page.locator('#pay-error').innerText()).includes(T('en', 'pay.pending')));
      await shot(page, 'pending');
      await submit(page, page.locator(`main a[href="/a/${app.reference}/done"]`));
    }
    await page.waitForLoadState();
    await checkDone(page, 'en', app.reference);
    await shot(page, 'done');
    const j = await apiGet(server, app.reference, app.access_token);
    assert.equal(j.status, 'submitted');
    assert.equal(sql(server, `SELECT count(*) FROM payments WHERE reference='${app.reference}' AND status='succeeded'`), '1');

    // Two submissions of the same pay form racing each other (what a double
    // click sends when the browser does not cancel the first): one payment.
    const app2 = await apiDraft(server, images, { passport_number: 'PZ1234567' });
    await page.goto(`${server.url}${app2.resume_url}`);
    await page.goto(`${server.url}/a/${app2.reference}/pay`);
    const form = await page.evaluate(() => Object.fromEntries(new FormData(document.querySelector('main form'))));
    Object.assign(form, { card_number: '4242424242424242', expiry: '12/30', cvc: '123' });
    const post = () => page.request.post(`${server.url}/a/${app2.reference}/pay`, { form, maxRedirects: 0 });
    const answers = await Promise.all([post(), post(), post()]);
    // each answer is the redirect to done, or (while the first one is still
    // with the provider) the "payment pending, check again" page
    for (const a of answers) {
      if (a.status() === 303) assert.match(a.headers().location, /\/done$/);
      else {
        assert.equal(a.status(), 202, `redirect to done or pending (${a.status()})`);
        assert.ok((await a.text()).includes(T('en', 'pay.pending').replace(/&/g, '&amp;').replace(/'/g, '&#39;')));
      }
    }
    assert.ok(answers.some((a) => a.status() === 303), 'one of them paid');
    assert.equal(sql(server, `SELECT count(*) FROM payments WHERE reference='${app2.reference}'`), '1');
    assert.equal((await apiGet(server, app2.reference, app2.access_token)).status, 'submitted');
    // a reload of the pay page after paying goes to done, nothing is charged again
    r = await page.goto(`${server.url}/a/${app2.reference}/pay`);
    assert.match(page.url(), /\/done$/);
    assert.equal(sql(server, `SELECT count(*) FROM payments WHERE reference='${app2.reference}'`), '1');
  }));

test('a draft resumes from its secret link in a fresh browser, at the next step, values kept', LIMIT, () =>
  withPage(async (page) => {
    const shot = shooter('resume');
    await start(page, shot, { lang: 'en', state: 'AZE', choice: 'tourist-e:standard', nationality: 'PAK' });
    const ref = refOf(page);
    const resume = await page.locator('main a[href*="/resume?t="]').getAttribute('href');
    const values = {
      surname: 'Khan', given_names: 'Imran', sex: 'M', date_of_birth: '1990-05-15',
      passport_number: 'RS1234567', passport_issue_date: '2021-01-01', passport_expiry: '2031-01-01',
    };
    await fill(page, values);
    await shot(page, 'passport');
    assert.equal((await submit(page)).status(), 200);
    assert.match(page.url(), /\/step\/personal$/);
    await fill(page, { place_of_birth: 'Lahore' }); // typed but never saved
    await withPage(async (fresh, ctx) => {
      assert.equal((await ctx.cookies()).length, 0);
      const before = await fresh.goto(`${server.url}/a/${ref}/step/passport`);
      assert.equal(before.status(), 404, 'without the link or a cookie the draft is not shown');
      await shot(fresh, 'no-cookie');
      const r = await fresh.goto(`${server.url}${resume}`);
      assert.equal(r.status(), 200);
      assert.match(fresh.url(), new RegExp(`/a/${ref}/step/personal$`), 'lands on the next incomplete step');
      assert.equal(await fresh.locator('#place_of_birth').inputValue(), '', 'unsaved typing is not there');
      await shot(fresh, 'resumed');
      await fresh.locator('ol.steps a[href$="/step/passport"]').click();
      await fresh.waitForURL(/\/step\/passport$/);
      const kept = await formValues(fresh);
      for (const [k, v] of Object.entries(values)) assert.equal(kept[k], v, k);
      await shot(fresh, 'passport-kept');
      const bad = await fresh.goto(`${server.url}/a/${ref}/resume?t=${'A'.repeat(43)}`);
      assert.equal(bad.status(), 404, 'a wrong token is refused');
    });
  }));

test('status lookup shows a submitted application; wrong details get the generic answer', LIMIT, () =>
  withPage(async (page) => {
    const shot = shooter('status');
    const app = await apiDraft(server, images, { passport_number: 'ST1234567' });
    await apiPay(server, app);
    await page.goto(`${server.url}/status?lang=az`);
    assert.equal(await h1(page), T('az', 'status.heading'));
    await shot(page, 'form');
    await fill(page, { reference: app.reference.toLowerCase(), passport_number: 'ST1234567', date_of_birth: '1990-05-15' });
    let r = await submit(page);
    assert.equal(r.status(), 200);
    const result = page.locator('main [role=status]');
    assert.equal(await result.locator('.ref strong').innerText(), app.reference);
    assert.ok((await result.innerText()).includes(T('az', 'status.submitted')));
    assert.match(await result.locator('strong[dir=ltr]').innerText(), /^\d{4}-\d\d-\d\d/);
    await shot(page, 'found');
    const answers = [];
    for (const [i, wrong] of [
      { passport_number: 'ST1234568' }, { date_of_birth: '1990-05-16' }, { reference: 'AZE-XXXX-XXXX' },
    ].entries()) {
      await page.goto(`${server.url}/status`);
      await fill(page, { reference: app.reference, passport_number: 'ST1234567', date_of_birth: '1990-05-15', ...wrong });
      r = await submit(page);
      assert.equal(r.status(), 404);
      assert.equal(await page.locator('main [role=status]').count(), 0);
      answers.push(await page.locator('main [role=alert]').innerText());
      if (i === 0) await shot(page, 'not-found');
    }
    assert.deepEqual(answers, Array(3).fill(T('az', 'status.not_found')), 'same answer whatever is wrong');
  }));

test('a nationality that is not eligible is told so before any application exists', LIMIT, () =>
  withPage(async (page) => {
    const shot = shooter('not-eligible');
    const count = () => sql(server, 'SELECT count(*) FROM applications');
    const before = count();
    for (const lang of ['en', 'ur']) {
      await page.goto(`${server.url}/apply/PAK?lang=${lang}`);
      const options = await page.locator('#nationality option').evaluateAll((es) => es.map((e) => e.value));
      assert.deepEqual(options, ['AZE', 'OTHER']);
      await page.locator('#nationality').selectOption('OTHER');
      const r = await submit(page);
      assert.equal(r.status(), 422);
      assert.match(page.url(), /\/apply\/PAK$/);
      assert.equal(await page.locator('#form-error').innerText(), T(lang, 'err.not_eligible_long'));
      await expectLang(page, lang);
      await shot(page, `refused-${lang}`);
    }
    assert.equal(count(), before, 'no application was created');
  }));
