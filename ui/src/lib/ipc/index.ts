// The only module that talks to the Rust side. Everything else imports from here, never from @tauri-apps.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type {
  ActivityInput,
  BusinessProfile,
  DemoReplaced,
  StartChoice,
  StartDone,
  StartProposal,
  Alerts,
  ApiError,
  ApiErrorCode,
  Contact,
  ContactDetail,
  ContactInput,
  ContactPage,
  ContactSummary,
  Diagnostics,
  EngineEvent,
  ExportFormat,
  Explanation,
  ImportOptions,
  ImportPreview,
  ImportProgress,
  ImportSummary,
  HideLikeInput,
  InboxFilter,
  InboxPage,
  ListeningQuery,
  Mention,
  MergeSuggestion,
  OutboxItem,
  Person,
  QueryPreview,
  Reconnect,
  Rule,
  RuleInput,
  Suggestion,
  SecretsStatus,
  Source,
  TagCount,
  Task,
  TaskInput,
  TriageInput,
  TriageResult,
  Undone,
  WorkspaceInfo,
  WorkspaceStart,
  ContactBrief,
  Dashboard,
  NpsImported,
  NpsInput,
  Order,
  OrdersImportOptions,
  OrdersImported,
  OrdersPreview,
  SegmentMember,
  Today,
  ValueConfig,
  WaitingBuyer,
} from "./bindings";

export type * from "./bindings";

