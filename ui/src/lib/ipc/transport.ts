// How a call reaches the Rust side. In the app, through Tauri's IPC; in a plain browser (the UI tests and
// `earshot-host`), as JSON over HTTP to the same command handlers: `POST /ipc/<command>`, events as
// server-sent events on `/events`. The generated client in ./bindings.ts is the only caller.
import { invoke as tauriInvoke } from "@tauri-apps/api/core";
import { listen as tauriListen } from "@tauri-apps/api/event";
import type { ApiError, ApiErrorCode, CommandName, EventName } from "./bindings";

/** A file the owner picked, sent as the call's raw body. */
export interface FileArg {
  name: string;
  bytes: Uint8Array;
}

export type Unlisten = () => void;

/** An error from the Rust side, with the code the UI can branch on. */
export class IpcError extends Error {
  readonly code: ApiErrorCode;
  constructor(code: ApiErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

const CODES: readonly ApiErrorCode[] = ["not_found", "invalid_input", "storage", "newer_schema", "corrupt", "busy"];

function asIpcError(e: unknown): IpcError {
  if (e instanceof IpcError) return e;
  if (typeof e === "object" && e !== null && "code" in e && "message" in e) {
    const { code, message } = e as ApiError;
    if (CODES.includes(code)) return new IpcError(code, String(message));
  }
  return new IpcError("storage", e instanceof Error ? e.message : String(e));
}

const inApp = typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;

/** Header values are ASCII: names like "Zoë.vcf" and the arguments travel percent-encoded. */
function fileHeaders(args: Record<string, unknown>, file: FileArg): Record<string, string> {
  return { "x-file-name": encodeURIComponent(file.name), "x-args": encodeURIComponent(JSON.stringify(args)) };
}

async function overHttp<T>(command: CommandName, args: Record<string, unknown>, file?: FileArg): Promise<T> {
  const response = await fetch(`/ipc/${command}`, {
    method: "POST",
    headers: file ? { ...fileHeaders(args, file), "content-type": "application/octet-stream" } : { "content-type": "application/json" },
    body: file ? (file.bytes as BodyInit) : JSON.stringify(args),
  });
  const body: unknown = await response.json();
  if (!response.ok) throw asIpcError(body);
  return body as T;
}

export async function invoke<T>(command: CommandName, args: Record<string, unknown>, file?: FileArg): Promise<T> {
  try {
    if (!inApp) return await overHttp<T>(command, args, file);
    if (file) return await tauriInvoke<T>(command, file.bytes, { headers: fileHeaders(args, file) });
    return await tauriInvoke<T>(command, args);
  } catch (e) {
    throw asIpcError(e);
  }
}

let events: EventSource | null = null;

export async function listen<T>(event: EventName, handler: (payload: T) => void): Promise<Unlisten> {
  if (inApp) return tauriListen<T>(event, (e) => handler(e.payload));
  events ??= new EventSource("/events");
  const source = events;
  const onMessage = (m: MessageEvent<string>) => handler(JSON.parse(m.data) as T);
  source.addEventListener(event, onMessage);
  return () => source.removeEventListener(event, onMessage);
}
