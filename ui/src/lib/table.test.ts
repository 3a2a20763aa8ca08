import { describe, expect, it } from "vitest";
import { currencyDigits, duration, fromMinor, percent, presetRange, toCsv, toMinor } from "./table";

describe("toCsv", () => {
  it("quotes commas, quotes and line breaks as RFC 4180 says", () => {
    expect(toCsv(["name", "note"], [["Ann, Lee", 'said "hi"\nthen left']])).toBe('name,note\r\n"Ann, Lee","said ""hi""\nthen left"\r\n');
  });

  it("never lets remote text become a spreadsheet formula, but keeps negative numbers", () => {
    expect(toCsv(["x"], [["=HYPERLINK(\"http://evil\")"], ["@SUM(A1)"], ["-12.5"], [-3]])).toBe(
      "x\r\n\"'=HYPERLINK(\"\"http://evil\"\")\"\r\n'@SUM(A1)\r\n-12.5\r\n-3\r\n",
    );
  });

  it("writes empty cells for missing values", () => {
    expect(toCsv(["a", "b"], [[null, undefined]])).toBe("a,b\r\n,\r\n");
  });
});

describe("periods and figures", () => {
  it("presets end today and include both ends", () => {
    const today = new Date(2026, 10, 25);
    expect(presetRange("30d", today)).toEqual({ from: "2026-10-27", to: "2026-11-25" });
    expect(presetRange("ytd", today)).toEqual({ from: "2026-01-01", to: "2026-11-25" });
    expect(presetRange("12m", today)).toEqual({ from: "2025-11-26", to: "2026-11-25" });
  });

  it("shows rates and waits in words the owner reads at a glance", () => {
    expect(percent(0.4321)).toBe("43.2%");
    expect(percent(null)).toBe("–");
    expect(duration(45)).toBe("45 min");
    expect(duration(210)).toBe("3.5 h");
    expect(duration(3 * 1440)).toBe("3.0 days");
  });
});

describe("amounts typed in settings", () => {
  it("are exact minor units in the currency's digits", () => {
    expect(toMinor("2.5", 2)).toBe(250);
    expect(toMinor("0,05", 2)).toBe(5);
    expect(toMinor("1500", 0)).toBe(1500);
    expect(toMinor("1.005", 2)).toBeNull();
    expect(toMinor("two", 2)).toBeNull();
    expect(fromMinor(250, 2)).toBe("2.50");
    expect(fromMinor(1500, 0)).toBe("1500");
    expect(currencyDigits("JPY")).toBe(0);
  });
});
