import { describe, expect, it } from "vitest";
import { describeError } from "./errors";
import { IpcError } from "./ipc";

describe("describeError", () => {
  it("says what to do when the workspace cannot be written, and keeps the words up longer", () => {
    const d = describeError(new IpcError("storage", "disk I/O error."));
    expect(d.text).toBe("disk I/O error. If it keeps happening, press ? and copy the diagnostics for whoever helps you.");
    expect(d.shownFor).toBeGreaterThan(describeError(new IpcError("invalid_input", "x")).shownFor);
  });

  it("passes a bad input's message through as the Rust side wrote it", () => {
    expect(describeError(new IpcError("invalid_input", "people.csv, line 3: the email is not valid")).text).toBe(
      "people.csv, line 3: the email is not valid",
    );
  });

  it("shows a busy workspace briefly", () => {
    expect(describeError(new IpcError("busy", "Earshot is switching workspaces")).shownFor).toBe(4_000);
  });

  it("reads errors that did not come from the Rust side", () => {
    expect(describeError(new Error("network down")).text).toBe("network down");
  });
});
