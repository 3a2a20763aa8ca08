// Short messages at the bottom of the window, with an Undo button when the action can be undone.
import { describeError } from "./errors";

export interface Toast {
  id: number;
  text: string;
  tone: "info" | "error";
  undo?: () => Promise<void> | void;
}

let next = 1;
export const toasts = $state<Toast[]>([]);
/** More than this and the oldest go: a run of quick decisions must not bury the screen. */
const MAX_SHOWN = 3;

function show(toast: Toast): void {
  toasts.push(toast);
  while (toasts.length > MAX_SHOWN) toasts.shift();
}

export function dismiss(id: number): void {
  const idx = toasts.findIndex((t) => t.id === id);
  if (idx >= 0) toasts.splice(idx, 1);
}

export function notify(text: string, undo?: Toast["undo"]): void {
  const id = next++;
  show({ id, text, tone: "info", undo });
  setTimeout(() => dismiss(id), undo ? 10_000 : 4_000);
}

export function fail(error: unknown): void {
  const id = next++;
  const { text, shownFor } = describeError(error);
  show({ id, text, tone: "error" });
  setTimeout(() => dismiss(id), shownFor);
}
