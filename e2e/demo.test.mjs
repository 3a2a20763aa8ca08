// The demo workspace in the real window, as someone trying Earshot first sees it: an inbox with open
// mentions to triage, people in conversations, every card of the numbers filled, the demo's sources
// labelled. Screenshots of each screen in light and dark land in e2e/artifacts/demo-*.png.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { click, closeApp, find, openApp, press, s, screenshot, text, waitForText, wd } from "./driver.mjs";

let db;

before(() => {
  // The demo as `make run` builds it: with the command line, over the same core.
  const cli = join(dirname(process.env.APP_BIN), "earshot");
  db = join(mkdtempSync(join(tmpdir(), "earshot-demo-")), "demo.db");
  execFileSync(cli, ["--db", db, "demo"]);
});

after(closeApp);

/** Visits every screen of the demo and saves a screenshot of each as demo-`theme`-`screen`. */
async function tour(theme) {
  await click("#nav-mentions");
  await waitForText("#mentions-title", /Inbox \d+ open/);
  await waitForText(".mention-list", /Spoke & Chain/);
  await screenshot(`demo-${theme}-inbox`);
  await click("#nav-people");
  await waitForText("#people-title", /People in conversations/);
  await screenshot(`demo-${theme}-people`);
  await click("#nav-numbers");
  await waitForText("#card-ideas .figure", /\d/);
  await screenshot(`demo-${theme}-numbers`);
  await click("#nav-listening");
  await waitForText(".source-list", /Demo: never checked/);
  await screenshot(`demo-${theme}-listening`);
  await click("#nav-today");
  await screenshot(`demo-${theme}-today`);
  await click("#nav-contacts");
  await find("#search");
  await screenshot(`demo-${theme}-contacts`);
}

test("the demo opens on an inbox of open mentions, every number filled, and one key files a mention", async () => {
  await openApp(db, { GTK_THEME: "Adwaita" });
  try {
    await lightTour();
  } finally {
    await closeApp();
  }
});

async function lightTour() {
  await tour("light");

  await click("#nav-mentions");
  const open = Number((await text("#mentions-title")).match(/(\d+) open/)[1]);
  assert.ok(open >= 10, `${open} open mentions`);
  await press("3");
  await waitForText("#mentions-title", new RegExp(`Inbox ${open - 1} open`));

  await click("#nav-people");
  await waitForText("table.people tbody", /Make a contact/);
  const people = await wd("POST", s("/execute/sync"), { script: "return document.querySelectorAll('tbody tr').length;", args: [] });
  assert.ok(people >= 20, `${people} people in conversations`);

  await click("#nav-numbers");
  for (const card of ["nps", "revenue", "response", "leads", "retention", "ideas"]) {
    const figure = await text(`#card-${card} .figure`);
    assert.ok(figure && figure !== "–", `the ${card} card shows ${JSON.stringify(figure)}`);
  }
  assert.match(await text("#card-revenue .figure"), /^£\d{1,3}(,\d{3})+\.\d\d$/);
  assert.match(await text("#sov-table"), /Gearbox Cycles/);
}

test("the demo in a dark desktop theme is drawn dark", async () => {
  await openApp(db, { GTK_THEME: "Adwaita:dark" });
  try {
    const dark = await wd("POST", s("/execute/sync"), {
      script: "return matchMedia('(prefers-color-scheme: dark)').matches;",
      args: [],
    });
    assert.equal(dark, true, "the webview follows the desktop's dark theme");
    await tour("dark");
  } finally {
    await closeApp();
  }
});
