// The UI in headless Chromium against the real command handlers: `earshot-host` serves the built UI and
// answers its calls from the one registry, each test on a workspace of its own in a temporary folder.
// Fast checks of screens and keyboard flows, without a desktop window. Run `npm run ui:build` and
// `cargo build -p earshot-host` first (make test-ui does both).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { createServer } from "node:http";
import { createServer as createTcpServer } from "node:net";
import { promisify } from "node:util";
import { mkdir, mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const root = fileURLToPath(new URL("..", import.meta.url));
const dist = join(root, "ui", "dist");
const HOST_BIN = process.env.HOST_BIN ?? join(process.env.CARGO_TARGET_DIR ?? join(root, "target"), "debug", "earshot-host");
let browser;
const running = [];

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
  });
});

after(async () => {
  await browser?.close();
  for (const h of running) await h.stop();
});

/** A host on a new workspace: its address, a way to call its commands directly, and what it "opened". */
async function host(...extra) {
  const dir = await mkdtemp(join(tmpdir(), "earshot-ui-"));
  const saved = join(dir, "saved");
  await mkdir(saved);
  // The engine runs only where a test asks for it (`--listening`): nothing else is checked on its own.
  const listening = extra.includes("--listening");
  const args = extra.filter((a) => a !== "--listening");
  if (!listening) args.push("--no-listening");
  const child = spawn(HOST_BIN, ["--db", join(dir, "w.db"), "--ui", dist, "--save-dir", saved, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, EARSHOT_LOG_DIR: join(dir, "logs") },
  });
  const stderr = [];
  createInterface({ input: child.stderr }).on("line", (line) => stderr.push(line));
  const base = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`earshot-host exited (${code}): ${stderr.join("\n")}`)));
  });
  const call = async (command, args = {}) => {
    const response = await fetch(`${base}ipc/${command}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(args) });
    const body = await response.json();
    if (!response.ok) throw new Error(`${command}: ${body.message}`);
    return body;
  };
  const h = {
    base,
    saved,
    stderr,
    call,
    async stop() {
      child.kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
  running.push(h);
  return h;
}

/** A host on an empty workspace the owner has already chosen, past the guided start. */
async function emptyWorkspace(...extra) {
  const h = await host(...extra);
  await h.call("workspace_start", { start: "empty" });
  await h.call("guided_start_skip");
  return h;
}

async function page(h) {
  const p = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors = [];
  p.on("pageerror", (e) => errors.push(e.message));
  await p.goto(h.base);
  return { p, errors };
}

test("first launch offers the demo or an empty book, and an empty book greets with the guided start", async () => {
  const h = await host();
  const { p, errors } = await page(h);
  await p.getByRole("button", { name: /Explore the demo bike shop/ }).waitFor();
  await p.click("#start-empty");
  await p.click("#guided-skip");
  await p.locator("#search").waitFor();
  assert.match(await p.textContent(".empty"), /No contacts yet/);
  assert.equal((await h.call("workspace_info")).kind, "empty");
  assert.deepEqual(errors, []);
  await p.close();
});

test("a new contact is saved, opened, and found by typing part of the name without accents", async () => {
  const h = await emptyWorkspace();
  const { p, errors } = await page(h);
  await p.locator("#search").waitFor();
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
  const [saved] = await h.call("contacts_search", { query: "martin", limit: 5 });
  assert.equal(saved.email, "zoe@example.com");
  assert.deepEqual(errors, []);
  await p.close();
});

test("a form error is shown next to the form, and nothing is saved", async () => {
  const h = await emptyWorkspace();
  const { p } = await page(h);
  await p.click("#new-contact");
  await p.click("#save-contact");
  await p.getByRole("alert").waitFor();
  assert.match(await p.getByRole("alert").textContent(), /needs a name/);
  assert.equal((await h.call("workspace_info")).contacts, 0);
  await p.close();
});

const CARDS = [
  "BEGIN:VCARD", "VERSION:3.0", "FN:Ana Lima", "EMAIL:ana@example.com", "END:VCARD",
  "BEGIN:VCARD", "VERSION:3.0", "FN:Zoë Martin", "END:VCARD",
  "BEGIN:VCARD", "VERSION:3.0", "NOTE:no name here", "END:VCARD", "",
].join("\r\n");

test("import shows what was found, then what was added and which cards were rejected, by line", async () => {
  const h = await emptyWorkspace();
  const { p, errors } = await page(h);
  await p.click("#nav-import");
  await p.setInputFiles("#import-file", { name: "Zoë's people.vcf", mimeType: "text/vcard", buffer: Buffer.from(CARDS) });
  await p.getByText("3 cards").waitFor();
  await p.click("#run-import");
  await p.locator("#import-summary").waitFor();
  assert.equal(await p.textContent("#import-added"), "2");
  assert.match(await p.textContent("#import-summary"), /Line 10/);
  const [run] = await h.call("imports_list");
  assert.equal(run.file_name, "Zoë's people.vcf");
  assert.equal(run.added, 2);
  assert.deepEqual(errors, []);
  await p.close();
});

test("the shortcuts help opens with ? and closes with Escape", async () => {
  const h = await emptyWorkspace();
  const { p } = await page(h);
  await p.locator("#search").waitFor();
  await p.keyboard.press("?");
  await p.getByRole("dialog").waitFor();
  assert.match(await p.getByRole("dialog").textContent(), /Search contacts/);
  await p.keyboard.press("Escape");
  await p.getByRole("dialog").waitFor({ state: "detached" });
  await p.close();
});

test("diagnostics are shown before they are copied, and say what they hold", async () => {
  const h = await emptyWorkspace();
  const { p, errors } = await page(h);
  await p.locator("#search").waitFor();
  await p.keyboard.press("?");
  await p.click("#copy-diagnostics");
  await p.locator("#diagnostics-report").waitFor();
  const report = await p.inputValue("#diagnostics-report");
  assert.match(report, /^Earshot diagnostics\nThis report holds:/);
  assert.match(await p.textContent("#diagnostics-status"), /logs/);
  assert.deepEqual(errors, []);
  await p.close();
});

test("a query that only leaves things out is refused before it is saved, with the reason", async () => {
  const h = await emptyWorkspace();
  const { p, errors } = await page(h);
  await p.click("#nav-listening");
  await p.fill("#query-text", "-jobs");
  await p.getByRole("alert").waitFor();
  assert.match(await p.getByRole("alert").textContent(), /only leaves things out/);
  assert.equal(await p.isDisabled("#add-query"), true);
  await p.fill("#query-text", "\"Spoke and Chain\" -jobs");
  await p.locator("text=Understood as").waitFor();
  await p.click("#add-query");
  await p.locator("[aria-label=Queries]", { hasText: "Spoke and Chain" }).waitFor();
  const queries = await h.call("queries_list");
  assert.deepEqual(queries.map((q) => q.query), ["\"Spoke and Chain\" -jobs"]);
  assert.deepEqual(errors, []);
  await p.close();
});

/** A Bluesky server on 127.0.0.1 that answers sign-ins with the recorded createSession body. */
async function blueskyServer() {
  const session = await readFile(join(root, "tests/fixtures/apis/bluesky/createSession_response_shape.json"));
  const passwords = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      if (req.url !== "/xrpc/com.atproto.server.createSession") {
        res.writeHead(404, { "content-type": "application/json" }).end('{"error":"MethodNotImplemented"}');
        return;
      }
      passwords.push(JSON.parse(body).password);
      res.writeHead(200, { "content-type": "application/json" }).end(session);
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, passwords, close: () => server.close() };
}

test("a Bluesky app password goes to Bluesky once and is cleared from the window", async () => {
  const bluesky = await blueskyServer();
  const h = await emptyWorkspace("--bluesky", bluesky.url, "--no-keychain");
  const { p, errors } = await page(h);
  await p.click("#nav-listening");
  await p.selectOption("#source-kind", "bluesky");
  await p.fill("#source-address", "example.bsky.social");
  await p.fill("input[type=password]", "abcd-efgh-ijkl-mnop");
  await p.click("#add-source");
  await p.locator(".source-row", { hasText: "@example.bsky.social on Bluesky" }).waitFor();
  assert.equal(await p.inputValue("input[type=password]"), "");
  assert.deepEqual(bluesky.passwords, ["abcd-efgh-ijkl-mnop"]);
  assert.match(await p.textContent(".source-row"), /Not checked yet/);
  const [source] = await h.call("sources_list");
  assert.ok(!JSON.stringify(source).includes("abcd-efgh"), "nothing secret comes back to the window");
  assert.deepEqual(errors, []);
  bluesky.close();
  await p.close();
});

/** A feed on 127.0.0.1 with one item about spokes. */
async function feedServer() {
  const rss = `<?xml version="1.0"?><rss version="2.0"><channel><title>Town news</title>
    <item><title>Spoke and Chain opens a second shop</title><link>https://news.example/spokes</link>
    <guid>spokes-1</guid><description>The bike shop Spoke and Chain opens on the high street.</description></item>
    </channel></rss>`;
  const server = createServer((req, res) => res.writeHead(200, { "content-type": "application/rss+xml" }).end(rss));
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${server.address().port}/feed.xml`, close: () => server.close() };
}

