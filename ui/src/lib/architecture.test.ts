// Rules of the UI's shape that a reviewer would otherwise have to remember.
import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const SRC = fileURLToPath(new URL("..", import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name: string) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|svelte|js)$/.test(name) ? [path] : [];
  });
}

describe("UI architecture", () => {
  it("imports @tauri-apps only from src/lib/ipc", () => {
    const offenders = sources(SRC)
      .filter((file) => !relative(SRC, file).startsWith(join("lib", "ipc")))
      .filter((file) => !file.endsWith("architecture.test.ts"))
      .filter((file) => /from\s+["']@tauri-apps\//.test(readFileSync(file, "utf8")));
    expect(offenders.map((f) => relative(SRC, f))).toEqual([]);
  });

  it("never renders HTML from strings (remote text is shown as text)", () => {
    const offenders = sources(SRC)
      .filter((file) => !file.endsWith("architecture.test.ts"))
      .filter((file) => /\{@html|innerHTML|outerHTML|insertAdjacentHTML/.test(readFileSync(file, "utf8")));
    expect(offenders.map((f) => relative(SRC, f))).toEqual([]);
  });

  it("has no inline style attributes, which the content security policy blocks", () => {
    const offenders = sources(SRC)
      .filter((file) => file.endsWith(".svelte"))
      .filter((file) => /\sstyle="/.test(readFileSync(file, "utf8")));
    expect(offenders.map((f) => relative(SRC, f))).toEqual([]);
  });
});
