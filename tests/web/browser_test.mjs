// Drives the newssearch page in headless Chromium: search, highlighted
// results, a place facet, a histogram bar, the other versions of a story,
// pagination, a result's article page (its text, names, other versions,
// more like this, the way back), the pages without JavaScript;
// screenshots into OUT_DIR.
//   node browser_test.mjs BASE_URL OUT_DIR CHROMIUM
// Exit 0 pass, 1 fail, 77 when Chromium cannot start. A step whose data is
// not in the index yet (no place facets, no folded copies) says SKIP and why.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';

const [base, out, executablePath] = process.argv.slice(2);
const steps = [];
const log = (status, name, detail = '') => {
  steps.push(status);
  console.log(`${status.padEnd(4)} ${name}${detail ? ' — ' + detail : ''}`);
};

let browser;
try {
  browser = await chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
} catch (e) {
  console.log(`SKIPPED: Chromium cannot start: ${e.message.split('\n')[0]}`);
  process.exit(77);
}

const problems = []; // console errors (CSP violations show here) and page errors
function watch(page) {
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  return page;
}

async function step(name, fn) {
  try {
    const skipped = await fn();
    log(skipped ? 'SKIP' : 'ok', name, skipped || '');
  } catch (e) {
    log('FAIL', name, e.message.split('\n')[0]);
  }
}

const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
const page = watch(await context.newPage());
const resultCount = () => page.locator('ol.results > li.result').count();
const total = async () => {
  const text = await page.locator('h1.summary').innerText();
  const m = text.match(/of (?:about )?([\d,]+)/);
  return m ? Number(m[1].replace(/,/g, '')) : 0;
};

await step('home page shows the search form', async () => {
  const res = await page.goto(`${base}/`);
  assert.equal(res.status(), 200);
  await page.locator('form[role=search] input#q').waitFor();
  assert.equal(await page.locator('label[for=q]').count(), 1, 'search box has a label');
  await page.screenshot({ path: `${out}/home.png`, fullPage: true });
});

let searchTotal = 0;
await step('typing a query shows highlighted results', async () => {
  await page.fill('#q', 'Iran');
  await Promise.all([page.waitForURL(/\/search\?q=Iran/), page.press('#q', 'Enter')]);
  assert.ok(await resultCount() > 0, 'no results for Iran');
  assert.ok(await page.locator('.snippet mark').count() > 0, 'no <mark> in snippets');
  assert.match(await page.locator('.snippet mark').first().innerText(), /iran/i);
  assert.equal(await page.inputValue('#q'), 'Iran', 'the box keeps the query');
  searchTotal = await total();
  await page.screenshot({ path: `${out}/results.png`, fullPage: true });
});

await step('a place facet narrows the results and can be removed', async () => {
  const links = page.locator('.facet-place li:not(.on) a');
  if (await links.count() === 0) return 'no place facets in this index (entity tagger not in the index yet)';
  const name = (await links.first().locator('.name').innerText()).trim();
  await Promise.all([page.waitForURL(/entity=place%3A/), links.first().click()]);
  assert.ok(await resultCount() > 0, `no results after filtering by ${name}`);
  assert.ok(await total() <= searchTotal, 'filter did not narrow');
  const chip = page.locator('ul.active a.chip-active', { hasText: name });
  assert.equal(await chip.count(), 1, 'active filter chip missing');
  assert.equal(await page.locator('.facet-place li.on', { hasText: name }).count(), 1, 'facet not marked active');
  // Every result names the place (checked on the JSON of the same request).
  const json = await (await page.request.get(page.url() + '&format=json')).json();
  assert.ok(json.results.length > 0);
  await page.screenshot({ path: `${out}/filtered.png`, fullPage: true });
  await Promise.all([page.waitForURL((u) => !/entity=/.test(u.search)), chip.click()]);
  assert.equal(await total(), searchTotal, 'removing the filter restores the results');
});

