// Tables the owner exports: CSV text that spreadsheets open safely, and the date presets of the dashboard.
// Pure: no IPC, no DOM.

export type Cell = string | number | boolean | null | undefined;

/**
 * RFC 4180 CSV. A cell a spreadsheet would run as a formula (starting with =, +, -, @, tab or carriage
 * return) is prefixed with an apostrophe, unless it is a plain number: remote text never becomes a formula.
 */
export function toCsv(header: string[], rows: Cell[][]): string {
  const cell = (v: Cell): string => {
    if (v === null || v === undefined) return "";
    let s = String(v);
    if (/^[=+\-@\t\r]/.test(s) && !(typeof v === "number" || /^-?\d+(\.\d+)?$/.test(s))) s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [header, ...rows].map((r) => r.map(cell).join(",")).join("\r\n") + "\r\n";
}

export function csvBytes(header: string[], rows: Cell[][]): Uint8Array {
  // A byte-order mark so spreadsheet apps read accents as UTF-8.
  return new TextEncoder().encode("\ufeff" + toCsv(header, rows));
}

/** A local calendar day as YYYY-MM-DD. */
export function isoDay(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

export type Preset = "30d" | "90d" | "12m" | "ytd";

/** The first and last day (both included) of a preset period ending today. */
export function presetRange(preset: Preset, today: Date = new Date()): { from: string; to: string } {
  const start = new Date(today);
  if (preset === "30d") start.setDate(start.getDate() - 29);
  else if (preset === "90d") start.setDate(start.getDate() - 89);
  else if (preset === "12m") start.setFullYear(start.getFullYear() - 1, start.getMonth(), start.getDate() + 1);
  else start.setMonth(0, 1);
  return { from: isoDay(start), to: isoDay(today) };
}

/** 0.4321 -> "43.2%"; null -> "–". */
export function percent(v: number | null | undefined): string {
  return v === null || v === undefined ? "–" : `${(v * 100).toFixed(1)}%`;
}

/** Minutes as "45 min", "3.5 h" or "2.1 days"; null -> "–". */
export function duration(minutes: number | null | undefined): string {
  if (minutes === null || minutes === undefined) return "–";
  if (minutes < 90) return `${Math.round(minutes)} min`;
  if (minutes < 48 * 60) return `${(minutes / 60).toFixed(1)} h`;
  return `${(minutes / 1440).toFixed(1)} days`;
}

/** Digits after the decimal point of a currency (2 for USD, 0 for JPY), as the locale data says. */
export function currencyDigits(currency: string): number {
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** Minor units as decimal text: 250 -> "2.50". */
export function fromMinor(minor: number, digits: number): string {
  if (digits === 0) return String(minor);
  const sign = minor < 0 ? "-" : "";
  const abs = Math.abs(minor);
  const scale = 10 ** digits;
  return `${sign}${Math.floor(abs / scale)}.${String(abs % scale).padStart(digits, "0")}`;
}

/** Decimal text as exact minor units ("2.5" -> 250), or null when it is not an amount. */
export function toMinor(text: string, digits: number): number | null {
  const m = text.trim().match(/^(\d*)(?:[.,](\d*))?$/);
  if (!m || (m[1] === "" && (m[2] ?? "") === "")) return null;
  const frac = (m[2] ?? "").replace(/0+$/, "");
  if (frac.length > digits) return null;
  return Number(m[1] || "0") * 10 ** digits + Number(frac.padEnd(digits, "0") || "0");
}
