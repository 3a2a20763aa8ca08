// Generated from the Rust types by crates/app/src/bindings.rs. Do not edit: regenerate with
// EARSHOT_UPDATE_BINDINGS=1 cargo test -p earshot-app bindings

export type ApiErrorCode = "not_found" | "invalid_input" | "storage" | "newer_schema" | "corrupt";

export type ApiError = { code: ApiErrorCode, message: string, };

export type WorkspaceInfo = { path: string, contacts: number, 
/**
 * "demo" or "empty"; `null` until the owner has chosen on first launch.
 */
kind: string | null, business_name: string | null, currency: string, 
/**
 * The last session did not close cleanly; the database was checked and is fine.
 */
recovered_from_unclean_shutdown: boolean, };

export type WorkspaceStart = "demo" | "empty";

export type Email = { address: string, label: string | null, };

export type Phone = { number: string, label: string | null, };

export type Identity = { network: string, handle: string, profile_url: string | null, follower_count: number | null, };

export type ContactInput = { given_name: string, family_name: string, display_name: string, organization: string | null, title: string | null, city: string | null, website: string | null, birthday: string | null, emails: Array<Email>, phones: Array<Phone>, identities: Array<Identity>, tags: Array<string>, };

export type ContactSummary = { id: number, display_name: string, organization: string | null, title: string | null, email: string | null, phone: string | null, tags: Array<string>, };

export type Contact = { id: number, given_name: string, family_name: string, display_name: string, organization: string | null, title: string | null, city: string | null, website: string | null, birthday: string | null, 
/**
 * A `data:image/...;base64,` URL, built here from a checked image type.
 */
photo: string | null, emails: Array<Email>, phones: Array<Phone>, identities: Array<Identity>, tags: Array<string>, keep_in_touch_days: number | null, last_touch_at: string | null, next_touch_due: string | null, created_at: string, updated_at: string, deleted_at: string | null, merged_into_id: number | null, };

export type ContactPage = { total: number, offset: number, rows: Array<ContactSummary>, };

export type Reconnect = { contact: ContactSummary, keep_in_touch_days: number, last_touch_at: string | null, due_at: string, days_overdue: number, };

export type ContactDetail = { contact: Contact, notes: Array<Note>, activities: Array<Activity>, tasks: Array<Task>, 
/**
 * What they said that Earshot heard, newest first.
 */
mentions: Array<Mention>, };

export type ContactRecord = { id: number, name: string, given_name: string, family_name: string, organization: string | null, title: string | null, emails: Array<Email>, phones: Array<Phone>, identities: Array<Identity>, tags: Array<string>, city: string | null, website: string | null, birthday: string | null, keep_in_touch_days: number | null, last_touch_at: string | null, created_at: string, updated_at: string, };

export type TaskInput = { title: string, 
/**
 * RFC 3339; a follow-up without a date is allowed.
 */
due_at: string | null, };

export type TagCount = { name: string, contacts: number, };

export type Note = { id: number, body: string, created_at: string, updated_at: string, };

export type Activity = { id: number, kind: string, summary: string, occurred_at: string, 
/**
 * Decimal text, exact ("1299.00").
 */
amount: string | null, cost: string | null, currency: string | null, };

export type ActivityInput = { 
/**
 * call, email, meeting, visit, social, service or purchase
 */
kind: string, summary: string, 
/**
 * RFC 3339; now when absent.
 */
occurred_at: string | null, 
/**
 * A decimal amount as typed ("12.50"), in `currency`.
 */
amount: string | null, cost: string | null, currency: string | null, };

export type Task = { id: number, contact_id: number, contact_name: string, title: string, due_at: string | null, done_at: string | null, created_at: string, };

export type ImportFormat = "vcard" | "google" | "linkedin" | "outlook" | "csv";

export type Field = "ignore" | "full_name" | "given_name" | "middle_name" | "family_name" | "organization" | "title" | "email" | "phone" | "city" | "website" | "social_profile" | "tags" | "note" | "birthday";

export type ColumnRule = { field: Field, label: string | null, };

export type Mapping = { 
/**
 * 1-based line of the header row (LinkedIn puts notes above it).
 */
header_line: number, columns: Array<ColumnRule>, };