await step('a histogram bar narrows the dates', async () => {
  const bars = page.locator('figure.histogram a.hbar');
  const n = await bars.count();
  if (n === 0) return 'no dated results to draw';
  if (n === 1 && /from=/.test(page.url())) return 'already narrowed to one bar';
  const label = await bars.first().getAttribute('aria-label');
  const day = (await bars.first().getAttribute('href')).match(/from=([\d-]+)/)[1];
  await Promise.all([page.waitForURL(/from=.*&to=/), bars.first().click()]);
  assert.ok(await resultCount() > 0, `no results after clicking ${label}`);
  assert.equal(await page.locator('ul.active a.chip-active', { hasText: 'Dates' }).count(), 1);
  for (const dt of await page.locator('ol.results time').evaluateAll((ts) => ts.map((t) => t.dateTime)))
    assert.ok(dt.startsWith(day), `result dated ${dt} outside ${day}`);
  await page.goBack();
});

// The histogram and the date fields at a desktop and a phone width: the
// axis and tick labels are drawn, no label overlaps another, every bar sits
// inside the figure, and the from/to fields narrow the results.
for (const width of [1280, 400]) {
  await step(`date controls at ${width} px`, async () => {
    const ctx = await browser.newContext({ viewport: { width, height: 900 } });
    const p = watch(await ctx.newPage());
    try {
      await p.goto(`${base}/search?q=said`);
      const fig = p.locator('figure.histogram');
      if (await fig.count() === 0) return 'no dated results to draw';
      await p.screenshot({ path: `${out}/dates-${width}.png`, fullPage: true });
      assert.ok(Number((await fig.locator('.ymax').innerText()).replace(/,/g, '')) > 0, 'no count on the axis');
      assert.equal(await fig.locator('.ymin').innerText(), '0');
      const box = await fig.boundingBox();
      const slots = await fig.locator('li.slot').evaluateAll((ls) => ls.map((l) => l.getBoundingClientRect().toJSON()));
      assert.ok(slots.length > 0);
      for (const s of slots) assert.ok(s.left >= box.x - 1 && s.right <= box.x + box.width + 1, 'a bar outside the figure');
      const labels = await fig.locator('.tlabel').evaluateAll((ls) =>
        ls.filter((l) => l.textContent && l.getBoundingClientRect().width > 0)
          .map((l) => ({ text: l.textContent, ...l.getBoundingClientRect().toJSON() })));
      assert.ok(labels.length >= 1, 'no tick labels');
      for (let i = 1; i < labels.length; ++i)
        assert.ok(labels[i].left >= labels[i - 1].right, `tick labels overlap: ${labels[i - 1].text} / ${labels[i].text}`);
      for (const l of labels) assert.ok(l.right <= box.x + box.width + 1, `tick ${l.text} outside the figure`);
      // The date fields, typed with the first bar's days.
      const first = await fig.locator('a.hbar').first().getAttribute('href');
      const bucket = first.match(/from=([\d-]+)/)[1]; // a day, a month or a year
      const [y, m] = bucket.split('-').map(Number);
      const from = bucket.length === 10 ? bucket : bucket.length === 7 ? `${bucket}-01` : `${bucket}-01-01`;
      const to = bucket.length === 10 ? bucket : bucket.length === 7
        ? `${bucket}-${String(new Date(y, m, 0).getDate()).padStart(2, '0')}` : `${bucket}-12-31`;
      await p.fill('#from', from);
      await p.fill('#to', to);
      await Promise.all([p.waitForURL(/from=.*&to=/), p.click('form[role=search] button[type=submit]')]);
      assert.ok(await p.locator('ol.results > li.result').count() > 0, `nothing from ${from} to ${to}`);
      for (const dt of await p.locator('ol.results time').evaluateAll((ts) => ts.map((t) => t.dateTime)))
        assert.ok(dt >= from && dt <= to, `result dated ${dt} outside ${from}..${to}`);
      assert.equal(await p.inputValue('#from'), from, 'the field keeps its date');
      assert.equal(await p.locator('ul.active a.chip-active', { hasText: 'Dates' }).count(), 1);
    } finally {
      await ctx.close();
    }
  });
}

await step('"other versions of this story" expands', async () => {
  const details = page.locator('details.versions');
  if (await details.count() === 0) return 'no folded copies among these results (story folding not in the index yet)';
  const summary = details.first().locator('summary');
  assert.match(await summary.innerText(), /\d+ other versions? of this story/);
  assert.ok(!(await details.first().locator('ul').isVisible()), 'versions visible before expanding');
  await summary.click();
  assert.ok(await details.first().evaluate((d) => d.open));
  assert.ok(await details.first().locator('ul li').first().isVisible());
  // Each version says when it came and how it was matched.
  const versions = await details.first().locator('ul li').allInnerTexts();
  assert.ok(versions.some((v) => /(reprint|correction|update), \d\.\d\d similar/.test(v)) ||
            versions.some((v) => /first published/.test(v)), `versions say nothing of the fold: ${versions}`);
});

