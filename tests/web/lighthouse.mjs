// Lighthouse on pages of the served sample site, as a phone sees them (Lighthouse's mobile
// emulation and throttling), with Debian's chromium: every category must score 95 or more.
// Usage: node lighthouse.mjs URL...
import lighthouse from "lighthouse";
import * as chromeLauncher from "chrome-launcher";

const urls = process.argv.slice(2);
const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH || "/usr/bin/chromium",
  chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu"],
});
let failed = 0;
try {
  for (const url of urls) {
    const result = await lighthouse(url, {
      port: chrome.port,
      output: "json",
      logLevel: "error",
      onlyCategories: ["performance", "accessibility", "best-practices", "seo"],
      formFactor: "mobile",
    });
    const scores = Object.values(result.lhr.categories).map((c) => [c.id, Math.round(c.score * 100)]);
    const low = scores.filter(([, s]) => s < 95);
    console.log(`${low.length ? "FAIL" : "ok  "}  ${url}: ${scores.map(([id, s]) => `${id} ${s}`).join(", ")}`);
    for (const [id] of low) {
      const audits = result.lhr.categories[id].auditRefs
        .map((r) => result.lhr.audits[r.id])
        .filter((a) => a.score !== null && a.score < 0.9 && a.scoreDisplayMode !== "informative");
      for (const a of audits.slice(0, 6)) console.log(`      ${id}: ${a.id} (${a.title}) ${a.displayValue || ""}`);
    }
    failed += low.length ? 1 : 0;
  }
} finally {
  await chrome.kill();
}
process.exit(failed ? 1 : 0);
