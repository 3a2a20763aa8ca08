// The inbox's one-keystroke decisions: which action a key press means. Pure, so it is tested.
import type { Decision } from "./ipc";

export type InboxAction =
  | { kind: "move"; by: 1 | -1; extend: boolean }
  | { kind: "decide"; decision: Decision }
  | { kind: "link" }
  | { kind: "create-contact" }
  | { kind: "reply" }
  | { kind: "open" }
  | { kind: "undo" }
  | { kind: "hide-author" }
  | { kind: "why" }
  | { kind: "assign" }
  | { kind: "search" };

export const INBOX_SHORTCUTS: { keys: string; what: string }[] = [
  { keys: "j / k", what: "Next / previous mention" },
  { keys: "Shift+J / Shift+K", what: "Extend the selection down / up" },
  { keys: "1 2 3 4 5", what: "File as lead, issue, praise, idea, question" },
  { keys: "e", what: "Done" },
  { keys: "x", what: "Ignore (not relevant)" },
  { keys: "Shift+X", what: "Ignore, and hide everything from this author from now on" },
  { keys: "s", what: "Snooze until tomorrow" },
  { keys: "l", what: "Link the author to a contact" },
  { keys: "c", what: "Create a contact from the author" },
  { keys: "r", what: "Reply" },
  { keys: "o", what: "Open the original" },
  { keys: "w", what: "Why: the words that made this a complaint, a lead, praise…" },
  { keys: "a", what: "Assign to a member of the team" },
  { keys: "u", what: "Undo the last decision" },
  { keys: "/", what: "Search mentions" },
];

const DECISIONS: Record<string, Decision> = {
  "1": "lead",
  "2": "issue",
  "3": "praise",
  "4": "idea",
  "5": "question",
  e: "done",
  x: "ignore",
  s: "snooze",
};

export function inboxActionFor(e: {
  key: string;
  shiftKey?: boolean;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  targetTag: string;
}): InboxAction | null {
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  if (["INPUT", "TEXTAREA", "SELECT"].includes(e.targetTag.toUpperCase())) return null;
  switch (e.key) {
    case "j":
    case "ArrowDown":
      return { kind: "move", by: 1, extend: false };
    case "k":
    case "ArrowUp":
      return { kind: "move", by: -1, extend: false };
    case "J":
      return { kind: "move", by: 1, extend: true };
    case "K":
      return { kind: "move", by: -1, extend: true };
    case "l":
      return { kind: "link" };
    case "c":
      return { kind: "create-contact" };
    case "r":
      return { kind: "reply" };
    case "o":
      return { kind: "open" };
    case "u":
      return { kind: "undo" };
    case "w":
      return { kind: "why" };
    case "a":
      return { kind: "assign" };
    case "/":
      return { kind: "search" };
    case "X":
      return { kind: "hide-author" };
  }
  const decision = DECISIONS[e.key];
  return decision && !e.shiftKey ? { kind: "decide", decision } : null;
}
