import { describe, expect, it } from "vitest";
import { inboxActionFor } from "./inboxKeys";

describe("inbox keys", () => {
  it("files with one keystroke each", () => {
    expect(inboxActionFor({ key: "1", targetTag: "BODY" })).toEqual({ kind: "decide", decision: "lead" });
    expect(inboxActionFor({ key: "2", targetTag: "BODY" })).toEqual({ kind: "decide", decision: "issue" });
    expect(inboxActionFor({ key: "5", targetTag: "BODY" })).toEqual({ kind: "decide", decision: "question" });
    expect(inboxActionFor({ key: "e", targetTag: "BODY" })).toEqual({ kind: "decide", decision: "done" });
    expect(inboxActionFor({ key: "x", targetTag: "BODY" })).toEqual({ kind: "decide", decision: "ignore" });
    expect(inboxActionFor({ key: "s", targetTag: "BODY" })).toEqual({ kind: "decide", decision: "snooze" });
  });

  it("moves, extends the selection, and acts on the author", () => {
    expect(inboxActionFor({ key: "j", targetTag: "BODY" })).toEqual({ kind: "move", by: 1, extend: false });
    expect(inboxActionFor({ key: "K", shiftKey: true, targetTag: "BODY" })).toEqual({ kind: "move", by: -1, extend: true });
    expect(inboxActionFor({ key: "l", targetTag: "BODY" })).toEqual({ kind: "link" });
    expect(inboxActionFor({ key: "c", targetTag: "BODY" })).toEqual({ kind: "create-contact" });
    expect(inboxActionFor({ key: "u", targetTag: "BODY" })).toEqual({ kind: "undo" });
    expect(inboxActionFor({ key: "w", targetTag: "BODY" })).toEqual({ kind: "why" });
    expect(inboxActionFor({ key: "X", shiftKey: true, targetTag: "BODY" })).toEqual({ kind: "hide-author" });
    expect(inboxActionFor({ key: "a", targetTag: "BODY" })).toEqual({ kind: "assign" });
  });

  it("leaves typing alone", () => {
    expect(inboxActionFor({ key: "1", targetTag: "TEXTAREA" })).toBeNull();
    expect(inboxActionFor({ key: "x", targetTag: "INPUT" })).toBeNull();
    expect(inboxActionFor({ key: "e", ctrlKey: true, targetTag: "BODY" })).toBeNull();
  });
});