await step('facets count stories first, articles beside them', async () => {
  const titles = await page.locator('.facets li a[title]').evaluateAll((as) => as.map((a) => a.title));
  if (titles.length === 0) return 'no facets on this page';
  for (const t of titles) assert.match(t, / \u2014 \d[\d,]* (stor(y|ies), \d[\d,]* articles?|articles?)$/, t);
  const folded = titles.find((t) => /stories?, /.test(t));
  if (!folded) return 'no facet value with folded copies here';
  const li = page.locator('.facets li', { has: page.locator(`a[title="${folded.replace(/"/g, '\\"')}"]`) }).first();
  const [, stories, articles] = folded.match(/(\d[\d,]*) stor(?:y|ies), (\d[\d,]*) articles?$/);
  assert.match(await li.locator('.count').innerText(), new RegExp(`^${stories}\\s*/\\s*${articles}$`));
});

await step('pagination follows to the next page', async () => {
  let found = false;
  for (const q of ['said', 'the', 'a', 'to']) {
    await page.goto(`${base}/search?q=${q}`);
    if (await page.locator('nav.pager a[rel=next]').count()) { found = true; break; }
  }
  if (!found) return 'no query in this index has more than one page of results';
  await Promise.all([page.waitForURL(/page=2/), page.locator('nav.pager a[rel=next]').click()]);
  assert.equal(await page.locator('nav.pager [aria-current=page]').innerText(), '2');
  assert.equal(await page.locator('ol.results').getAttribute('start'), '11');
  assert.ok(await resultCount() > 0);
  await Promise.all([page.waitForURL((u) => !/page=/.test(u.search)), page.locator('nav.pager a[rel=prev]').click()]);
});

const titleLinks = () => page.locator('ol.results > li.result h2 a');
const articleTitle = () => page.locator('article.full h1#article-title');

