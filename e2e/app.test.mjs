// The real app in a real window: the release UI bundle in WebKitGTK, the Rust core, a real SQLite file,
// driven through tauri-driver (W3C WebDriver). Needs a display (xvfb-run) and APP_BIN (see scripts/e2e.sh).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { choose, click, closeApp, find, openApp, press, s, screenshot, text, type, waitForText, wd } from "./driver.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
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
    } else if (req.url === "/shop.xml") {
      res.writeHead(200, { "content-type": "application/rss+xml" });
      res.end(shopFeed());
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

/** Ten posts about the shop, from ten people, for the keyboard triage. */
const SHOP_POSTS = [
  ["Ada", "Looking for a new commuter bike, is Spokeshop any good?"],
  ["Ben", "Spokeshop lost my booking and nobody answers the phone"],
  ["Cleo", "Spokeshop fixed my wheel in ten minutes, thank you"],
  ["Dev", "Spokeshop should open on Sundays"],
  ["Eve", "Does Spokeshop do bike fitting?"],
  ["Finn", "Spokeshop van parked outside the library again"],
  ["Gus", "Jürgen from Spokeshop gave a great talk on chain care"],
  ["Hana", "Spokeshop has the best coffee corner in town"],
  ["Ivo", "Spokeshop prices went up again"],
  ["Jo", "Spokeshop sale starts Friday"],
];

function shopFeed() {
  const items = SHOP_POSTS.map(
    ([who, text], n) =>
      `<item><guid>shop-${n}</guid><title>${text}</title><link>http://127.0.0.1/shop/${n}</link>` +
      `<author>${who.toLowerCase()}@example.org (${who})</author><description>${text}</description>` +
      `<pubDate>Tue, 24 Nov 2026 ${String(10 + n).padStart(2, "0")}:00:00 GMT</pubDate></item>`,
  );
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>Town forum</title><link>http://127.0.0.1/</link>${items.join("")}</channel></rss>`;
}

before(async () => {
  fakeBase = await startFakeServer();
  const dir = mkdtempSync(join(tmpdir(), "earshot-e2e-"));
  await openApp(join(dir, "workspace.db"));
});

after(async () => {
  await closeApp();
  fake?.close();
});

test("first launch offers the demo; an empty book starts with a guided start that can be skipped", async () => {
  await waitForText("#start-empty", /Start with an empty book/);
  await screenshot("01-welcome");
  await click("#start-empty");
  await click("#guided-skip");
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

test("ten mentions are triaged with the keyboard alone, and the work lands on contacts and in the outbox", async () => {
  await click("#nav-listening");
  await type("#query-text", "spokeshop");
  await waitForText(".listening-screen", /Understood as/);
  await click("#add-query");
  await choose("#source-kind", "feed");
  await type("#source-address", `${fakeBase}/shop.xml`);
  await click("#add-source");
  await waitForText(".source-list", /Town forum.*OK/, 30_000);
  await click("#nav-mentions");
  await type("#inbox-search", "spokeshop");
  await press("\uE007");
  await waitForText(".mention-list", /Spokeshop sale starts Friday/);
  const current = () => text(".mention.current .mention-text");

  // Newest first, so the list order is the feed's, reversed.
  await choose("select[aria-label=Sort]", "newest");
  await waitForText(".mention.current .mention-text", /sale starts Friday/);
  await press("e"); // done
  await waitForText(".mention.current .mention-text", /prices went up/);
  await press("x"); // not relevant
  await waitForText(".mention.current .mention-text", /best coffee/);
  await press("3"); // praise
  await waitForText(".mention.current .mention-text", /Jürgen from Spokeshop/);
  await press("l"); // link to the imported contact
  await type("#link-search", "Jürgen");
  await waitForText(".panel", /Jürgen Müller/);
  await press("\uE007"); // Enter
  await waitForText(".mention.current", /Contact: Jürgen Müller/);
  await press("e");
  await waitForText(".mention.current .mention-text", /van parked/);
  await press("s"); // snooze
  await waitForText(".mention.current .mention-text", /bike fitting/);
  await press("5"); // question
  await waitForText(".mention.current .mention-text", /open on Sundays/);
  await press("4"); // idea
  await waitForText(".mention.current .mention-text", /fixed my wheel/);
  await press("c"); // a contact from the author
  await waitForText(".mention.current", /Contact: /);
  await press("3");
  await waitForText(".mention.current .mention-text", /lost my booking/);
  await press("2"); // issue
  await waitForText(".mention.current .mention-text", /commuter bike/);
  await press("1"); // lead
  await waitForText(".toasts", /Filed as a lead/);
  await press("u"); // undo brings it back
  await waitForText(".mention.current .mention-text", /commuter bike/);
  await press("1");
  await waitForText(".mentions-screen", /Inbox zero|Nothing matches/);
  await screenshot("07-inbox-zero");

  // Everything decided is on file: the linked contact's page shows what they said.
  await click("#nav-contacts");
  await type("#search", "jurgen");
  await waitForText(".row .name", /Jürgen Müller/);
  await click(".row");
  await waitForText(".timeline", /gave a great talk on chain care/);
  await screenshot("08-contact-mentions");
});

test("a reply to a Mastodon mention is queued in the outbox and says why it cannot go out", async () => {
  await click("#nav-mentions");
  await choose("select[aria-label=State]", "all");
  await type("#inbox-search", "hashtag");
  await press("\uE007");
  await waitForText(".mention.current .mention-text", /hashtag toot/);
  await press("r");
  await type("#reply-text", "Thanks for the hoot!");
  await press("\uE007", { ctrl: true });
  await waitForText(".outbox", /Thanks for the hoot!/);
  // The hashtag source has no signed-in account: the reply fails with the reason, and is kept.
  await waitForText(".outbox", /failed.*sign in again/, 30_000);
  await screenshot("09-outbox");
});

test("a Shopify orders export imported in the window shows in the numbers and in the buyer's brief", async () => {
  await click("#nav-import");
  const input = await find("#orders-file");
  await wd("POST", s(`/element/${input}/value`), { text: join(root, "tests", "fixtures", "value", "shopify_orders.csv") });
  await waitForText(".preview", /Shopify orders/);
  await click(".preview input[type=checkbox]");
  await click("#run-orders-import");
  await waitForText("#orders-summary", /4 orders added/);
  assert.match(await text("#orders-summary"), /1 rejected/);
  assert.match(await text("#orders-summary"), /Line 7: Total: "eighty"/);
  await click("#nav-numbers");
  // 100 + 60 + 40 paid, 10 refunded; the voided order counts for nothing.
  await waitForText("#card-revenue .figure", /190/);
  assert.match(await text("#card-revenue"), /3 orders/);
  await screenshot("09-numbers");
  await click("#nav-contacts");
  await type("#search", "ana lima");
  await waitForText(".row .name", /Ana Lima/);
  await click(".row");
  await waitForText("#brief-title", /Before you call/);
  await waitForText(".brief", /Espresso grinder/);
  await waitForText("#brief-value", /lifetime value/);
  await screenshot("10-brief");
});