test("a feed added in the window is checked by the running engine, and its status arrives as live events", async () => {
  const feed = await feedServer();
  const h = await host("--listening");
  await h.call("workspace_start", { start: "empty" });
  await h.call("guided_start_skip");
  const { p, errors } = await page(h);
  await p.click("#nav-listening");
  await p.fill("#query-text", "\"Spoke and Chain\"");
  await p.locator("text=Understood as").waitFor();
  await p.click("#add-query");
  await p.selectOption("#source-kind", "feed");
  await p.fill("#source-address", feed.url);
  await p.click("#add-source");
  // Only the engine's "checked" event makes the window read the source again.
  await p.locator(".source-row[data-status=ok]", { hasText: "Town news" }).waitFor();
  const [query] = await h.call("queries_list");
  assert.equal(query.mentions, 1);
  assert.deepEqual(errors, []);
  feed.close();
  await p.close();
});

test("without a keychain the listening screen says where sign-ins will be kept", async () => {
  const h = await emptyWorkspace("--no-keychain");
  const { p } = await page(h);
  await p.click("#nav-listening");
  await p.locator(".banner", { hasText: "only while Earshot is open" }).waitFor();
  await p.close();
});

/** Two mentions captured by hand: a lead, and a complaint whose text and author are markup and script. */
async function seedMentions(h) {
  await h.call("mention_capture", {
    url: "https://forum.example/t/1", text: "Looking for a good bike shop near the station, any tips?", author: "Someone", network: "other",
  });
  await h.call("mention_capture", {
    url: "https://forum.example/t/2",
    text: '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script> Still waiting for my refund, terrible service',
    author: '<b onmouseover="window.__pwned=3">Mallory</b>',
    network: "other",
  });
}

