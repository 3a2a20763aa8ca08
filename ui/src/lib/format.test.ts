import { describe, expect, it } from "vitest";
import { cleanInput, dayToTimestamp, emptyContactInput, formatDate, formatMoney, hostOf, initials, relativeDay, setDisplayLocale, sourceStatus, timeline, tomorrow } from "./format";

describe("timeline", () => {
  it("puts notes, activities and follow-ups in one list, newest first", () => {
    const entries = timeline({
      notes: [{ id: 1, body: "old note", created_at: "2026-01-01T00:00:00Z", updated_at: "2026-01-01T00:00:00Z", member: null }],
      activities: [
        { id: 2, kind: "call", summary: "call", occurred_at: "2026-03-01T00:00:00Z", amount: null, cost: null, currency: null },
      ],
      tasks: [
        {
          id: 3,
          contact_id: 9,
          contact_name: "Ann",
          title: "follow up",
          due_at: "2026-02-01T00:00:00Z",
          done_at: null,
          created_at: "2025-12-01T00:00:00Z",
        },
      ],
    });
    expect(entries.map((e) => e.kind)).toEqual(["activity", "task", "note"]);
  });
});

describe("relativeDay", () => {
  const now = new Date(2026, 10, 25, 15, 0);
  it("counts calendar days, not 24-hour spans", () => {
    expect(relativeDay(new Date(2026, 10, 26, 1, 0).toISOString(), now)).toBe("tomorrow");
    expect(relativeDay(new Date(2026, 10, 25, 1, 0).toISOString(), now)).toBe("today");
    expect(relativeDay(new Date(2026, 10, 20).toISOString(), now)).toBe("5 days ago");
    expect(relativeDay(new Date(2026, 10, 28).toISOString(), now)).toBe("in 3 days");
  });
});

describe("contact input", () => {
  it("drops empty rows and turns blank fields into null", () => {
    const input = {
      ...emptyContactInput(),
      display_name: "  Ann ",
      title: "  ",
      emails: [
        { address: " ann@x.example ", label: "" },
        { address: "  ", label: null },
      ],
      tags: [" vip ", ""],
    };
    const clean = cleanInput(input);
    expect(clean.display_name).toBe("Ann");
    expect(clean.title).toBeNull();
    expect(clean.emails).toEqual([{ address: "ann@x.example", label: null }]);
    expect(clean.tags).toEqual(["vip"]);
  });
});

describe("small helpers", () => {
  it("makes initials from the first and last word, accents included", () => {
    expect(initials("Zoë Ann Martin")).toBe("ZM");
    expect(initials("élodie")).toBe("É");
  });
  it("turns a picked day into a morning timestamp and refuses junk", () => {
    expect(dayToTimestamp("2026-11-26")).toBe(new Date(2026, 10, 26, 9).toISOString());
    expect(dayToTimestamp("26/11/2026")).toBeNull();
  });
  it("knows tomorrow across a month end", () => {
    expect(tomorrow(new Date(2026, 10, 30))).toBe("2026-12-01");
  });
});

describe("sourceStatus", () => {
  const base = { status: "ok", not_before: null, failing_since: null, paused_reason: null };
  it("says checking while a check runs, whatever the stored status", () => {
    expect(sourceStatus({ ...base, status: "failing" }, true)).toBe("Checking…");
  });
  it("names each state in words", () => {
    expect(sourceStatus(base, false)).toBe("OK");
    expect(sourceStatus({ ...base, status: "new" }, false)).toBe("Not checked yet");
    expect(sourceStatus({ ...base, status: "paused" }, false)).toBe("Paused");
    expect(sourceStatus({ ...base, status: "demo" }, false)).toBe("Demo: never checked");
    expect(sourceStatus({ ...base, status: "rate_limited", not_before: "2026-11-25T14:05:00Z" }, false)).toMatch(/^Rate limited until /);
    expect(sourceStatus({ ...base, status: "failing", failing_since: "2026-11-03T10:00:00Z" }, false)).toMatch(/^Failing since .*2026/);
  });
});

describe("hostOf", () => {
  it("shows the host without www, and nothing for bad links", () => {
    expect(hostOf("https://www.example.com/a?b")).toBe("example.com");
    expect(hostOf("not a link")).toBe("");
    expect(hostOf(null)).toBe("");
  });
});

describe("the display locale", () => {
  it("groups money and places its symbol as the owner's locale does, whatever the webview's", () => {
    setDisplayLocale("en-GB");
    expect(formatMoney("167552.00", "GBP")).toBe("£167,552.00");
    expect(formatDate("2025-12-05T12:00:00Z")).toBe("5 Dec 2025");
    setDisplayLocale("fr-FR");
    expect(formatMoney("167552.00", "EUR").replace(/\s/g, " ")).toBe("167 552,00 €");
    setDisplayLocale("not a locale!");
    expect(formatMoney("1", "USD")).toMatch(/1/);
    setDisplayLocale(undefined);
  });
});
