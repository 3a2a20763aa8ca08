// Driving the real app in a real window through tauri-driver (W3C WebDriver): start it on a workspace, find,
// type, click, press keys, read text, take screenshots. Shared by the end-to-end test files; each opens the
// app once (one tauri-driver at a time: the files run one after the other).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const APP = process.env.APP_BIN;
const PORT = 4444;
const WD = `http://127.0.0.1:${PORT}`;
const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
export const artifacts = join(root, "e2e", "artifacts");
let driver;
let session;

/** Starts the app on the workspace `db` (with `env` added to its environment) and opens a session. */
export async function openApp(db, env = {}) {
  assert.ok(APP, "APP_BIN must point at the app binary (npx tauri build --debug --no-bundle)");
  // Its own process group, so closing takes WebKitWebDriver (its child) down with it.
  driver = spawn("tauri-driver", ["--port", String(PORT), "--native-port", "4445"], {
    detached: true,
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, ...env, EARSHOT_DB: db },
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
}

/** Closes the session and the app. */
export async function closeApp() {
  if (session) await wd("DELETE", `/session/${session}`).catch(() => {});
  session = undefined;
  if (driver) {
    const exited = new Promise((r) => driver.once("exit", r));
    try {
      process.kill(-driver.pid, "SIGTERM");
    } catch {
      driver.kill("SIGTERM");
    }
    await exited;
    driver = undefined;
  }
  // The next app may start at once: wait until the ports are free.
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    try {
      await fetch(`${WD}/status`);
      await new Promise((r) => setTimeout(r, 100));
    } catch {
      return;
    }
  }
}

/** Presses one key the way a person would (WebDriver key actions); `shift` holds Shift down. */
export async function press(key, { ctrl = false } = {}) {
  const keys = ctrl ? ["\uE009", key] : [key];
  const down = keys.map((value) => ({ type: "keyDown", value }));
  const up = [...keys].reverse().map((value) => ({ type: "keyUp", value }));
  await wd("POST", s("/actions"), { actions: [{ type: "key", id: "keyboard", actions: [...down, ...up] }] });
  await wd("DELETE", s("/actions"));
}

/** Sets a <select> the way a person picking an option would (Svelte listens for "change"). */
export async function choose(css, value) {
  await find(css);
  await wd("POST", s("/execute/sync"), {
    script:
      "const el = document.querySelector(arguments[0]); el.value = arguments[1]; el.dispatchEvent(new Event('change', { bubbles: true }));",
    args: [css, value],
  });
}

export async function wd(method, path, body) {
  const res = await fetch(`${WD}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: ${JSON.stringify(json.value)}`);
  return json.value;
}

export const s = (path) => `/session/${session}${path}`;

export async function find(css, timeout = 15_000) {
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
export async function text(css) {
  await find(css);
  return wd("POST", s("/execute/sync"), {
    script: "const el = document.querySelector(arguments[0]); return el ? el.textContent.replace(/\\s+/g, ' ').trim() : '';",
    args: [css],
  });
}

export async function waitForText(css, pattern, timeout = 15_000) {
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

export async function click(css) {
  try {
    await wd("POST", s(`/element/${await find(css)}/click`), {});
  } catch (e) {
    await screenshot(`failed-click-${Date.now()}-${css.replace(/[^a-z0-9]+/gi, "_")}`).catch(() => {});
    throw new Error(`clicking ${css}: ${e.message}`);
  }
}

export async function type(css, value) {
  const el = await find(css);
  await wd("POST", s(`/element/${el}/clear`), {});
  await wd("POST", s(`/element/${el}/value`), { text: value });
}

/** Keeps frames coming while a snapshot is taken: WebKitGTK drawing without compositing (as Earshot does)
 * answers WebDriver's snapshot with the next frame it draws, and a page at rest draws none. One pixel in the
 * top-left corner flickers between two invisible shades until `stop` is called. */
const PAINT_PULSE = `
  const dot = document.createElement("div");
  dot.style.cssText = "position:fixed;left:0;top:0;width:1px;height:1px;pointer-events:none;z-index:2147483647";
  document.documentElement.append(dot);
  let n = 0;
  const tick = () => {
    if (!dot.isConnected) return;
    dot.style.background = n++ % 2 ? "rgba(0,0,0,0.01)" : "rgba(0,0,0,0.02)";
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  window.__stopPaintPulse = () => dot.remove();
  const done = arguments[0];
  requestAnimationFrame(() => requestAnimationFrame(done));`;

export async function screenshot(name) {
  await wd("POST", s("/execute/async"), { script: PAINT_PULSE, args: [] });
  let png;
  try {
    png = await wd("GET", s("/screenshot"));
  } finally {
    await wd("POST", s("/execute/sync"), { script: "window.__stopPaintPulse?.();", args: [] });
  }
  mkdirSync(artifacts, { recursive: true });
  writeFileSync(join(artifacts, `${name}.png`), Buffer.from(png, "base64"));
}