test("the inbox files with one key, undoes with u, and shows hostile text as text", async () => {
  const h = await emptyWorkspace();
  await seedMentions(h);
  const { p, errors } = await page(h);
  await p.click("#nav-mentions");
  await p.locator(".mention", { hasText: "bike shop" }).waitFor();
  // Script and markup in a mention are shown literally and never run.
  const hostile = p.locator(".mention", { hasText: "refund" });
  assert.match(await hostile.textContent(), /<script>window.__pwned=2<\/script>/);
  assert.match(await hostile.textContent(), /<b onmouseover/);
  assert.equal(await hostile.locator("img, script, b").count(), 0);
  assert.equal(await p.evaluate(() => window.__pwned), undefined);
  assert.equal(await p.locator("a[href^='javascript:']").count(), 0);

  await p.locator(".mention", { hasText: "bike shop" }).click();
  await p.keyboard.press("1");
  await p.locator(".mention", { hasText: "bike shop" }).waitFor({ state: "detached" });
  const filed = await h.call("mentions_inbox", { filter: { state: "filed" } });
  assert.equal(filed.items.length, 1);
  await p.keyboard.press("u");
  await p.locator(".mention", { hasText: "bike shop" }).waitFor();
  // The complaint reads as more urgent, so it is above the lead that came back.
  await p.keyboard.press("k");
  await p.keyboard.press("w");
  const why = p.locator(".why", { hasText: "Why complaint" });
  await why.waitFor();
  assert.match(await why.textContent(), /a complaint phrase\s*\+\d/);
  await p.keyboard.press("Escape");
  await why.waitFor({ state: "detached" });
  await p.keyboard.press("?");
  await p.locator(".dialog", { hasText: "File as lead, issue, praise, idea, question" }).waitFor();
  assert.deepEqual(errors, []);
  await p.close();
});

test("people in conversations become contacts with one click, and leave the list", async () => {
  const h = await emptyWorkspace();
  await seedMentions(h);
  const { p, errors } = await page(h);
  await p.click("#nav-people");
  const row = p.locator("table.people tr", { hasText: "Someone" });
  await row.waitFor();
  await row.getByRole("button", { name: "Make a contact" }).click();
  await p.locator("#contact-name", { hasText: "Someone" }).waitFor();
  await p.click("#nav-people");
  await p.locator("table.people tr", { hasText: "Mallory" }).waitFor();
  assert.equal(await p.locator("table.people tr", { hasText: "Someone" }).count(), 0);
  assert.equal((await h.call("workspace_info")).contacts, 1);
  assert.deepEqual(errors, []);
  await p.close();
});

