// The real app in a real window: the release UI bundle in WebKitGTK, the Rust core, a real SQLite file,
// driven through tauri-driver (W3C WebDriver). Needs a display (xvfb-run) and APP_BIN (see scripts/e2e.sh).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const APP = process.env.APP_BIN;
const PORT = 4444;
const WD = `http://127.0.0.1:${PORT}`;
const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
const artifacts = join(root, "e2e", "artifacts");
let driver;
let session;
let fake;
let fakeBase = "";

/** A fake feed host and Mastodon instance on 127.0.0.1, serving real recorded answers. */
function startFakeServer() {
  const fixture = (p) => readFileSync(join(root, "tests", "fixtures", "apis", p));
  const hoot = JSON.parse(fixture("mastodon/v1_timelines_tag_hoot_with_link_header.json")).response.body;
  fake = createServer((req, res) => {
    if (req.url === "/feed.xml") {
      res.writeHead(200, { "content-type": "application/atom+xml", etag: '"v1"' });
      res.end(fixture("feeds/youtube_channel_feed.xml"));
    } else if (req.url.startsWith("/api/v1/timelines/tag/hoot")) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(hoot));
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  return new Promise((resolve) => fake.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${fake.address().port}`)));
}

/** Sets a <select> the way a person picking an option would (Svelte listens for "change"). */
async function choose(css, value) {
  await find(css);
  await wd("POST", s("/execute/sync"), {
    script:
      "const el = document.querySelector(arguments[0]); el.value = arguments[1]; el.dispatchEvent(new Event('change', { bubbles: true }));",
    args: [css, value],
  });
}

async function wd(method, path, body) {
  const res = await fetch(`${WD}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: ${JSON.stringify(json.value)}`);
  return json.value;
}

const s = (path) => `/session/${session}${path}`;

async function find(css, timeout = 15_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      const el = await wd("POST", s("/element"), { using: "css selector", value: css });
      return el[ELEMENT];
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`no element ${css} after ${timeout} ms: ${e.message}`);
      await new Promise((r) => setTimeout(r, 150));
    }
  }
}

/** The text of the first element matching `css` (textContent: the virtual list positions its rows in ways
 * WebDriver's visibility rules do not always see). */
async function text(css) {
  await find(css);
  return wd("POST", s("/execute/sync"), {
    script: "const el = document.querySelector(arguments[0]); return el ? el.textContent.replace(/\\s+/g, ' ').trim() : '';",
    args: [css],
  });
}

async function waitForText(css, pattern, timeout = 15_000) {
  const deadline = Date.now() + timeout;
  let last = "";
  while (Date.now() < deadline) {
    try {
      last = await text(css);
      if (pattern.test(last)) return last;
    } catch {
      // not there yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  await screenshot(`failed-${Date.now()}-${css.replace(/[^a-z0-9]+/gi, "_")}`).catch(() => {});
  throw new Error(`${css} never matched ${pattern}; last text: ${JSON.stringify(last)}`);
}

async function click(css) {
  await wd("POST", s(`/element/${await find(css)}/click`), {});
}

async function type(css, value) {
  const el = await find(css);
  await wd("POST", s(`/element/${el}/clear`), {});
  await wd("POST", s(`/element/${el}/value`), { text: value });
}

async function screenshot(name) {
  await wd("POST", s("/execute/async"), {
    script: "const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(done));",
    args: [],
  });
  const png = await wd("GET", s("/screenshot"));
  mkdirSync(artifacts, { recursive: true });
  writeFileSync(join(artifacts, `${name}.png`), Buffer.from(png, "base64"));
}

before(async () => {
  assert.ok(APP, "APP_BIN must point at the app binary (npx tauri build --debug --no-bundle)");
  fakeBase = await startFakeServer();
  const dir = mkdtempSync(join(tmpdir(), "earshot-e2e-"));
  driver = spawn("tauri-driver", ["--port", String(PORT), "--native-port", "4445"], {
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, EARSHOT_DB: join(dir, "workspace.db") },
  });
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      await fetch(`${WD}/status`);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error("tauri-driver did not start");
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const created = await wd("POST", "/session", { capabilities: { alwaysMatch: { "tauri:options": { application: APP } } } });
  session = created.sessionId;
});

after(async () => {
  if (session) await wd("DELETE", `/session/${session}`).catch(() => {});
  if (driver) {
    driver.kill("SIGTERM");
    await new Promise((r) => driver.once("exit", r));
  }
  fake?.close();
});

test("first launch offers the demo; an empty book starts", async () => {
  await waitForText("#start-empty", /Start with an empty book/);
  await screenshot("01-welcome");
  await click("#start-empty");
  await find("#search");
});

test("a contact created in the app is saved and found by search", async () => {
  await click("#new-contact");
  await type("#given-name", "Zoë");
  await type("#family-name", "Martin");
  await type("#organization", "Spoke & Chain Cycles");
  await type(".email-input", "zoe@spokechain.example");
  await click("#save-contact");
  await waitForText("#contact-name", /^Zoë Martin$/);
  await click("#nav-contacts");
  await type("#search", "zoe mar");
  await waitForText(".row .name", /Zoë Martin/);
  await screenshot("02-search");
});

test("a vCard file imported through the app adds its people and reports the bad card", async () => {
  await click("#nav-import");
  const input = await find("#import-file");
  await wd("POST", s(`/element/${input}/value`), { text: join(root, "tests", "fixtures", "bike-club.vcf") });
  await waitForText(".preview", /vCard, 3 cards/);
  await click("#run-import");
  await waitForText("#import-summary", /2 added/);
  assert.match(await text("#import-summary"), /1 rejected/);
  await screenshot("03-import");
});

test("an imported contact's page shows their details and notes", async () => {
  await click("#nav-contacts");
  await type("#search", "jurgen");
  await waitForText(".row .name", /Jürgen Müller/);
  await click(".row");
  await waitForText("#contact-name", /^Jürgen Müller$/);
  await waitForText(".timeline", /Wants a quote for four e-bikes/);
  await waitForText(".details", /juergen@mueller\.example/);
  await screenshot("04-contact-page");
});

test("a feed source is checked in the background and its mentions arrive", async () => {
  await click("#nav-listening");
  await type("#query-text", "quantum OR hoot");
  await waitForText(".listening-screen", /Understood as/);
  await click("#add-query");
  await waitForText("[aria-label=Queries]", /quantum OR hoot/);
  await type("#source-address", `${fakeBase}/feed.xml`);
  await click("#add-source");
  await waitForText(".source-row", /PBS Space Time.*OK/, 30_000);
  await waitForText(".source-row", /1 mention from 1 item/);
  await screenshot("05-listening");
  await click("#nav-mentions");
  await waitForText(".mention-list", /Navigating with Quantum Entanglement/);
  await screenshot("06-mentions");
});

test("a Mastodon hashtag on a fake instance brings its posts in", async () => {
  await click("#nav-listening");
  await choose("#source-kind", "mastodon-hashtag");
  await type("#source-address", fakeBase);
  await type("#source-hashtag", "#hoot");
  await click("#add-source");
  await waitForText(".source-list", /#hoot on 127\.0\.0\.1.*OK/, 30_000);
  await click("#nav-mentions");
  await waitForText(".mention-list", /hashtag toot/);
});
