// The first hour in the real window: a new owner's guided start, and the way out of the demo into a
// workspace of their own. Screenshots land in e2e/artifacts/first-hour-*.png.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { click, closeApp, find, openApp, s, screenshot, text, type, waitForText, wd } from "./driver.mjs";

const cli = (db, ...args) => execFileSync(join(dirname(process.env.APP_BIN), "earshot"), ["--db", db, ...args], { encoding: "utf8" });
const value = (css) => wd("POST", s("/execute/sync"), { script: "return document.querySelector(arguments[0]).value;", args: [css] });

async function waitForValue(css, expected) {
  const deadline = Date.now() + 10_000;
  let last;
  while (Date.now() < deadline) {
    last = await value(css).catch(() => undefined);
    if (last === expected) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${css} holds ${JSON.stringify(last)}, not ${JSON.stringify(expected)}`);
}

after(closeApp);

test("a new owner's guided start proposes queries and sources, and saves only what they confirmed", async () => {
  const db = join(mkdtempSync(join(tmpdir(), "earshot-start-")), "shop.db");
  await openApp(db);
  try {
    await click("#start-empty");
    await find("#guided-title");
    await type("#guided-name", "Riverside Bikes");
    await type("#guided-website", "https://www.riversidebikes.co.uk/");
    await type("#guided-handles", "@riverside_bikes@bikes.social, riversidebikes.bsky.social");
    await waitForValue("#guided-brand-query", '"Riverside Bikes" OR riversidebikes');
    await waitForText("#guided-preview", /Understood as/);
    assert.match(await text(".proposals"), /#riversidebikes on bikes\.social/);
    await waitForValue("#guided-bluesky-handle", "riversidebikes.bsky.social");
    // The owner edits the proposed query, and declines the Hacker News search.
    await type("#guided-brand-query", '"Riverside Bikes" OR riversidebikes -jobs');
    await click("#guided-hn");
    await type("#guided-alerts", "https://www.google.com/alerts/feeds/0123456789/987654321");
    await screenshot("first-hour-guided-business");

    await click("#guided-next");
    await type("#guided-competitor-0", "Gearbox Cycles");
    await type("#guided-industry", "e-bikes, bike repair");
    await waitForValue("#guided-industry-query", 'e-bikes OR "bike repair"');
    await screenshot("first-hour-guided-competitors");
    await click("#guided-apply");
    await find("#guided-import");
    await screenshot("first-hour-guided-customers");
    await click("#guided-inbox");
    await waitForText(".brand", /Riverside Bikes/);
  } finally {
    await closeApp();
  }

  const queries = JSON.parse(cli(db, "queries", "list", "--json")).map((q) => [q.kind, q.query]);
  assert.deepEqual(queries, [
    ["brand", '"Riverside Bikes" OR riversidebikes -jobs'],
    ["competitor", '"Gearbox Cycles"'],
    ["industry", 'e-bikes OR "bike repair"'],
  ]);
  const sources = JSON.parse(cli(db, "sources", "list", "--json")).map((x) => x.name).sort();
  assert.deepEqual(sources, ["#riversidebikes on bikes.social", "Google Alerts: Riverside Bikes", "Reddit: Riverside Bikes"]);
  assert.match(cli(db, "own", "list"), /@riverside_bikes@bikes\.social/);
});

test("the demo gives way to an empty workspace of the owner's own, and is kept beside it", async () => {
  const dir = mkdtempSync(join(tmpdir(), "earshot-leave-demo-"));
  const db = join(dir, "earshot.db");
  cli(db, "demo");
  await openApp(db);
  try {
    await click("#nav-listening");
    await click("#leave-demo");
    await click("#demo-keep");
    await screenshot("first-hour-leave-demo");
    await click("#leave-demo-confirm");
    // The new workspace is empty, so the guided start greets it.
    await find("#guided-title");
    await click("#guided-skip");
    await waitForText(".sidebar-foot", /^0 contacts/);
  } finally {
    await closeApp();
  }
  const kept = join(dir, "earshot-demo.db");
  assert.ok(existsSync(kept), "the demo is kept beside the workspace");
  assert.ok(JSON.parse(cli(kept, "mentions", "list", "--json", "--limit", "1000")).length >= 150, "with its mentions");
  assert.equal(JSON.parse(cli(db, "queries", "list", "--json")).length, 0, "the new workspace listens to nothing yet");
});