test("rules are added, shown in words, refused with the reason when wrong, and removed", async () => {
  const h = await emptyWorkspace();
  const { p, errors } = await page(h);
  await p.click("#nav-listening");
  await p.selectOption("#rule-field", "author");
  await p.fill("#rule-value", "@spammer");
  await p.click("#add-rule");
  await p.locator("[aria-label=Rules] li", { hasText: "The author is @spammer: ignore it" }).waitFor();
  await p.selectOption("#rule-field", "sentiment");
  await p.fill("#rule-value", "angry");
  await p.click("#add-rule");
  await p.locator(".toast", { hasText: "is not positive, neutral or negative" }).waitFor();
  assert.equal((await h.call("rules_list")).length, 1);
  await p.locator("[aria-label=Rules] li", { hasText: "@spammer" }).getByRole("button", { name: "Remove" }).click();
  await p.locator("[aria-label=Rules] li", { hasText: "No rules yet" }).waitFor();
  assert.deepEqual(await h.call("rules_list"), []);
  assert.deepEqual(errors, []);
  await p.close();
});

test("the owner lists their own accounts elsewhere, once each, and takes one off", async () => {
  const h = await emptyWorkspace();
  const { p, errors } = await page(h);
  await p.click("#nav-listening");
  const list = p.locator("[aria-label='Your own accounts']");
  await list.locator("li", { hasText: "None listed" }).waitFor();
  for (const handle of ["@spokeandchain", "@SpokeAndChain", "spokeandchain.bsky.social"]) {
    await p.fill("#own-handle", handle);
    await p.click("#add-own-handle");
  }
  await list.locator("li", { hasText: "spokeandchain.bsky.social" }).waitFor();
  assert.equal(await list.locator("li").count(), 2, "the same handle twice is kept once");
  await list.locator("li", { hasText: "@spokeandchain" }).getByRole("button", { name: "Remove" }).click();
  await list.locator("li", { hasText: "@spokeandchain" }).waitFor({ state: "detached" });
  assert.equal(await list.locator("li").count(), 1);
  assert.deepEqual(await h.call("own_handles_list"), ["spokeandchain.bsky.social"]);
  assert.deepEqual(errors, []);
  await p.close();
});

/** A host on the demo bike shop, past the first-launch choice. */
async function demoWorkspace() {
  const h = await host();
  await h.call("workspace_start", { start: "demo" });
  return h;
}

test("a period with nothing in it says where the data is and shows that period in one click", async () => {
  const h = await emptyWorkspace();
  const orders = ["order_id,date,email,name,total,currency", "A1,2025-02-10,ana@example.com,Ana Lima,120.00,USD", "A2,2025-03-12,ana@example.com,Ana Lima,120.00,USD", ""].join("\n");
  const preview = await fetch(`${h.base}ipc/orders_preview`, {
    method: "POST",
    headers: { "content-type": "application/octet-stream", "x-file-name": "orders.csv", "x-args": encodeURIComponent("{}") },
    body: orders,
  }).then((r) => r.json());
  const imported = await fetch(`${h.base}ipc/orders_import`, {
    method: "POST",
    headers: { "content-type": "application/octet-stream", "x-file-name": "orders.csv", "x-args": encodeURIComponent(JSON.stringify({ options: { mapping: preview.mapping, create_contacts: true } })) },
    body: orders,
  }).then((r) => r.json());
  assert.equal(imported.added ?? imported.orders?.added ?? 2, 2, JSON.stringify(imported));
  const { p, errors } = await page(h);
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
  const h = await demoWorkspace();
  const hostile = await h.call("contact_create", { input: { given_name: "", family_name: "", display_name: '=HYPERLINK("http://evil")', organization: null, title: null, city: null, website: null, birthday: null, emails: [], phones: [], identities: [], tags: [] } });
  await h.call("nps_record", { contact_id: hostile.id, input: { score: 2, comment: null, answered_at: null } });
  const dashboard = await h.call("metrics_get", { from: null, to: null });
  const { p, errors } = await page(h);
  await p.click("#nav-numbers");
  await p.locator("#card-nps .figure").waitFor();
  assert.match(await p.textContent("#card-nps .figure"), /^-?\d+$/);
  assert.ok(dashboard.share_of_conversation.length >= 2, "the demo has competitors");
  const rows = await p.locator("#sov-table tbody tr").allTextContents();
  assert.equal(rows.length, dashboard.share_of_conversation.length);
  // A hostile name from a survey is shown as text.
  await p.getByText('=HYPERLINK("http://evil")').first().waitFor();
  await p.locator("#sov-title button", { hasText: "CSV" }).click();
  await p.locator(".toast", { hasText: "Saved" }).waitFor();
  const [file] = await readdir(h.saved);
  const csv = (await readFile(join(h.saved, file))).toString("utf8");
  assert.match(csv, /^\ufeffbrand,kind,mentions,share/);
  assert.equal(csv.trim().split("\n").length, rows.length + 1);
  assert.ok((await p.locator("canvas").count()) > 0, "the charts are drawn");
  assert.deepEqual(errors, []);
  await p.close();
});

