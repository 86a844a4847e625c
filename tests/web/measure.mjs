// Measures search on a built site served at BASE: bytes of index fetched and time to the
// first result for a few typical queries, in headless Chromium.
//
//   node measure.mjs http://127.0.0.1:PORT/ "query one" "query two" ...
import { chromium } from "playwright-core";

const [base, ...queries] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});
for (const q of queries) {
  const page = await browser.newPage();
  await page.goto(base + "search/");
  await page.waitForFunction(() => document.querySelectorAll("#f-company option").length > 1);
  let bytes = 0;
  page.on("response", async (r) => {
    if (r.url().includes("/search/") && r.url().endsWith(".json")) bytes += (await r.body()).length;
  });
  const start = Date.now();
  await page.fill("#q", q);
  await page.press("#q", "Enter");
  await page.waitForFunction(() => document.querySelector(".search-result a") ||
    /No brief/.test(document.getElementById("search-status").textContent), null, { timeout: 20000 });
  const first = Date.now() - start;
  await page.waitForFunction(() => !/Searching/.test(document.getElementById("search-status").textContent));
  const status = await page.textContent("#search-status");
  console.log(`${JSON.stringify(q)}: first result after ${first} ms, ${bytes} bytes of index (plus meta.json once), ${status}`);
  await page.close();
}
await browser.close();
