// Checks the served sample site as a reader's browser sees it: every link answers 200,
// search finds the expected brief (with and without facets), the dark scheme applies,
// and screenshots of the main pages at phone and desktop widths are saved.
//
//   node check.mjs http://127.0.0.1:PORT/briefing/ SCREENSHOT_DIR
import { chromium } from "playwright-core";
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

const [base, shots = "screenshots"] = process.argv.slice(2);
const origin = new URL(base).origin;
let passed = 0;
let failed = 0;
async function check(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`ok    ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL  ${name}: ${e.message}`);
  }
}
function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

// 1. Crawl every page under the base path and every asset they use.
await check("every link on the served site resolves", async () => {
  const seen = new Set([base]);
  const queue = [base];
  const broken = [];
  while (queue.length) {
    const url = queue.shift();
    const res = await fetch(url, { redirect: "manual" });
    if (res.status !== 200) {
      broken.push(`${url} -> ${res.status}`);
      continue;
    }
    if (!(res.headers.get("content-type") || "").includes("text/html")) continue;
    const html = await res.text();
    for (const m of html.matchAll(/(?:href|src)="([^"#]+)/g)) {
      const next = new URL(m[1].replaceAll("&amp;", "&"), url);
      if (next.origin !== origin) continue;
      const clean = next.href.split("#")[0];
      if (!seen.has(clean)) {
        seen.add(clean);
        queue.push(clean);
      }
    }
  }
  assert(seen.size > 50, `only ${seen.size} URLs found`);
  assert(broken.length === 0, `broken: ${broken.slice(0, 5).join(", ")}`);
  console.log(`      ${seen.size} URLs checked`);
});

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});

await check("search finds a brief by words in its body, with the bytes of one query", async () => {
  const page = await browser.newPage();
  let bytes = 0;
  page.on("response", async (r) => {
    if (r.url().includes("/search/") && r.url().endsWith(".json")) bytes += (await r.body()).length;
  });
  await page.goto(base + "search/?q=gemini+advertising");
  await page.waitForSelector(".search-result a");
  const titles = await page.$$eval(".search-result a", (as) => as.map((a) => a.textContent));
  assert(titles.some((t) => t.includes("Gemini to improve ad targeting")), `results: ${titles.join(" | ")}`);
  console.log(`      ${titles.length} results, ${bytes} bytes of index fetched`);
  await page.close();
});

await check("search finds Chinese text (a lab's name in Chinese characters)", async () => {
  const page = await browser.newPage();
  await page.goto(base + "search/?q=" + encodeURIComponent("深度求索"));
  await page.waitForSelector(".search-result a");
  const titles = await page.$$eval(".search-result a", (as) => as.map((a) => a.textContent));
  assert(titles.some((t) => t.includes("DeepSeek")), `results: ${titles.join(" | ")}`);
  await page.close();
});

await check("the search box in the header leads to results; facets filter them", async () => {
  const page = await browser.newPage();
  await page.goto(base);
  await page.fill("#site-q", "anthropic");
  await page.press("#site-q", "Enter");
  await page.waitForSelector(".search-result a");
  const titles = await page.$$eval(".search-result a", (as) => as.map((a) => a.textContent));
  assert(titles.some((t) => t.includes("Anthropic")), `results: ${titles.join(" | ")}`);
  await page.selectOption("#f-status", "reported");
  await page.waitForFunction(() => document.querySelectorAll(".search-result").length > 0 &&
    [...document.querySelectorAll(".search-result .status")].every((s) => s.textContent === "Reported"));
  const statuses = await page.$$eval(".search-result .status", (ss) => ss.map((s) => s.textContent));
  assert(statuses.length >= 1 && statuses.every((s) => s === "Reported"), `statuses: ${statuses}`);
  await page.close();
});

await check("the dark scheme applies when the reader prefers it", async () => {
  const ctx = await browser.newContext({ colorScheme: "dark" });
  const page = await ctx.newPage();
  await page.goto(base);
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert(bg === "rgb(20, 21, 24)", `background is ${bg}`);
  await ctx.close();
});

