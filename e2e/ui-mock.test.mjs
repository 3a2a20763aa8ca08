// The UI in headless Chromium against the in-memory fake backend: fast checks of screens and keyboard
// flows, no Rust needed. Run `npm run ui:build` first.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const root = fileURLToPath(new URL("..", import.meta.url));
const dist = join(root, "ui", "dist");
const TYPES = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".png": "image/png", ".svg": "image/svg+xml" };
let server;
let browser;
let base;

before(async () => {
  server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url, "http://localhost");
      let body;
      let path = url.pathname;
      if (path === "/__tauri_mocks.js") body = await readFile(join(root, "node_modules/@tauri-apps/api/mocks.js"));
      else if (path === "/__fake_backend.js") body = await readFile(join(root, "e2e/fake-backend.js"));
      else {
        if (path === "/") path = "/index.html";
        body = await readFile(join(dist, normalize(path)));
        if (path === "/index.html") {
          body = body.toString().replace("<head>", '<head><script type="module" src="/__fake_backend.js"></script>');
        }
      }
      res.writeHead(200, { "content-type": TYPES[extname(path)] ?? "text/javascript" });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${server.address().port}/`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
  });
});

after(async () => {
  await browser?.close();
  server?.close();
});

async function page() {
  const p = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors = [];
  p.on("pageerror", (e) => errors.push(e.message));
  await p.goto(base);
  return { p, errors };
}

test("first launch offers the demo or an empty book, and an empty book shows the contacts screen", async () => {
  const { p, errors } = await page();
  await p.getByRole("button", { name: /Explore the demo bike shop/ }).waitFor();
  await p.click("#start-empty");
  await p.locator("#search").waitFor();
  assert.match(await p.textContent(".empty"), /No contacts yet/);
  assert.deepEqual(errors, []);
  await p.close();
});

test("a new contact is saved, opened, and found by typing part of the name without accents", async () => {
  const { p, errors } = await page();
  await p.click("#start-empty");
  await p.keyboard.press("n");
  await p.fill("#given-name", "Zoë");
  await p.fill("#family-name", "Martin");
  await p.fill("#organization", "Spoke & Chain");
  await p.fill(".email-input", "zoe@example.com");
  await p.click("#save-contact");
  await p.locator("#contact-name").waitFor();
  assert.equal(await p.textContent("#contact-name"), "Zoë Martin");
  await p.keyboard.press("Escape");
  await p.keyboard.press("/");
  await p.keyboard.type("zoe");
  await p.locator(".row .name", { hasText: "Zoë Martin" }).waitFor();
  await p.keyboard.press("Enter");
  await p.locator("#contact-name").waitFor();
  assert.deepEqual(errors, []);
  await p.close();
});

test("a form error is shown next to the form, and nothing is lost", async () => {
  const { p } = await page();
  await p.click("#start-empty");
  await p.click("#new-contact");
  await p.click("#save-contact");
  await p.getByRole("alert").waitFor();
  assert.match(await p.getByRole("alert").textContent(), /needs a name/);
  await p.close();
});

test("import shows what was found, then what was added and which rows were rejected", async () => {
  const { p } = await page();
  await p.click("#start-empty");
  await p.click("#nav-import");
  await p.setInputFiles("#import-file", { name: "people.vcf", mimeType: "text/vcard", buffer: Buffer.from("BEGIN:VCARD\r\nEND:VCARD\r\n") });
  await p.getByText("2 cards").waitFor();
  await p.click("#run-import");
  await p.locator("#import-summary").waitFor();
  assert.equal(await p.textContent("#import-added"), "2");
  assert.match(await p.textContent("#import-summary"), /Line 9: the card has no name/);
  const calls = await p.evaluate(() => window.__calls);
  assert.ok(calls.includes("import_run"));
  await p.close();
});

test("the shortcuts help opens with ? and closes with Escape", async () => {
  const { p } = await page();
  await p.click("#start-empty");
  await p.keyboard.press("?");
  await p.getByRole("dialog").waitFor();
  assert.match(await p.getByRole("dialog").textContent(), /Search contacts/);
  await p.keyboard.press("Escape");
  await p.getByRole("dialog").waitFor({ state: "detached" });
  await p.close();
});

test("diagnostics are shown before they are copied, and say what they hold", async () => {
  const { p, errors } = await page();
  await p.click("#start-empty");
  await p.keyboard.press("?");
  await p.click("#copy-diagnostics");
  await p.locator("#diagnostics-report").waitFor();
  const report = await p.inputValue("#diagnostics-report");
  assert.match(report, /^Earshot diagnostics\nThis report holds:/);
  assert.match(await p.textContent("#diagnostics-status"), /app\.earshot\.desktop\/logs/);
  assert.deepEqual(errors, []);
  await p.close();
});

test("a query that only leaves things out is refused before it is saved, with the reason", async () => {
  const { p, errors } = await page();
  await p.click("#start-empty");
  await p.click("#nav-listening");
  await p.fill("#query-text", "-jobs");
  await p.getByRole("alert").waitFor();
  assert.match(await p.getByRole("alert").textContent(), /only leaves things out/);
  assert.equal(await p.isDisabled("#add-query"), true);
  await p.fill("#query-text", "\"Spoke and Chain\" -jobs");
  await p.locator("text=Understood as").waitFor();
  await p.click("#add-query");
  await p.locator("[aria-label=Queries]", { hasText: "Spoke and Chain" }).waitFor();
  assert.deepEqual(errors, []);
  await p.close();
});

test("a Bluesky app password is sent once and cleared from the window", async () => {
  const { p, errors } = await page();
  await p.click("#start-empty");
  await p.click("#nav-listening");
  await p.selectOption("#source-kind", "bluesky");
  await p.fill("#source-address", "shop.bsky.social");
  await p.fill("input[type=password]", "abcd-efgh-ijkl-mnop");
  await p.click("#add-source");
  await p.locator(".source-row", { hasText: "@shop.bsky.social on Bluesky" }).waitFor();
  assert.equal(await p.inputValue("input[type=password]"), "");
  assert.deepEqual(await p.evaluate(() => window.__passwords), ["abcd-efgh-ijkl-mnop"]);
  assert.match(await p.textContent(".source-row"), /Not checked yet/);
  assert.deepEqual(errors, []);
  await p.close();
});

test("without a keychain the listening screen says where sign-ins will be kept", async () => {
  const { p } = await page();
  await p.evaluate(() => {
    window.__secrets = { persistence: "session", problem: "the system keychain is not available" };
  });
  await p.click("#start-empty");
  await p.click("#nav-listening");
  await p.locator(".banner", { hasText: "until you log out" }).waitFor();
  await p.close();
});

test("the inbox files with one key, undoes with u, and shows hostile text as text", async () => {
  const { p, errors } = await page();
  await p.evaluate(() => window.__seedMentions());
  await p.click("#start-empty");
  await p.click("#nav-mentions");
  await p.locator(".mention", { hasText: "bike shop" }).waitFor();
  // Script and markup in a mention are shown literally and never run.
  const hostile = p.locator(".mention", { hasText: "refund" });
  assert.match(await hostile.textContent(), /<script>window.__pwned=2<\/script>/);
  assert.match(await hostile.textContent(), /<b onmouseover/);
  assert.equal(await hostile.locator("img, script, b").count(), 0);
  assert.equal(await p.evaluate(() => window.__pwned), undefined);
  assert.equal(await p.locator("a[href^='javascript:']").count(), 0);

  await p.keyboard.press("1");
  await p.locator(".mention", { hasText: "bike shop" }).waitFor({ state: "detached" });
  assert.ok((await p.evaluate(() => window.__calls)).includes("mention_triage"));
  await p.keyboard.press("u");
  await p.locator(".mention", { hasText: "bike shop" }).waitFor();
  await p.keyboard.press("j");
  await p.keyboard.press("w");
  const why = p.locator(".why", { hasText: "Why complaint" });
  await why.waitFor();
  assert.match(await why.textContent(), /a complaint phrase\s*\+1\.30/);
  assert.match(await why.textContent(), /refund\s*-1\.10 toward negative/);
  await p.keyboard.press("Escape");
  await why.waitFor({ state: "detached" });
  await p.keyboard.press("?");
  await p.locator(".dialog", { hasText: "File as lead, issue, praise, idea, question" }).waitFor();
  assert.deepEqual(errors, []);
  await p.close();
});

test("people in conversations become contacts with one click, and leave the list", async () => {
  const { p, errors } = await page();
  await p.evaluate(() => window.__seedMentions());
  await p.click("#start-empty");
  await p.click("#nav-people");
  const row = p.locator("table.people tr", { hasText: "Someone" });
  await row.waitFor();
  await row.getByRole("button", { name: "Make a contact" }).click();
  await p.locator("#contact-name", { hasText: "Someone" }).waitFor();
  await p.click("#nav-people");
  await p.locator("table.people tr", { hasText: "Mallory" }).waitFor();
  assert.equal(await p.locator("table.people tr", { hasText: "Someone" }).count(), 0);
  assert.deepEqual(errors, []);
  await p.close();
});

test("rules are added, shown in words, refused with the reason when wrong, and removed", async () => {
  const { p, errors } = await page();
  await p.click("#start-empty");
  await p.click("#nav-listening");
  await p.selectOption("#rule-field", "author");
  await p.fill("#rule-value", "@spammer");
  await p.click("#add-rule");
  await p.locator("[aria-label=Rules] li", { hasText: "The author is @spammer: ignore it" }).waitFor();
  await p.selectOption("#rule-field", "sentiment");
  await p.fill("#rule-value", "angry");
  await p.click("#add-rule");
  await p.locator(".toast", { hasText: "is not positive, neutral or negative" }).waitFor();
  await p.locator("[aria-label=Rules] li", { hasText: "@spammer" }).getByRole("button", { name: "Remove" }).click();
  await p.locator("[aria-label=Rules] li", { hasText: "No rules yet" }).waitFor();
  assert.deepEqual(errors, []);
  await p.close();
});

test("the owner lists their own accounts elsewhere, once each, and takes one off", async () => {
  const { p, errors } = await page();
  await p.click("#start-empty");
  await p.click("#nav-listening");
  const list = p.locator("[aria-label='Your own accounts']");
  await list.locator("li", { hasText: "None listed" }).waitFor();
  for (const handle of ["@spokeandchain", "@SpokeAndChain", "Spoke & Chain"]) {
    await p.fill("#own-handle", handle);
    await p.click("#add-own-handle");
  }
  await list.locator("li", { hasText: "Spoke & Chain" }).waitFor();
  assert.equal(await list.locator("li").count(), 2, "the same handle twice is kept once");
  await list.locator("li", { hasText: "@spokeandchain" }).getByRole("button", { name: "Remove" }).click();
  await list.locator("li", { hasText: "@spokeandchain" }).waitFor({ state: "detached" });
  assert.equal(await list.locator("li").count(), 1);
  assert.deepEqual(errors, []);
  await p.close();
});

test("a period with nothing in it says where the data is and shows that period in one click", async () => {
  const { p, errors } = await page();
  await p.evaluate(() => (window.__oldData = true));
  await p.click("#start-empty");
  await p.click("#nav-numbers");
  await p.locator("#empty-period").waitFor();
  assert.match(await p.textContent("#empty-period"), /Your data runs from\s+\S+ \S+ 2025 to \S+ \S+ 2025/);
  await p.click("#show-data-period");
  await p.locator("#empty-period").waitFor({ state: "detached" });
  assert.match(await p.textContent("#card-revenue .figure"), /240/);
  assert.deepEqual(errors, []);
  await p.close();
});

test("the numbers show NPS, revenue and share of conversation, and tables save as CSV that cannot run formulas", async () => {
  const { p, errors } = await page();
  await p.click("#start-empty");
  await p.click("#nav-numbers");
  await p.locator("#card-nps .figure").waitFor();
  assert.equal(await p.textContent("#card-nps .figure"), "25");
  assert.match(await p.textContent("#card-revenue .figure"), /240/);
  assert.match(await p.textContent("#card-response .figure"), /10 min/);
  const rows = await p.locator("#sov-table tbody tr").allTextContents();
  assert.equal(rows.length, 2);
  assert.match(rows[0], /Bean There.*30.*30\.0%/);
  // Hostile text from a survey export is shown as text.
  await p.getByText('=HYPERLINK("http://evil")').waitFor();
  await p.locator("#sov-title button", { hasText: "CSV" }).click();
  await p.waitForFunction(() => window.__saved.length === 1);
  const csv = await p.evaluate(() => new TextDecoder("utf-8", { ignoreBOM: true }).decode(window.__saved[0]));
  assert.match(csv, /^\ufeffbrand,kind,mentions,share/);
  assert.match(csv, /Bean There,brand,30,0\.3,1000/);
  await p.locator("#followers-title").waitFor();
  assert.equal(await p.locator('canvas[aria-label="Followers by day"]').count(), 1);
  await p.getByRole("button", { name: /At risk \(1\)/ }).click();
  await p.locator("#segment-table", { hasText: "has an open issue" }).waitFor();
  await p.locator("#segment-table button", { hasText: "Ana Lima" }).waitFor();
  assert.deepEqual(errors, []);
  await p.close();
});

test("today lists follow-ups, detractors and customers at risk, and a contact opens with its brief", async () => {
  const { p, errors } = await page();
  await p.click("#start-empty");
  await p.keyboard.press("n");
  await p.fill("#given-name", "Ana");
  await p.fill("#family-name", "Lima");
  await p.click("#save-contact");
  await p.locator("#brief-title").waitFor();
  assert.match(await p.textContent("#brief-value"), /127\.00/);
  assert.match(await p.textContent("#brief-segment"), /Champion/);
  assert.match(await p.textContent(".brief"), /Espresso grinder/);
  await p.click("#nav-today");
  await p.getByText("Call Ana about the grinder").waitFor();
  await p.locator("#detractors-title").waitFor();
  assert.match(await p.textContent(".today"), /scored 3/);
  await p.locator(".today button", { hasText: "Ana Lima" }).first().click();
  await p.locator("#contact-name").waitFor();
  assert.deepEqual(errors, []);
  await p.close();
});