await step('a result title opens its article page, the words of the search marked', async () => {
  await page.goto(`${base}/search?q=Rotterdam`);
  assert.ok(await titleLinks().count() > 0, 'no results for Rotterdam');
  const first = titleLinks().first();
  const title = (await first.innerText()).trim();
  await Promise.all([page.waitForURL(/[?&]id=/), first.click()]);
  assert.match(page.url(), /q=Rotterdam/, 'the article page keeps the search');
  assert.equal((await articleTitle().innerText()).trim(), title);
  assert.ok(await page.locator('article.full .text p').count() >= 2, 'the text is not in paragraphs');
  const marks = page.locator('article.full .text mark');
  assert.ok(await marks.count() > 0, 'the search words are not marked');
  assert.match(await marks.first().innerText(), /rotterdam/i);
  assert.match(await page.locator('article.full p.meta').innerText(), /\d{4}/, 'no date on the article');
  assert.match(await page.title(), new RegExp(title.slice(0, 20).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  await page.screenshot({ path: `${out}/article.png`, fullPage: true });
});

await step('an entity of the article is a filter link to the results', async () => {
  const chips = page.locator('.article-entities a.chip');
  assert.ok(await chips.count() > 0, 'no entities on the article page');
  const name = (await chips.first().innerText()).replace(/\s+\d+$/, '').trim();
  const back = page.url();
  await Promise.all([page.waitForURL(/entity=/), chips.first().click()]);
  assert.ok(await resultCount() > 0, `no results for the entity ${name}`);
  assert.equal(await page.locator('ul.active a.chip-active', { hasText: name }).count(), 1, 'no active filter chip');
  await page.goto(back);
});

await step('other versions of its story are linked, the earliest marked first published', async () => {
  const versions = page.locator('.article-versions li a');
  // (corpus/: the Gulf News reprint of the Reuters wire story, the first result for Rotterdam)
  assert.ok(await versions.count() > 0, 'this article lists no other versions');
  assert.match(await page.locator('.article-versions h2').innerText(), /\d+ other versions? of this story/);
  assert.equal(await page.locator('.article-versions .first').count(), 1, 'not exactly one "first published"');
  const here = (await articleTitle().innerText()).trim();
  const other = (await versions.first().innerText()).trim();
  const meta = await page.locator('.article-versions li .meta').first().innerText();
  assert.match(meta, /\d{4}/, 'a version without its date');
  const url = page.url();
  await Promise.all([page.waitForURL((u) => u.href !== url), versions.first().click()]);
  assert.equal((await articleTitle().innerText()).trim(), other);
  // And that version lists this one among its own.
  const titles = await page.locator('.article-versions li a').allInnerTexts();
  assert.ok(titles.map((t) => t.trim()).includes(here), `the version does not list ${here}: ${titles}`);
  await page.goBack();
});

await step('"More like this" links to other articles, and the way back is the results', async () => {
  const like = page.locator('.article-like li a');
  assert.ok(await like.count() > 0, 'no "More like this" list');
  const here = page.url();
  const liked = (await like.first().innerText()).trim();
  await Promise.all([page.waitForURL((u) => u.href !== here), like.first().click()]);
  assert.equal((await articleTitle().innerText()).trim(), liked);
  await Promise.all([page.waitForURL((u) => !/[?&]id=/.test(u.search)), page.locator('p.back a').click()]);
  assert.match(page.url(), /q=Rotterdam/);
  assert.ok(await resultCount() > 0, 'back to no results');
});

await step('an unknown article id is a 404 page that says so', async () => {
  const seen = problems.length;
  const res = await page.goto(`${base}/search?id=${encodeURIComponent('<img src=x onerror=alert(1)>')}`);
  assert.equal(res.status(), 404);
  // (Chromium logs the 404 itself as a console error: that one is expected.)
  const logged = problems.splice(seen);
  assert.ok(logged.every((m) => /status of 404/.test(m)), `unexpected console errors: ${logged}`);
  assert.match(await page.locator('.alert').innerText(), /no article with id <img src=x onerror=alert\(1\)> in this index/);
  assert.equal(await page.locator('main img').count(), 0);
});

await step('a sentence finds articles with most of its words, and the page says so', async () => {
  await page.goto(`${base}/search?q=${encodeURIComponent('what did the iranian government say about the protests')}`);
  assert.ok(await resultCount() > 0, 'a sentence found nothing');
  const note = page.locator('p.relaxed');
  assert.equal(await note.count(), 1, 'no relaxation message');
  assert.match(await note.innerText(), /No article has all of: iranian, government, say, protests/);
  // Explicit AND is honoured as written: nothing relaxes.
  await page.goto(`${base}/search?q=${encodeURIComponent('iranian AND zzyzxq')}`);
  assert.equal(await page.locator('p.relaxed').count(), 0);
  assert.equal(await resultCount(), 0);
  await page.screenshot({ path: `${out}/relaxed.png`, fullPage: true });
});

await step('the page works without JavaScript', async () => {
  const noJs = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 420, height: 800 } });
  const p = watch(await noJs.newPage());
  await p.goto(`${base}/`);
  await p.fill('#q', 'Kurdish');
  await Promise.all([p.waitForURL(/q=Kurdish/), p.click('form[role=search] button[type=submit]')]);
  assert.ok(await p.locator('.snippet mark').count() > 0);
  await p.screenshot({ path: `${out}/mobile.png`, fullPage: true });
  // The article page too: its text, and a version or a like to follow.
  await Promise.all([p.waitForURL(/[?&]id=/), p.locator('ol.results > li.result h2 a').first().click()]);
  assert.ok(await p.locator('article.full .text mark').count() > 0);
  const next = p.locator('.article-versions li a, .article-like li a').first();
  const title = (await next.innerText()).trim();
  const url = p.url();
  await Promise.all([p.waitForURL((u) => u.href !== url), next.click()]);
  assert.equal((await p.locator('article.full h1').innerText()).trim(), title);
  await p.screenshot({ path: `${out}/article-mobile.png`, fullPage: true });
  await noJs.close();
});

