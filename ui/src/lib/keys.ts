// Keyboard shortcuts: which action a key press means, given where the focus is. Pure, so it is tested.

export type Action = "focus-search" | "down" | "up" | "open" | "help" | "escape" | "new-contact";

export interface KeyPress {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  /** Tag name of the focused element ("INPUT", "TEXTAREA", "SELECT", "BODY"...). */
  targetTag: string;
  /** The focused element is the contacts search box: arrows and Enter still move in the list. */
  inSearch?: boolean;
}

export const SHORTCUTS: { keys: string; what: string }[] = [
  { keys: "/", what: "Search contacts" },
  { keys: "j or ↓", what: "Next contact" },
  { keys: "k or ↑", what: "Previous contact" },
  { keys: "Enter", what: "Open the selected contact" },
  { keys: "n", what: "New contact" },
  { keys: "Esc", what: "Back, or close this help" },
  { keys: "?", what: "Show these shortcuts" },
];

export function actionFor(e: KeyPress): Action | null {
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  if (e.key === "Escape") return "escape";
  const typing = ["INPUT", "TEXTAREA", "SELECT"].includes(e.targetTag.toUpperCase());
  if (typing) {
    if (!e.inSearch) return null;
    if (e.key === "ArrowDown") return "down";
    if (e.key === "ArrowUp") return "up";
    if (e.key === "Enter") return "open";
    return null;
  }
  switch (e.key) {
    case "/":
      return "focus-search";
    case "j":
    case "ArrowDown":
      return "down";
    case "k":
    case "ArrowUp":
      return "up";
    case "Enter":
      return "open";
    case "?":
      return "help";
    case "n":
      return "new-contact";
    default:
      return null;
  }
}