export type Preview = { format: ImportFormat, headers: Array<string>, sample_rows: Array<Array<string>>, mapping: Mapping, };

export type ImportPreview = { file_name: string, format: ImportFormat, 
/**
 * For CSV files: the header, sample rows and the column mapping that will be used.
 */
table: Preview | null, 
/**
 * For vCard files: how many cards were found.
 */
cards: number | null, };

export type ImportOptions = { 
/**
 * Forces a format instead of detecting it.
 */
format: ImportFormat | null, 
/**
 * For CSV files: the column mapping the owner confirmed (detected when absent).
 */
mapping: Mapping | null, };

export type ImportProgress = { done: number, total: number, };

export type ImportProblem = { line: number, 
/**
 * "error": the record was not imported; "warning": it was, without the value named.
 */
severity: string, reason: string, };

export type ImportSummary = { id: number, file_name: string, format: string, started_at: string, finished_at: string | null, added: number, merged: number, unchanged: number, rejected: number, warnings: number, 
/**
 * The first problems, by line (at most 1,000).
 */
problems: Array<ImportProblem>, undone_at: string | null, };

export type EvidenceItem = { 
/**
 * same_email, same_phone, same_handle or similar_name_same_organization
 */
kind: string, value: string, };

export type MergeSuggestion = { keep: ContactSummary, merge: ContactSummary, evidence: Array<EvidenceItem>, confidence: number, };

export type ExportFormat = "vcard" | "csv" | "json";

export type ListeningQuery = { id: number, kind: string, query: string, created_at: string, 
/**
 * Mentions this query matched.
 */
mentions: number, };

export type QueryPreview = { understood_as: string, matching: number, examples: Array<PreviewItem>, };

export type PreviewItem = { mention_id: number, title: string | null, text: string, };

export type Source = { id: number, kind: string, name: string, url: string, 
/**
 * What the kind needs beyond the URL, as JSON (a hashtag, a handle, a search).
 */
config: string, 
/**
 * `new`, `ok`, `failing`, `rate_limited` or `paused`.
 */
status: string, paused_reason: string | null, next_check_at: string | null, 
/**
 * Not checked before this time (a server asked to wait).
 */
not_before: string | null, last_checked_at: string | null, last_success_at: string | null, last_error: string | null, failing_since: string | null, failures: number, parse_failures: number, 
/**
 * Items fetched from this source, matching or not.
 */
items_seen: number, 
/**
 * Items from this source that matched a query (or were addressed to the owner).
 */
mentions: number, 
/**
 * Something the owner should know about this source that is not a failure (e.g. an instance without
 * full-text search).
 */
notice: string | null, };

export type MatchedQuery = { id: number, kind: string, query: string, };

export type Mention = { id: number, source_id: number, source_kind: string, source_name: string, external_id: string, url: string | null, author_name: string | null, author_handle: string | null, author_url: string | null, author_followers: number | null, title: string | null, text: string, published_at: string | null, fetched_at: string, likes: number | null, reposts: number | null, replies: number | null, state: string, 
/**
 * What a filed mention was filed as: lead, issue, praise, idea, question.
 */
filed_as: string | null, snoozed_until: string | null, 
/**
 * Compound sentiment in [-1, 1] and its label.
 */
sentiment: number, sentiment_label: string, intents: Array<string>, lang: string, urgency: number, priority: number, 
/**
 * Probability, learned from the owner's decisions, that items like this are not relevant.
 */
irrelevance: number, contact_id: number | null, contact_name: string | null, queries: Array<MatchedQuery>, };

export type SecretsStatus = { 
/**
 * `keychain`, `session` (until logout) or `process` (while Earshot runs).
 */
persistence: string, 
/**
 * Why the OS keychain is not used, when it is not.
 */
problem: string | null, };

export type SourceResult = { source_id: number, name: string, 
/**
 * `new_items`, `unchanged`, `failed`, `rate_limited` or `paused`.
 */
result: string, new_items: number, new_mentions: number, error: string | null, };

export type OutboxRun = { sent: number, 
/**
 * Put back in the queue for later (offline, server trouble, rate limit).
 */
waiting: number, 
/**
 * Need the owner (sign in again, edit the reply).
 */
failed: number, };

