// What the owner reads when a call fails, by the error's code: the message from the Rust side names the
// input and what to do; some codes add how to go on, and say how long the words stay up.
import { IpcError, type ApiErrorCode } from "./ipc";

export interface Described {
  text: string;
  /** How long the message stays, in milliseconds. */
  shownFor: number;
}

const DIAGNOSTICS = "If it keeps happening, press ? and copy the diagnostics for whoever helps you.";

function byCode(code: ApiErrorCode, message: string): Described {
  switch (code) {
    case "invalid_input":
    case "not_found":
      return { text: message, shownFor: 8_000 };
    case "busy":
      // Short-lived by nature: the workspace is changing hands.
      return { text: message, shownFor: 4_000 };
    case "storage":
    case "corrupt":
      return { text: `${message}. ${DIAGNOSTICS}`, shownFor: 15_000 };
    case "newer_schema":
      return { text: message, shownFor: 15_000 };
    default: {
      const unknown: never = code;
      return { text: `${message} (${String(unknown)})`, shownFor: 8_000 };
    }
  }
}

export function describeError(error: unknown): Described {
  if (error instanceof IpcError) return byCode(error.code, error.message.replace(/\.$/, ""));
  return { text: error instanceof Error ? error.message : String(error), shownFor: 8_000 };
}