/** An error from the Rust side, with the code the UI can branch on. */
export class IpcError extends Error {
  readonly code: ApiErrorCode;
  constructor(code: ApiErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

function isApiError(e: unknown): e is ApiError {
  return typeof e === "object" && e !== null && "code" in e && "message" in e;
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    if (isApiError(e)) throw new IpcError(e.code, e.message);
    throw new IpcError("storage", String(e));
  }
}

/** Header values must be ASCII: names like "Zoë.vcf" travel percent-encoded. */
function headerValue(value: string): string {
  return encodeURIComponent(value);
}

async function callWithFile<T>(command: string, file: { name: string; bytes: Uint8Array }, options?: ImportOptions | OrdersImportOptions): Promise<T> {
  const headers: Record<string, string> = { "x-file-name": headerValue(file.name) };
  if (options) headers["x-import-options"] = headerValue(JSON.stringify(options));
  try {
    return await invoke<T>(command, file.bytes, { headers });
  } catch (e) {
    if (isApiError(e)) throw new IpcError(e.code, e.message);
    throw new IpcError("storage", String(e));
  }
}

export interface PickedFile {
  name: string;
  bytes: Uint8Array;
}

export const api = {
  workspaceInfo: () => call<WorkspaceInfo>("workspace_info"),
  workspaceStart: (start: WorkspaceStart) => call<WorkspaceInfo>("workspace_start", { start }),
  workspaceReplaceDemo: (keep: boolean) => call<DemoReplaced>("workspace_replace_demo", { keep }),
  guidedStartPropose: (profile: BusinessProfile) => call<StartProposal>("guided_start_propose", { profile }),
  guidedStartApply: (choice: StartChoice) => call<StartDone>("guided_start_apply", { choice }),
  guidedStartSkip: () => call<void>("guided_start_skip"),

  contactsPage: (offset: number, limit: number, tag: string | null) =>
    call<ContactPage>("contacts_page", { offset, limit, tag }),
  contactsSearch: (query: string, limit = 50) => call<ContactSummary[]>("contacts_search", { query, limit }),
  contactGet: (id: number) => call<ContactDetail>("contact_get", { id }),
  contactPhoto: (id: number) => call<string | null>("contact_photo", { id }),
  contactCreate: (input: ContactInput) => call<Contact>("contact_create", { input }),
  contactUpdate: (id: number, input: ContactInput) => call<Contact>("contact_update", { id, input }),
  contactDelete: (id: number) => call<void>("contact_delete", { id }),
  contactRestore: (id: number) => call<Contact>("contact_restore", { id }),
  contactTag: (id: number, tag: string, on: boolean) => call<string[]>("contact_tag", { id, tag, on }),
  tagsList: () => call<TagCount[]>("tags_list"),

  noteAdd: (contactId: number, body: string) => call<number>("note_add", { contactId, body }),
  noteEdit: (id: number, body: string) => call<void>("note_edit", { id, body }),
  noteDelete: (id: number, deleted: boolean) => call<void>("note_delete", { id, deleted }),
  activityLog: (contactId: number, input: ActivityInput) => call<number>("activity_log", { contactId, input }),
  activityDelete: (id: number, deleted: boolean) => call<void>("activity_delete", { id, deleted }),
  taskAdd: (contactId: number, input: TaskInput) => call<number>("task_add", { contactId, input }),
  taskDone: (id: number, done: boolean) => call<void>("task_done", { id, done }),
  taskDelete: (id: number, deleted: boolean) => call<void>("task_delete", { id, deleted }),
  tasksOpen: () => call<Task[]>("tasks_open"),
  keepInTouchSet: (contactId: number, days: number | null) => call<Contact>("keep_in_touch_set", { contactId, days }),
  reconnectList: () => call<Reconnect[]>("reconnect_list"),

  importPreview: (file: PickedFile) => callWithFile<ImportPreview>("import_preview", file),
  importRun: (file: PickedFile, options: ImportOptions) => callWithFile<ImportSummary>("import_run", file, options),
  importUndo: (id: number) => call<ImportSummary>("import_undo", { id }),
  importsList: () => call<ImportSummary[]>("imports_list"),

  mergeSuggestions: () => call<MergeSuggestion[]>("merge_suggestions"),
  contactMerge: (keep: number, merge: number) => call<number>("contact_merge", { keep, merge }),
  mergeUndo: (id: number) => call<void>("merge_undo", { id }),
  mergeDismiss: (a: number, b: number) => call<void>("merge_dismiss", { a, b }),

  exportSave: (format: ExportFormat) => call<string | null>("export_save", { format }),

  secretsStatus: () => call<SecretsStatus>("secrets_status"),
  diagnosticsGet: () => call<Diagnostics>("diagnostics_get"),
  queriesList: () => call<ListeningQuery[]>("queries_list"),
  ownHandlesList: () => call<string[]>("own_handles_list"),
  ownHandlesSet: (handles: string[]) => call<string[]>("own_handles_set", { handles }),
  queryAdd: (kind: string, query: string) => call<ListeningQuery>("query_add", { kind, query }),
  queryRemove: (id: number) => call<void>("query_remove", { id }),
  queryPreview: (query: string) => call<QueryPreview>("query_preview", { query }),
  sourcesList: () => call<Source[]>("sources_list"),
  sourceAddFeed: (url: string) => call<Source>("source_add_feed", { url }),
  sourceAddHn: (query: string) => call<Source>("source_add_hn", { query }),
  sourceAddMastodonHashtag: (instance: string, hashtag: string) =>
    call<Source>("source_add_mastodon_hashtag", { instance, hashtag }),
  sourceAddMastodonAccount: (instance: string) => call<Source>("source_add_mastodon_account", { instance }),
  sourceAddBluesky: (handle: string, appPassword: string) =>
    call<Source>("source_add_bluesky", { handle, appPassword }),
  sourceRemove: (id: number) => call<void>("source_remove", { id }),
  sourceCheckNow: (id: number) => call<void>("source_check_now", { id }),
  mentionsList: (limit = 200) => call<Mention[]>("mentions_list", { limit }),
  mentionCapture: (url: string, text: string, author: string | null, network: string | null) =>
    call<Mention>("mention_capture", { url, text, author, network }),
  urlOpen: (url: string) => call<void>("url_open", { url }),

  mentionsInbox: (filter: InboxFilter) => call<InboxPage>("mentions_inbox", { filter }),
  mentionTriage: (input: TriageInput) => call<TriageResult>("mention_triage", { input }),
  mentionUndo: () => call<Undone | null>("mention_undo"),
  mentionLink: (id: number, contactId: number) => call<void>("mention_link", { id, contactId }),
  mentionCreateContact: (id: number) => call<number>("mention_create_contact", { id }),
  mentionReply: (id: number, text: string) => call<OutboxItem>("mention_reply", { id, text }),
  mentionMarkReplied: (id: number) => call<void>("mention_mark_replied", { id }),
  mentionHideLike: (input: HideLikeInput) => call<Rule>("mention_hide_like", { input }),
  rulesList: () => call<Rule[]>("rules_list"),
  ruleAdd: (input: RuleInput) => call<Rule>("rule_add", { input }),
  ruleRemove: (id: number) => call<void>("rule_remove", { id }),
  outboxList: () => call<OutboxItem[]>("outbox_list"),
  outboxRetry: (id: number) => call<OutboxItem>("outbox_retry", { id }),
  peopleList: () => call<Person[]>("people_list"),
  mentionSuggestContacts: (id: number) => call<Suggestion[]>("mention_suggest_contacts", { id }),
  mentionExplain: (id: number) => call<Explanation>("mention_explain", { id }),
  alertsGet: () => call<Alerts>("alerts_get"),
  alertsSet: (alerts: Alerts) => call<Alerts>("alerts_set", { alerts }),

  ordersPreview: (file: PickedFile) => callWithFile<OrdersPreview>("orders_preview", file),
  ordersImport: (file: PickedFile, options: OrdersImportOptions) => callWithFile<OrdersImported>("orders_import", file, options),
  npsImport: (file: PickedFile) => callWithFile<NpsImported>("nps_import", file),
  npsRecord: (contactId: number, input: NpsInput) => call<number>("nps_record", { contactId, input }),
  ordersWaiting: () => call<WaitingBuyer[]>("orders_waiting"),
  orderAssign: (orderId: number, contactId: number | null) => call<number>("order_assign", { orderId, contactId }),
  orderDismiss: (orderId: number) => call<number>("order_dismiss", { orderId }),
  contactOrders: (contactId: number) => call<Order[]>("contact_orders", { contactId }),
  metricsGet: (from: string | null, to: string | null) => call<Dashboard>("metrics_get", { from, to }),
  todayGet: () => call<Today>("today_get"),
  contactBrief: (id: number) => call<ContactBrief>("contact_brief", { id }),
  caseClose: (id: number, closed: boolean) => call<void>("case_close", { id, closed }),
  segmentMembers: (segment: string) => call<SegmentMember[]>("segment_members", { segment }),
  valueConfigGet: () => call<ValueConfig>("value_config_get"),
  valueConfigSet: (config: ValueConfig) => call<ValueConfig>("value_config_set", { config }),
  /** Saves an exported table (.csv) or chart (.png) where the owner chooses; null when they cancel. */
  fileSave: (name: string, bytes: Uint8Array) => callWithFile<string | null>("file_save", { name, bytes }),
};

/** Import progress, as the Rust side reports it between chunks. */
export function onImportProgress(handler: (p: ImportProgress) => void): Promise<UnlistenFn> {
  return listen<ImportProgress>("import-progress", (event) => handler(event.payload));
}

/** Live listening status: a source being checked, its result, the end of a round. */
export function onListening(handler: (e: EngineEvent) => void): Promise<UnlistenFn> {
  return listen<EngineEvent>("listening", (event) => handler(event.payload));
}
