// Pure helpers for showing data: dates, money, the contact timeline. No IPC, no DOM.
import type { Activity, ContactDetail, ContactInput, Contact, Mention, Note, Task } from "./ipc/bindings";

const DAY = 24 * 60 * 60 * 1000;

// The locale money, numbers and dates are shown in: the computer's, as the Rust side reads it (a webview left
// on the C locale would format "£ 167552.00" and US dates). Set once the workspace is known.
let displayLocale: string | undefined;

export function setDisplayLocale(tag: string | null | undefined) {
  try {
    displayLocale = tag ? Intl.getCanonicalLocales(tag)[0] : undefined;
  } catch {
    displayLocale = undefined;
  }
}

/** A count in the owner's locale ("12,400"). */
export function formatNumber(n: number): string {
  return n.toLocaleString(displayLocale);
}

/** A time of day in the owner's locale. */
export function formatTime(iso: string): string {
  return new Date(iso).toLocaleTimeString(displayLocale, { hour: "2-digit", minute: "2-digit" });
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleDateString(displayLocale, { day: "numeric", month: "short", year: "numeric" });
}

/** "today", "tomorrow", "in 3 days", "5 days ago", counted in whole calendar days. */
export function relativeDay(iso: string, now: Date = new Date()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const start = (x: Date) => Date.UTC(x.getFullYear(), x.getMonth(), x.getDate());
  const days = Math.round((start(d) - start(now)) / DAY);
  if (days === 0) return "today";
  if (days === 1) return "tomorrow";
  if (days === -1) return "yesterday";
  return days > 0 ? `in ${days} days` : `${-days} days ago`;
}

/** An exact decimal amount from the Rust side shown in the owner's locale ("£1,299.00"). */
export function formatMoney(amount: string | null, currency: string | null): string {
  if (amount === null) return "";
  if (!currency) return amount;
  try {
    return new Intl.NumberFormat(displayLocale, { style: "currency", currency }).format(Number(amount));
  } catch {
    return `${amount} ${currency}`;
  }
}

export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0], words[words.length - 1]] : words;
  return letters.map((w) => Array.from(w)[0]?.toUpperCase() ?? "").join("");
}

export type TimelineEntry =
  | { kind: "note"; at: string; note: Note }
  | { kind: "activity"; at: string; activity: Activity }
  | { kind: "task"; at: string; task: Task }
  | { kind: "mention"; at: string; mention: Mention };

/** Mentions, notes, activities and follow-ups in one list, newest first; open follow-ups sort by due date. */
export function timeline(detail: Pick<ContactDetail, "notes" | "activities" | "tasks"> & { mentions?: Mention[] }): TimelineEntry[] {
  const entries: TimelineEntry[] = [
    ...(detail.mentions ?? []).map((mention) => ({ kind: "mention" as const, at: mention.published_at ?? mention.fetched_at, mention })),
    ...detail.notes.map((note) => ({ kind: "note" as const, at: note.created_at, note })),
    ...detail.activities.map((activity) => ({ kind: "activity" as const, at: activity.occurred_at, activity })),
    ...detail.tasks.map((task) => ({ kind: "task" as const, at: task.done_at ?? task.due_at ?? task.created_at, task })),
  ];
  return entries.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
}

export function emptyContactInput(): ContactInput {
  return {
    given_name: "",
    family_name: "",
    display_name: "",
    organization: null,
    title: null,
    city: null,
    website: null,
    birthday: null,
    emails: [],
    phones: [],
    identities: [],
    tags: [],
  };
}

export function contactToInput(c: Contact): ContactInput {
  return {
    given_name: c.given_name,
    family_name: c.family_name,
    display_name: c.display_name,
    organization: c.organization,
    title: c.title,
    city: c.city,
    website: c.website,
    birthday: c.birthday,
    emails: c.emails.map((e) => ({ ...e })),
    phones: c.phones.map((p) => ({ ...p })),
    identities: c.identities.map((i) => ({ ...i })),
    tags: [...c.tags],
  };
}

/** Blank optional fields become null and empty rows are dropped before the input goes to Rust. */
export function cleanInput(input: ContactInput): ContactInput {
  const opt = (s: string | null) => (s && s.trim() ? s.trim() : null);
  return {
    ...input,
    given_name: input.given_name.trim(),
    family_name: input.family_name.trim(),
    display_name: input.display_name.trim(),
    organization: opt(input.organization),
    title: opt(input.title),
    city: opt(input.city),
    website: opt(input.website),
    birthday: opt(input.birthday),
    emails: input.emails.filter((e) => e.address.trim()).map((e) => ({ address: e.address.trim(), label: opt(e.label) })),
    phones: input.phones.filter((p) => p.number.trim()).map((p) => ({ number: p.number.trim(), label: opt(p.label) })),
    identities: input.identities.filter((i) => i.handle.trim()),
    tags: input.tags.map((t) => t.trim()).filter(Boolean),
  };
}

/** A `<input type="date">` value (local day) as an RFC 3339 timestamp at 09:00 local time. */
export function dayToTimestamp(day: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return null;
  const [y, m, d] = day.split("-").map(Number);
  return new Date(y, m - 1, d, 9, 0, 0).toISOString();
}

export function tomorrow(now: Date = new Date()): string {
  const t = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())}`;
}

/** How a source is doing, in words: "OK", "Checking…", "Rate limited until 14:05", "Failing since 3 Nov"... */
export function sourceStatus(
  s: { status: string; not_before: string | null; failing_since: string | null; paused_reason: string | null },
  checking: boolean,
): string {
  if (checking) return "Checking…";
  switch (s.status) {
    case "ok":
      return "OK";
    case "new":
      return "Not checked yet";
    case "rate_limited":
      return s.not_before ? `Rate limited until ${formatTime(s.not_before)}` : "Rate limited";
    case "failing":
      return s.failing_since ? `Failing since ${formatDate(s.failing_since)}` : "Failing";
    case "paused":
      return "Paused";
    case "demo":
      return "Demo: never checked";
    default:
      return s.status;
  }
}

/** A link's host, for showing where something came from without the whole address. */
export function hostOf(url: string | null): string {
  if (!url) return "";
  try {
    return new URL(url).host.replace(/^www\./, "");
  } catch {
    return "";
  }
}