await check("no accessibility violations (axe: WCAG 2 A and AA, contrast included) in light and dark", async () => {
  const problems = [];
  for (const scheme of ["light", "dark"]) {
    const ctx = await browser.newContext({ colorScheme: scheme });
    const page = await ctx.newPage();
    for (const path of ["", "briefs/meta-google-gemini-ads-report/", "companies/meta/", "sources/the-information/",
      "stories/meta-google-ad-models/", "search/?q=meta", "archive/", "tags/", "people/andy-stone/", "products/gemini/",
      "authors/maya-lindqvist/", "corrections/", "briefs/alphabet-shares-tick-up/", "../fr/briefs/writing-helpers/"]) {
      await page.goto(base + path);
      if (path.startsWith("search")) await page.waitForSelector(".search-result");
      await page.addScriptTag({ content: axeSource });
      const [passes, violations] = await page.evaluate(async () => {
        const r = await window.axe.run(document, { runOnly: ["wcag2a", "wcag2aa"] });
        return [r.passes.length, r.violations.map((v) => `${v.id}: ${v.nodes.slice(0, 2).map((n) => n.target.join(" ")).join(", ")}`)];
      });
      assert(passes > 5, `axe ran only ${passes} rules on /${path}`);
      violations.forEach((v) => problems.push(`${scheme} /${path} ${v}`));
    }
    await ctx.close();
  }
  assert(problems.length === 0, problems.slice(0, 8).join("\n      "));
});

await check("pages read without JavaScript", async () => {
  const ctx = await browser.newContext({ javaScriptEnabled: false });
  const page = await ctx.newPage();
  await page.goto(base + "stories/meta-google-ad-models/");
  const items = await page.$$eval(".timeline li", (l) => l.length);
  assert(items >= 3, `timeline has ${items} items`);
  await ctx.close();
});

await check("images load in WebP, fit the column and keep their place while loading", async () => {
  for (const [width, path] of [[390, "briefs/nvidia-data-center-revenue/"], [1280, "briefs/deepseek-nvidia-selloff/"]]) {
    const ctx = await browser.newContext({ viewport: { width, height: 800 } });
    const page = await ctx.newPage();
    await page.goto(base + path);
    const img = page.locator(path.includes("deepseek") ? "figure.lead img" : ".body figure img");
    await img.scrollIntoViewIfNeeded();
    await page.waitForFunction((el) => el.complete && el.naturalWidth > 0, await img.elementHandle());
    const info = await img.evaluate((el) => ({ src: el.currentSrc, w: el.getBoundingClientRect().width, col: el.closest("main").getBoundingClientRect().width }));
    assert(info.src.endsWith(".webp"), `${path}: the browser chose ${info.src}`);
    assert(info.w <= info.col + 0.5, `${path}: the image is ${info.w}px wide in a ${info.col}px column`);
    const caption = await page.locator("figure figcaption").first().innerText();
    assert(caption.length > 20, `${path}: caption "${caption}"`);
    await ctx.close();
  }
  // Cards keep their thumbnail's box before it loads: width and height are on every image.
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(base);
  const unsized = await page.$$eval("img", (l) => l.filter((i) => !i.getAttribute("width") || !i.getAttribute("height")).length);
  assert(unsized === 0, `${unsized} images without width and height on the home page`);
  await ctx.close();
});

await check("screenshots at phone and desktop widths", async () => {
  mkdirSync(shots, { recursive: true });
  const pages = {
    home: "",
    brief: "briefs/meta-google-gemini-ads-report/",
    company: "companies/meta/",
    story: "stories/meta-google-ad-models/",
    person: "people/andy-stone/",
    product: "products/gemini/",
    correction: "briefs/alphabet-shares-tick-up/",
    figure: "briefs/nvidia-data-center-revenue/",
    lead: "briefs/deepseek-nvidia-selloff/",
    "company-logo": "companies/nvidia/",
    "brief-fr": "../fr/briefs/meta-denies-gemini-ad-talks/",
    "writing-helpers": "../fr/briefs/writing-helpers/",
  };
  for (const [label, width, height] of [["phone", 390, 844], ["desktop", 1280, 900]]) {
    for (const scheme of ["light", "dark"]) {
      const ctx = await browser.newContext({ viewport: { width, height }, colorScheme: scheme });
      const page = await ctx.newPage();
      for (const [name, path] of Object.entries(pages)) {
        const res = await page.goto(base + path);
        assert(res.status() === 200, `${path}: ${res.status()}`);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert(overflow <= 1, `${path} scrolls sideways by ${overflow}px at ${width}px`);
        await page.screenshot({ path: `${shots}/${name}-${label}-${scheme}.png`, fullPage: true });
      }
      await ctx.close();
    }
  }
});

await browser.close();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
