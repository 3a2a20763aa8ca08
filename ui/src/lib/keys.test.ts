import { describe, expect, it } from "vitest";
import { actionFor } from "./keys";

describe("keyboard shortcuts", () => {
  it("moves and opens from the list", () => {
    expect(actionFor({ key: "j", targetTag: "BODY" })).toBe("down");
    expect(actionFor({ key: "ArrowUp", targetTag: "DIV" })).toBe("up");
    expect(actionFor({ key: "Enter", targetTag: "BODY" })).toBe("open");
    expect(actionFor({ key: "/", targetTag: "BODY" })).toBe("focus-search");
    expect(actionFor({ key: "?", targetTag: "BODY" })).toBe("help");
  });

  it("lets people type letters into fields", () => {
    expect(actionFor({ key: "j", targetTag: "INPUT" })).toBeNull();
    expect(actionFor({ key: "/", targetTag: "TEXTAREA" })).toBeNull();
    expect(actionFor({ key: "n", targetTag: "INPUT", inSearch: true })).toBeNull();
  });

  it("keeps arrows and Enter working from the search box", () => {
    expect(actionFor({ key: "ArrowDown", targetTag: "INPUT", inSearch: true })).toBe("down");
    expect(actionFor({ key: "Enter", targetTag: "INPUT", inSearch: true })).toBe("open");
  });

  it("leaves browser and system shortcuts alone", () => {
    expect(actionFor({ key: "k", ctrlKey: true, targetTag: "BODY" })).toBeNull();
    expect(actionFor({ key: "Escape", targetTag: "INPUT" })).toBe("escape");
  });
});