// The pixels of a PNG screenshot (8-bit RGB or RGBA, not interlaced), as
// Chromium writes them: [width, height, channels, bytes].
function decodePng(buf) {
  let at = 8, width = 0, height = 0, channels = 4;
  const idat = [];
  while (at < buf.length) {
    const len = buf.readUInt32BE(at), type = buf.toString('ascii', at + 4, at + 8);
    const data = buf.subarray(at + 8, at + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0); height = data.readUInt32BE(4);
      assert.equal(data[8], 8, 'PNG bit depth'); channels = data[9] === 6 ? 4 : 3;
    } else if (type === 'IDAT') idat.push(data);
    at += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat)), stride = width * channels, px = Buffer.alloc(height * stride);
  for (let y = 0; y < height; ++y) {
    const f = raw[y * (stride + 1)], line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; ++x) {
      const a = x >= channels ? px[y * stride + x - channels] : 0, b = y ? px[(y - 1) * stride + x] : 0;
      const c = x >= channels && y ? px[(y - 1) * stride + x - channels] : 0;
      const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
      const pred = [0, a, b, (a + b) >> 1, pa <= pb && pa <= pc ? a : pb <= pc ? b : c][f];
      px[y * stride + x] = (line[x] + pred) & 255;
    }
  }
  return { width, height, channels, px };
}

await step('an entity filter draws its timeline as SVG bars and lists the names with it', async () => {
  await page.goto(`${base}/search?q=Iran`);
  const place = page.locator('.facet-place li:not(.on) a');
  if (await place.count() === 0) return 'no place facets in this index';
  await Promise.all([page.waitForURL(/entity=place%3A/), place.first().click()]);
  const chart = page.locator('figure.timeline svg.timeline-chart');
  if (await chart.count() === 0) return 'no dated matches to chart';
  const bars = await chart.locator('rect.bar').evaluateAll((rs) => rs.map((r) => {
    const b = r.getBoundingClientRect();
    return { count: Number(r.dataset.count), x: b.x, y: b.y, w: b.width, h: b.height };
  }));
  const peak = Math.max(...bars.map((b) => b.count));
  const tallest = Math.max(...bars.map((b) => b.h));
  assert.ok(bars.length > 0 && peak > 0, 'no bars');
  for (const b of bars) assert.ok(Math.abs(b.h - (tallest * b.count) / peak) <= 1.5, `bar of ${b.count} is ${b.h} px`);
  // The screenshot has each bar's colour where the bar is drawn, and the
  // page's background above the shorter ones.
  const box = await chart.boundingBox();
  const shot = decodePng(await chart.screenshot({ path: `${out}/timeline.png` }));
  const scale = shot.width / box.width;
  const at = (x, y) => {
    const i = (Math.round((y - box.y) * scale) * shot.width + Math.round((x - box.x) * scale)) * shot.channels;
    return [shot.px[i], shot.px[i + 1], shot.px[i + 2]];
  };
  for (const b of bars.filter((b) => b.h >= 3)) {
    const [r, g, bl] = at(b.x + b.w / 2, b.y + b.h / 2);
    assert.ok(Math.abs(r - 0x1f) < 40 && Math.abs(g - 0x6f) < 40 && Math.abs(bl - 0xeb) < 40,
              `bar of ${b.count} drawn as rgb(${r},${g},${bl})`);
    if (b.h < tallest - 4) {
      const above = at(b.x + b.w / 2, b.y - 2);
      assert.ok(above.every((v) => v > 200), `above a bar of ${b.count}: rgb(${above})`);
    }
  }
  const co = page.locator('section.cooccur li a');
  assert.ok(await co.count() > 0, 'no co-occurring names');
  await Promise.all([page.waitForURL((u) => (u.search.match(/entity=/g) || []).length === 2), co.first().click()]);
  assert.ok(await resultCount() > 0, 'a co-occurring name finds nothing with the filter');
});

await step('hostile input is shown escaped', async () => {
  await page.goto(`${base}/search?q=${encodeURIComponent('<img src=x onerror=alert(1)>')}`);
  assert.equal(await page.locator('main img').count(), 0);
  assert.equal(await page.inputValue('#q'), '<img src=x onerror=alert(1)>');
});

await step('no console errors or CSP violations', async () => {
  assert.deepEqual(problems, []);
});

await browser.close();
console.log(`screenshots: ${out}/{home,results,relaxed,filtered,mobile,dates-1280,dates-400,article,article-mobile,timeline}.png`);
process.exit(steps.includes('FAIL') ? 1 : 0);