test("today lists follow-ups and detractors, and a contact opens with its brief", async () => {
  const h = await demoWorkspace();
  const today = await h.call("today_get");
  const { p, errors } = await page(h);
  await p.click("#nav-today");
  await p.locator("#detractors-title").waitFor();
  assert.ok(today.detractors.length > 0, "the demo has detractors");
  const detractor = today.detractors[0];
  await p.locator(".today button", { hasText: detractor.name }).first().click();
  await p.locator("#brief-title").waitFor();
  assert.equal(await p.textContent("#contact-name"), detractor.name);
  assert.deepEqual(errors, []);
  await p.close();
});

/** A throw-away PostgreSQL on 127.0.0.1 (Debian's server binaries; as the `postgres` user when root, since
 * `initdb` refuses root), with one empty database: its address, and a way to stop it. */
async function postgres() {
  const run = promisify(execFile);
  const versions = (await readdir("/usr/lib/postgresql")).filter((v) => /^\d+$/.test(v)).sort((a, b) => a - b);
  const bin = join("/usr/lib/postgresql", versions.at(-1), "bin");
  const dir = await mkdtemp(join(tmpdir(), "earshot-ui-pg-"));
  const root = process.getuid?.() === 0;
  if (root) await run("chown", ["postgres", dir]);
  const server = (cmd, args) => (root ? run("runuser", ["-u", "postgres", "--", join(bin, cmd), ...args]) : run(join(bin, cmd), args));
  const port = await new Promise((resolve) => {
    const probe = createTcpServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
  const data = join(dir, "data");
  await server("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync"]);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  await server("pg_ctl", ["-D", data, "-l", join(dir, "server.log"), "-w", "-o", options, "start"]);
  await run(join(bin, "psql"), ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-c", "CREATE DATABASE team"]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/team`,
    async stop() {
      await server("pg_ctl", ["-D", data, "-m", "immediate", "stop"]).catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Calls `check` until it returns something truthy (the background sync is a moment away). */
async function eventually(check, what) {
  for (let i = 0; i < 100; i++) {
    const found = await check();
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${what} did not happen in 20 s`);
}

test("the owner shares the workspace from the Team screen, and a mention assigned with a reaches Sam's inbox", async () => {
  const pg = await postgres();
  try {
    const counter = await emptyWorkspace("--listening");
    await counter.call("mention_capture", {
      url: "https://forum.example/t/9", text: "My brakes squeal since the service, can someone look?", author: "Bo", network: "other",
    });
    const { p, errors } = await page(counter);
    await p.click("#nav-team");
    await p.fill("#team-address", pg.url);
    await p.fill("#team-member", "Ann");
    await p.click("#team-create");
    await p.locator("#team-me", { hasText: "Ann" }).waitFor();
    await p.locator("#team-indicator", { hasText: "Team: synced" }).waitFor();

    const laptop = await emptyWorkspace("--listening");
    const joined = await laptop.call("team_join", { url: pg.url, member: "Sam" });
    assert.equal(joined.team.member, "Sam");
    // The counter hears that Sam joined without being asked, and can give Sam the mention.
    await p.locator("#team-members", { hasText: "Sam" }).waitFor();
    await p.click("#nav-mentions");
    await p.locator(".mention", { hasText: "brakes squeal" }).click();
    await p.keyboard.press("a");
    await p.selectOption('select[aria-label="Member"]', "Sam");
    await p.locator(".mention .assignee", { hasText: "For Sam" }).waitFor();

    const theirs = await eventually(async () => {
      const list = await laptop.call("mentions_list", { limit: 10 });
      return list.find((m) => m.assignee === "Sam");
    }, "the assignment reaching the laptop");
    assert.equal(theirs.text, "My brakes squeal since the service, can someone look?");
    const { p: onLaptop } = await page(laptop);
    await onLaptop.click("#nav-mentions");
    await onLaptop.getByLabel("Assigned to me").check();
    await onLaptop.locator(".mention", { hasText: "brakes squeal" }).waitFor();
    assert.deepEqual(errors, []);
    await onLaptop.close();
    await p.close();
  } finally {
    await pg.stop();
  }
});