export type EngineEvent = { "kind": "checking", source_id: number, name: string, } | { "kind": "checked" } & SourceResult | { "kind": "round", checked: number, new_mentions: number, offline: boolean, } | { "kind": "outbox" } & OutboxRun;

export type Decision = "lead" | "issue" | "praise" | "idea" | "question" | "done" | "ignore" | "snooze";

export type Prediction = { label: string, 
/**
 * Probability of `label` given the text, in [0, 1].
 */
confidence: number, };

export type InboxFilter = { 
/**
 * open (default), filed, done, ignored, snoozed or all.
 */
state: string | null, filed_as: string | null, source_id: number | null, 
/**
 * brand, competitor or industry.
 */
query_kind: string | null, query_id: number | null, 
/**
 * positive, neutral or negative.
 */
sentiment: string | null, intent: string | null, lang: string | null, contact_id: number | null, 
/**
 * Words to find in the text, title or author.
 */
search: string | null, 
/**
 * priority (default) or newest.
 */
sort: string | null, limit: number | null, offset: number | null, };

export type InboxItem = { 
/**
 * What the owner's past decisions say this is, and how sure that is.
 */
learned: Prediction | null, id: number, source_id: number, source_kind: string, source_name: string, external_id: string, url: string | null, author_name: string | null, author_handle: string | null, author_url: string | null, author_followers: number | null, title: string | null, text: string, published_at: string | null, fetched_at: string, likes: number | null, reposts: number | null, replies: number | null, state: string, 
/**
 * What a filed mention was filed as: lead, issue, praise, idea, question.
 */
filed_as: string | null, snoozed_until: string | null, 
/**
 * Compound sentiment in [-1, 1] and its label.
 */
sentiment: number, sentiment_label: string, intents: Array<string>, lang: string, urgency: number, priority: number, 
/**
 * Probability, learned from the owner's decisions, that items like this are not relevant.
 */
irrelevance: number, contact_id: number | null, contact_name: string | null, queries: Array<MatchedQuery>, };

export type InboxPage = { items: Array<InboxItem>, open: number, urgent: number, 
/**
 * How many decisions the learning has seen.
 */
learned_from: number, };

export type TriageInput = { ids: number[], decision: Decision | null, 
/**
 * When a lead's follow-up is due (default tomorrow).
 */
due_at: string | null, 
/**
 * When a snooze ends (default tomorrow).
 */
until: string | null, };

export type Decided = { mention_id: number, state: string, filed_as: string | null, contact_id: number | null, task_id: number | null, case_id: number | null, idea_id: number | null, };

export type TriageResult = { batch: number, decided: Array<Decided>, };

export type Undone = { batch: number, action: string, mention_ids: number[], 
/**
 * Replies that had already gone out and so could not be taken back.
 */
replies_already_sent: number[], };

export type Rule = { id: number, field: string, value: string, action: string, tag: string | null, created_at: string, };

export type RuleInput = { field: string, value: string, action: string, tag: string | null, };

export type HideLikeInput = { mention_id: number, 
/**
 * author, or keyword with `phrase`.
 */
field: string, phrase: string | null, };

export type OutboxItem = { id: number, mention_id: number | null, source_id: number, network: string, text: string, state: string, attempts: number, next_attempt_at: string, last_error: string | null, remote_id: string | null, remote_url: string | null, created_at: string, sent_at: string | null, 
/**
 * Who is being answered.
 */
to: string | null, };

export type Alerts = { notify: boolean, badge: boolean, };

export type Person = { 
/**
 * Where they were heard: the source kind (mastodon, bluesky, hn, feed, manual).
 */
network: string, name: string | null, handle: string | null, profile_url: string | null, followers: number | null, mentions: number, 
/**
 * Mean compound sentiment of what they said.
 */
sentiment: number, last_heard_at: string, 
/**
 * Their latest mention: what promoting them makes the contact from.
 */
latest_mention_id: number, };

export type Suggestion = { contact_id: number, name: string, 
/**
 * 0 to 1: independent pieces of evidence combined as 1 - (1 - a)(1 - b)...
 */
confidence: number, evidence: Array<string>, };
