// Generated from the command and type declarations by crates/app/src/registry. Do not edit: regenerate
// with EARSHOT_UPDATE_BINDINGS=1 cargo test -p earshot-app generated

import { invoke, listen, type FileArg, type Unlisten } from "./transport";

export type ApiErrorCode = "not_found" | "invalid_input" | "storage" | "newer_schema" | "corrupt" | "busy";

export type ApiError = { code: ApiErrorCode, message: string, };

export type SourceKind = "feed" | "mastodon" | "bluesky" | "hn" | "manual";

export type MentionState = "new" | "filed" | "done" | "ignored" | "snoozed";

export type QueryKind = "brand" | "competitor" | "industry";

export type ActivityKind = "call" | "email" | "meeting" | "visit" | "social" | "service" | "purchase";

export type SourceStatus = "new" | "ok" | "failing" | "rate_limited" | "paused" | "demo";

export type OutboxState = "queued" | "sending" | "sent" | "failed" | "cancelled";

export type Sentiment = "positive" | "neutral" | "negative";

export type Persistence = "keychain" | "session" | "process";

export type WorkspaceInfo = { path: string, contacts: number, 
/**
 * "demo" or "empty"; `null` until the owner has chosen on first launch.
 */
kind: string | null, business_name: string | null, currency: string, 
/**
 * The BCP 47 locale money, numbers and dates are shown in ([`display_locale`]).
 */
locale: string, 
/**
 * The last session did not close cleanly; the database was checked and is fine.
 */
recovered_from_unclean_shutdown: boolean, 
/**
 * An empty workspace not yet through the guided start ([`crate::guided_start::pending`]).
 */
guided_start: boolean, };

export type WorkspaceStart = "demo" | "empty";

export type DemoReplaced = { workspace: WorkspaceInfo, 
/**
 * Where the demo was kept, or `null` when the owner chose to delete it.
 */
demo_kept_at: string | null, };

export type BusinessProfile = { name: string, website: string, 
/**
 * The business's own handles and profile addresses, one per item (`@shop@mastodon.social`,
 * `shop.bsky.social`, `https://instagram.com/shop`).
 */
handles: Array<string>, competitors: Array<string>, 
/**
 * The industry's words or phrases, separated by commas or new lines (`e-bikes, bike repair`).
 */
industry: string, };

export type MastodonHashtag = { instance: string, hashtag: string, };

export type StartProposal = { 
/**
 * The brand query: the name as written and as people type it, the website's name, the handles.
 */
brand_query: string | null, 
/**
 * One query per named competitor.
 */
competitor_queries: Array<string>, industry_query: string | null, 
/**
 * The handles as the owner's own: their posts are the shop's activity, never mentions.
 */
own_handles: Array<string>, 
/**
 * What to type into Google Alerts (it makes the feed whose address the owner pastes back).
 */
google_alerts_search: string | null, 
/**
 * Reddit's search of the name, newest first, as a feed.
 */
reddit_feed: string | null, hacker_news_query: string | null, mastodon: MastodonHashtag | null, 
/**
 * The owner's Bluesky handle when one was given (Bluesky search needs the owner signed in).
 */
bluesky_handle: string | null, };

export type StartChoice = { business_name: string, own_handles: Array<string>, brand_query: string, competitor_queries: Array<string>, industry_query: string, 
/**
 * The Google Alerts feed address the owner pasted (blank when they made none).
 */
google_alerts_feed: string, reddit_feed: string | null, hacker_news_query: string | null, mastodon: MastodonHashtag | null, };

export type StartDone = { queries: number, sources: number, };

export type Email = { address: string, label: string | null, };

export type Phone = { number: string, label: string | null, };

export type Identity = { network: string, handle: string, profile_url: string | null, follower_count: number | null, };

export type ContactInput = { given_name: string, family_name: string, display_name: string, organization: string | null, title: string | null, city: string | null, website: string | null, birthday: string | null, emails: Array<Email>, phones: Array<Phone>, identities: Array<Identity>, tags: Array<string>, };

export type ContactSummary = { id: number, display_name: string, organization: string | null, title: string | null, email: string | null, phone: string | null, tags: Array<string>, };

export type Contact = { id: number, given_name: string, family_name: string, display_name: string, organization: string | null, title: string | null, city: string | null, website: string | null, birthday: string | null, 
/**
 * Whether the contact has a photo; the picture itself comes from [`photo_url`], so a contact record
 * stays small however large its photo is.
 */
has_photo: boolean, emails: Array<Email>, phones: Array<Phone>, identities: Array<Identity>, tags: Array<string>, keep_in_touch_days: number | null, last_touch_at: string | null, next_touch_due: string | null, created_at: string, updated_at: string, deleted_at: string | null, merged_into_id: number | null, };

export type ContactPage = { total: number, offset: number, rows: Array<ContactSummary>, };

export type Reconnect = { contact: ContactSummary, keep_in_touch_days: number, last_touch_at: string | null, due_at: string, days_overdue: number, };

export type ContactDetail = { contact: Contact, notes: Array<Note>, activities: Array<Activity>, tasks: Array<Task>, 
/**
 * What they said that Earshot heard, newest first.
 */
mentions: Array<Mention>, };

export type ContactRecord = { id: number, name: string, given_name: string, family_name: string, organization: string | null, title: string | null, emails: Array<Email>, phones: Array<Phone>, identities: Array<Identity>, tags: Array<string>, city: string | null, website: string | null, birthday: string | null, keep_in_touch_days: number | null, last_touch_at: string | null, created_at: string, updated_at: string, 
/**
 * Lifetime value in the workspace currency (margin on net revenue - service cost + forward estimate);
 * null until values have been computed.
 */
lifetime_value: number | null, 
/**
 * Lifetime influence, 0-100 percentile within the workspace.
 */
lifetime_influence: number | null, 
/**
 * Lifetime activity: recency-weighted contributions.
 */
lifetime_activity: number | null, 
/**
 * champion, big_spender, voice or everyone.
 */
segment: string | null, };

export type TaskInput = { title: string, 
/**
 * RFC 3339; a follow-up without a date is allowed.
 */
due_at: string | null, };

export type TagCount = { name: string, contacts: number, };

export type Note = { id: number, body: string, created_at: string, updated_at: string, 
/**
 * The team member who wrote it, when the workspace is shared.
 */
member: string | null, };

export type Activity = { id: number, kind: ActivityKind, summary: string, occurred_at: string, 
/**
 * Decimal text, exact ("1299.00").
 */
amount: string | null, cost: string | null, currency: string | null, };

export type ActivityInput = { kind: ActivityKind, summary: string, 
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

export type ListeningQuery = { id: number, kind: QueryKind, query: string, created_at: string, 
/**
 * Mentions this query matched.
 */
mentions: number, };

export type QueryPreview = { understood_as: string, matching: number, examples: Array<PreviewItem>, };

export type PreviewItem = { mention_id: number, title: string | null, text: string, };

export type Source = { id: number, kind: SourceKind, name: string, url: string, 
/**
 * What the kind needs beyond the URL, as JSON (a hashtag, a handle, a search).
 */
config: string, 
/**
 * `new`, `ok`, `failing`, `rate_limited`, `paused`, or `demo` (a demo source, never fetched).
 */
status: SourceStatus, paused_reason: string | null, next_check_at: string | null, 
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
notice: string | null, 
/**
 * A source of the demo workspace: shown, never fetched.
 */
demo: boolean, };

export type MatchedQuery = { id: number, kind: QueryKind, query: string, };

export type Mention = { id: number, source_id: number, source_kind: SourceKind, source_name: string, external_id: string, url: string | null, author_name: string | null, author_handle: string | null, author_url: string | null, author_followers: number | null, title: string | null, text: string, published_at: string | null, fetched_at: string, likes: number | null, reposts: number | null, replies: number | null, state: MentionState, 
/**
 * What a filed mention was filed as: lead, issue, praise, idea, question.
 */
filed_as: string | null, snoozed_until: string | null, 
/**
 * Compound sentiment in [-1, 1] and its label.
 */
sentiment: number, sentiment_label: Sentiment, intents: Array<Intent>, lang: string, urgency: number, priority: number, 
/**
 * Probability, learned from the owner's decisions, that items like this are not relevant.
 */
irrelevance: number, contact_id: number | null, contact_name: string | null, 
/**
 * The member of the team it is assigned to.
 */
assignee: string | null, 
/**
 * The member of the team who made the latest decision on it (filed, answered, linked...).
 */
decided_by: string | null, queries: Array<MatchedQuery>, };

export type SecretsStatus = { persistence: Persistence, 
/**
 * Why the OS keychain is not used, when it is not.
 */
problem: string | null, };

export type Diagnostics = { 
/**
 * The whole report, as plain text to paste into an email.
 */
text: string, 
/**
 * Where the log files are, to attach more of them.
 */
log_dir: string, };

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

export type Intent = "lead" | "complaint" | "question" | "praise" | "idea" | "trigger" | "other";

export type Reason = { feature: string, weight: number, };

export type IntentReasons = { intent: Intent, reasons: Array<Reason>, };

export type Explanation = { 
/**
 * Toward positive (weight above zero) or negative (below).
 */
sentiment: Array<Reason>, intents: Array<IntentReasons>, };

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
 * Only mentions assigned to this member of the team.
 */
assignee: string | null, 
/**
 * Only mentions assigned to this desktop's member ("Assigned to me").
 */
assigned_to_me: boolean, 
/**
 * priority (default) or newest.
 */
sort: string | null, limit: number | null, offset: number | null, };

export type InboxItem = { 
/**
 * What the owner's past decisions say this is, and how sure that is.
 */
learned: Prediction | null, id: number, source_id: number, source_kind: SourceKind, source_name: string, external_id: string, url: string | null, author_name: string | null, author_handle: string | null, author_url: string | null, author_followers: number | null, title: string | null, text: string, published_at: string | null, fetched_at: string, likes: number | null, reposts: number | null, replies: number | null, state: MentionState, 
/**
 * What a filed mention was filed as: lead, issue, praise, idea, question.
 */
filed_as: string | null, snoozed_until: string | null, 
/**
 * Compound sentiment in [-1, 1] and its label.
 */
sentiment: number, sentiment_label: Sentiment, intents: Array<Intent>, lang: string, urgency: number, priority: number, 
/**
 * Probability, learned from the owner's decisions, that items like this are not relevant.
 */
irrelevance: number, contact_id: number | null, contact_name: string | null, 
/**
 * The member of the team it is assigned to.
 */
assignee: string | null, 
/**
 * The member of the team who made the latest decision on it (filed, answered, linked...).
 */
decided_by: string | null, queries: Array<MatchedQuery>, };

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

export type Decided = { mention_id: number, state: MentionState, filed_as: string | null, contact_id: number | null, task_id: number | null, case_id: number | null, idea_id: number | null, };

export type TriageResult = { batch: number, decided: Array<Decided>, };

export type Undone = { batch: number, action: string, mention_ids: number[], 
/**
 * Replies that had already gone out and so could not be taken back.
 */
replies_already_sent: number[], };

export type LoggedDecision = { action: string, at: string, 
/**
 * The member who made it, when the workspace is shared.
 */
member: string | null, 
/**
 * Made on another desktop of the team.
 */
from_team: boolean, undone: boolean, };

export type Team = { workspace: string, server: string, credential_id: string | null, device: string, member: string, epoch: string, cursor: number, 
/**
 * The id of the change at `cursor`, to notice a server restored from a backup.
 */
cursor_op: string | null, last_sync_at: string | null, last_error: string | null, };

export type Member = { name: string, joined_at: string, };

export type RestoreOffer = { contact_id: number, name: string, 
/**
 * The stamp of the delete, and of the newest change made after it.
 */
deleted: string, changed_after: string, };

export type OrderToReview = { id: number, source: string, external_id: string, 
/**
 * What it says now (the newer change), and what the other change said.
 */
status: string, other_status: string, 
/**
 * Decimal text, exact ("48.20").
 */
amount: string, other_amount: string, currency: string, };

export type TeamStatus = { shared: boolean, team: Team | null, 
/**
 * Changes made here that the server has not accepted yet.
 */
waiting: number, members: Array<Member>, 
/**
 * Contacts deleted on one desktop while another was changing them.
 */
restore_offers: Array<RestoreOffer>, 
/**
 * Orders changed on two desktops apart, flagged until someone looks at them.
 */
orders_to_review: Array<OrderToReview>, };

export type Rule = { id: number, field: string, value: string, action: string, tag: string | null, 
/**
 * The member an `assign` rule sends mentions to.
 */
member: string | null, created_at: string, };

export type RuleInput = { field: string, value: string, action: string, tag: string | null, 
/**
 * The member an `assign` rule sends mentions to.
 */
member: string | null, };

export type HideLikeInput = { mention_id: number, 
/**
 * author, or keyword with `phrase`.
 */
field: string, phrase: string | null, };

export type OutboxItem = { id: number, mention_id: number | null, source_id: number, network: string, text: string, state: OutboxState, attempts: number, next_attempt_at: string, last_error: string | null, remote_id: string | null, remote_url: string | null, created_at: string, sent_at: string | null, 
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

export type OrderFormat = "shopify" | "square" | "square_items" | "stripe" | "csv";

export type OrderField = "ignore" | "order_id" | "date" | "amount" | "refunded" | "currency" | "status" | "email" | "phone" | "name" | "description";

export type OrderMapping = { columns: Array<OrderField>, };

export type OrdersPreview = { format: OrderFormat, headers: Array<string>, sample_rows: Array<Array<string>>, mapping: OrderMapping, };

export type Order = { id: number, 
/**
 * shopify, square, stripe, csv or manual
 */
source: string, external_id: string, 
/**
 * sale or refund
 */
kind: string, contact_id: number | null, placed_at: string, 
/**
 * paid, pending, cancelled or failed; only paid orders count
 */
status: string, currency: string, 
/**
 * Decimal text, exact ("48.20").
 */
amount: string, refunded: string, email: string | null, phone: string | null, name: string | null, description: string | null, 
/**
 * "waiting" in the who-is-this list, "dismissed", or null.
 */
unmatched: string | null, };

export type OrderCounts = { added: number, 
/**
 * Orders already known whose status, amount or refund changed.
 */
updated: number, unchanged: number, 
/**
 * New orders matched to an existing contact.
 */
matched: number, contacts_created: number, 
/**
 * New orders waiting in the "who is this?" list.
 */
waiting: number, };

export type WaitingBuyer = { 
/**
 * The order to act on (any of the group's orders; acting on it acts on the whole group).
 */
order_id: number, name: string | null, email: string | null, phone: string | null, orders: number, 
/**
 * Net paid amount of the group in the workspace currency, decimal text.
 */
net: string, last_order_at: string, };

export type OrdersImportOptions = { 
/**
 * Forces a format instead of detecting it from the header.
 */
format: OrderFormat | null, 
/**
 * For a generic CSV: what each column holds (guessed from the header when absent).
 */
mapping: OrderMapping | null, 
/**
 * Buyers no contact matches become new contacts (true) or wait in the "who is this?" list (false).
 */
create_contacts: boolean, };

export type OrdersImported = { import: ImportSummary, counts: OrderCounts, };

export type NpsCounts = { added: number, unchanged: number, 
/**
 * New answers linked to a contact.
 */
matched: number, };

export type NpsAnswer = { id: number, contact_id: number | null, email: string | null, name: string | null, score: number, comment: string | null, answered_at: string, };

export type NpsImported = { import: ImportSummary, counts: NpsCounts, };

export type NpsInput = { score: number, comment: string | null, 
/**
 * RFC 3339; now when absent.
 */
answered_at: string | null, };

export type ServiceCosts = { call: number, email: number, visit: number, social_reply: number, case: number, };

export type InfluenceWeights = { 
/**
 * Reach of an item whose author's followers are unknown (a blog, a forum post).
 */
default_reach: number, 
/**
 * One like, repost or reply counts as this many people reached.
 */
engagement: number, 
/**
 * A reply in someone else's thread counts this much of an original post.
 */
reply: number, 
/**
 * How much sentiment toward the business moves an item's weight: x (1 + this x sentiment).
 */
sentiment: number, 
/**
 * An item's weight halves every this many days.
 */
half_life_days: number, };

export type ValueSettings = { 
/**
 * Gross margin in basis points (4000 = 40%).
 */
gross_margin_bp: number, service_costs: ServiceCosts, 
/**
 * How far ahead the forward estimate looks.
 */
horizon_years: number, 
/**
 * A customer with no order for this many days has lapsed (no forward estimate; churned in retention).
 */
churn_days: number, influence: InfluenceWeights, 
/**
 * A contribution's weight in lifetime activity halves every this many days.
 */
activity_half_life_days: number, 
/**
 * Percentile from which value or influence counts as high, for segments.
 */
high_percentile: number, };

export type LifetimeValue = { revenue_minor: number, refunds_minor: number, net_minor: number, 
/**
 * net x gross margin
 */
margin_minor: number, service_cost_minor: number, 
/**
 * average net order x orders per year x horizon x margin, for a customer who has not lapsed
 */
forward_minor: number, 
/**
 * margin - service cost + forward
 */
total_minor: number, orders: number, orders_per_year: number, first_order_at: string | null, last_order_at: string | null, };

export type Segment = "champion" | "big_spender" | "voice" | "everyone";

export type ContactValue = { contact_id: number, lifetime_value: LifetimeValue, 
/**
 * 0-100 within the workspace (0: no value).
 */
value_percentile: number, influence_raw: number, 
/**
 * 0-100 percentile of `influence_raw` within the workspace (0: never said anything).
 */
lifetime_influence: number, lifetime_activity: number, segment: Segment, 
/**
 * Why a valuable customer is at risk; empty when they are not.
 */
at_risk: Array<string>, };

export type Opening = { 
/**
 * 0 = Monday ... 6 = Sunday.
 */
weekday: number, open: string, close: string, };

export type OpeningHours = { openings: Array<Opening>, };

export type ValueConfig = { value: ValueSettings, opening_hours: OpeningHours, 
/**
 * IANA name ("Europe/Paris").
 */
time_zone: string, 
/**
 * The workspace currency the amounts are in (read only here).
 */
currency: string, };

export type Nps = { 
/**
 * % promoters (9-10) - % detractors (0-6), -100 ... 100, one decimal; null with no answers.
 */
score: number | null, promoters: number, passives: number, detractors: number, responses: number, };

export type BrandShare = { brand: string, kind: string, mentions: number, reach: number, engagement: number, 
/**
 * Share of all brand and competitor mentions, 0-1.
 */
share: number, share_by_reach: number, share_by_engagement: number, 
/**
 * (positive - negative) / mentions, -1 ... 1.
 */
net_sentiment: number, };

export type ResponseTime = { 
/**
 * Complaints and questions that arrived in the period.
 */
items: number, 
/**
 * Of those, how many have had a first action (filed, done, ignored, replied).
 */
acted_on: number, replied: number, first_action_median_minutes: number | null, first_action_p90_minutes: number | null, first_reply_median_minutes: number | null, first_reply_p90_minutes: number | null, };

export type Cohort = { 
/**
 * "2026-01": the month of the customers' first order, in the shop's time zone.
 */
month: string, customers: number, 
/**
 * Share of the cohort with an order in month 0, 1, 2 ... after their first (0-1), up to 12 months or
 * the end of the period.
 */
retained: Array<number>, };

export type Retention = { customers: number, repeat_customers: number, 
/**
 * Customers with two or more paid orders / customers with one or more, 0-1.
 */
repeat_purchase_rate: number | null, 
/**
 * Customers whose last order is more than `churn_days` before the end of the period / customers.
 */
churn_rate: number | null, churn_days: number, cohorts: Array<Cohort>, };

export type Revenue = { currency: string, gross: number, refunds: number, net: number, gross_minor: number, refunds_minor: number, net_minor: number, orders: number, 
/**
 * Distinct known buyers with a paid order in the period.
 */
customers: number, 
/**
 * Paid orders in another currency, left out of the totals.
 */
other_currency_orders: number, };

export type MonthNps = { month: string, score: number | null, responses: number, };

export type PersonScore = { contact_id: number, name: string, score: number, answered_at: string, };

export type WeekVolume = { 
/**
 * Monday of the week, local date.
 */
week: string, brand: string, mentions: number, net_sentiment: number, };

export type SegmentCount = { segment: string, contacts: number, };

export type LeadsConverted = { leads: number, converted: number, rate: number | null, 
/**
 * Net revenue of converted leads' orders after they became leads, in the workspace currency.
 */
revenue: number, revenue_minor: number, };

export type FollowerCount = { source_id: number, 
/**
 * The source's name ("@shop.example on Bluesky").
 */
account: string, 
/**
 * YYYY-MM-DD (UTC).
 */
day: string, followers: number, };

export type Dashboard = { from: string, to: string, time_zone: string, nps: Nps, nps_by_month: Array<MonthNps>, 
/**
 * The newest promoters and detractors who are contacts (at most 20 each).
 */
promoters: Array<PersonScore>, detractors: Array<PersonScore>, revenue: Revenue, share_of_conversation: Array<BrandShare>, conversation_by_week: Array<WeekVolume>, response_time: ResponseTime, lead_conversion: LeadsConverted, retention: Retention, ideas: number, 
/**
 * Followers of the owner's own accounts, by account and day.
 */
followers: Array<FollowerCount>, segments: Array<SegmentCount>, at_risk: number, 
/**
 * The first and last moment anything dated is recorded (a paid order, an NPS answer, a mention), whatever
 * the period: how the owner is told where their data is when the period they chose holds none.
 */
first_data_at: string | null, last_data_at: string | null, };

export type Case = { id: number, mention_id: number | null, title: string, 
/**
 * high, normal or low
 */
priority: string, opened_at: string, first_response_at: string | null, };

export type Detractor = { contact_id: number, name: string, score: number, comment: string | null, answered_at: string, };

export type ContactBrief = { value: ContactValue, currency: string, nps: Array<NpsAnswer>, 
/**
 * The latest orders, newest first (at most 5).
 */
orders: Array<Order>, open_cases: Array<Case>, 
/**
 * Recent mentions of their organization by others (at most 5).
 */
company_news: Array<Mention>, };

export type SegmentMember = { contact: ContactSummary, 
/**
 * Decimal text in the workspace currency.
 */
lifetime_value: string, lifetime_influence: number, lifetime_activity: number, segment: string, at_risk: string | null, };

export type Today = { 
/**
 * Open mentions urgent enough to answer now, most pressing first.
 */
urgent: Array<Mention>, 
/**
 * Follow-ups due by the end of today, overdue first.
 */
follow_ups: Array<Task>, 
/**
 * Customers overdue for a touch.
 */
reconnect: Array<Reconnect>, 
/**
 * Open mentions that are trigger events: a job change, a launch, news about someone's company.
 */
triggers: Array<Mention>, 
/**
 * Contacts who answered 0-6 in the last 30 days.
 */
detractors: Array<Detractor>, 
/**
 * Valuable customers at risk, most valuable first.
 */
at_risk: Array<SegmentMember>, };

/** Every command, as the UI calls it. Errors are thrown as `IpcError`, whose `code` is an `ApiErrorCode`. */
export const api = {
  workspaceInfo: (): Promise<WorkspaceInfo> => invoke("workspace_info", {}),
  workspaceStart: (start: WorkspaceStart): Promise<WorkspaceInfo> => invoke("workspace_start", { start }),
  /**
   * "Remove the demo and start my own": listening stops, the demo is kept beside the workspace file or
   * deleted, an empty workspace opens in its place, and listening goes on there (or on the demo, if it
   * could not be replaced).
   */
  workspaceReplaceDemo: (keep: boolean): Promise<DemoReplaced> => invoke("workspace_replace_demo", { keep }),
  /**
   * What Earshot proposes from the owner's answers. Nothing is saved or fetched.
   */
  guidedStartPropose: (profile: BusinessProfile): Promise<StartProposal> => invoke("guided_start_propose", { profile }),
  /**
   * Saves what the owner confirmed, then lets the engine check the new sources.
   */
  guidedStartApply: (choice: StartChoice): Promise<StartDone> => invoke("guided_start_apply", { choice }),
  guidedStartSkip: (): Promise<void> => invoke("guided_start_skip", {}),
  contactsPage: (offset: number, limit: number, tag: string | null): Promise<ContactPage> => invoke("contacts_page", { offset, limit, tag }),
  contactsSearch: (query: string, limit: number): Promise<Array<ContactSummary>> => invoke("contacts_search", { query, limit }),
  contactGet: (id: number): Promise<ContactDetail> => invoke("contact_get", { id }),
  /**
   * The contact's photo as a `data:` URL, or `null`.
   */
  contactPhoto: (id: number): Promise<string | null> => invoke("contact_photo", { id }),
  contactCreate: (input: ContactInput): Promise<Contact> => invoke("contact_create", { input }),
  contactUpdate: (id: number, input: ContactInput): Promise<Contact> => invoke("contact_update", { id, input }),
  contactDelete: (id: number): Promise<void> => invoke("contact_delete", { id }),
  contactRestore: (id: number): Promise<Contact> => invoke("contact_restore", { id }),
  /**
   * Puts the tag on (`on`) or takes it off; the contact's tags after.
   */
  contactTag: (id: number, tag: string, on: boolean): Promise<Array<string>> => invoke("contact_tag", { id, tag, on }),
  tagsList: (): Promise<Array<TagCount>> => invoke("tags_list", {}),
  noteAdd: (contactId: number, body: string): Promise<number> => invoke("note_add", { contact_id: contactId, body }),
  noteEdit: (id: number, body: string): Promise<void> => invoke("note_edit", { id, body }),
  noteDelete: (id: number, deleted: boolean): Promise<void> => invoke("note_delete", { id, deleted }),
  activityLog: (contactId: number, input: ActivityInput): Promise<number> => invoke("activity_log", { contact_id: contactId, input }),
  activityDelete: (id: number, deleted: boolean): Promise<void> => invoke("activity_delete", { id, deleted }),
  taskAdd: (contactId: number, input: TaskInput): Promise<number> => invoke("task_add", { contact_id: contactId, input }),
  taskDone: (id: number, done: boolean): Promise<void> => invoke("task_done", { id, done }),
  taskDelete: (id: number, deleted: boolean): Promise<void> => invoke("task_delete", { id, deleted }),
  tasksOpen: (): Promise<Array<Task>> => invoke("tasks_open", {}),
  keepInTouchSet: (contactId: number, days: number | null): Promise<Contact> => invoke("keep_in_touch_set", { contact_id: contactId, days }),
  reconnectList: (): Promise<Array<Reconnect>> => invoke("reconnect_list", {}),
  importPreview: (file: FileArg): Promise<ImportPreview> => invoke("import_preview", {}, file),
  /**
   * Imports the file, reporting progress as [`Event::ImportProgress`].
   */
  importRun: (file: FileArg, options: ImportOptions): Promise<ImportSummary> => invoke("import_run", { options }, file),
  importUndo: (id: number): Promise<ImportSummary> => invoke("import_undo", { id }),
  importsList: (): Promise<Array<ImportSummary>> => invoke("imports_list", {}),
  mergeSuggestions: (): Promise<Array<MergeSuggestion>> => invoke("merge_suggestions", {}),
  /**
   * Merges `merge` into `keep`; the merge's id, for undo.
   */
  contactMerge: (keep: number, merge: number): Promise<number> => invoke("contact_merge", { keep, merge }),
  mergeUndo: (id: number): Promise<void> => invoke("merge_undo", { id }),
  mergeDismiss: (a: number, b: number): Promise<void> => invoke("merge_dismiss", { a, b }),
  /**
   * Asks where to save, then writes the contacts there. `null` when the owner cancels.
   */
  exportSave: (format: ExportFormat): Promise<string | null> => invoke("export_save", { format }),
  /**
   * Saves a table (CSV) or a chart (PNG) the owner exports, where they choose. `null` when they cancel.
   */
  fileSave: (file: FileArg): Promise<string | null> => invoke("file_save", {}, file),
  /**
   * Opens a link in the browser or mail app, after the one check every link goes through.
   */
  urlOpen: (url: string): Promise<void> => invoke("url_open", { url }),
  secretsStatus: (): Promise<SecretsStatus> => invoke("secrets_status", {}),
  /**
   * The report behind "Copy diagnostics": version, schema, sources' state, the recent log.
   */
  diagnosticsGet: (): Promise<Diagnostics> => invoke("diagnostics_get", {}),
  queriesList: (): Promise<Array<ListeningQuery>> => invoke("queries_list", {}),
  ownHandlesList: (): Promise<Array<string>> => invoke("own_handles_list", {}),
  ownHandlesSet: (handles: Array<string>): Promise<Array<string>> => invoke("own_handles_set", { handles }),
  /**
   * Starts listening for a query (`brand`, `competitor` or `industry`); due sources are checked at once.
   */
  queryAdd: (kind: QueryKind, query: string): Promise<ListeningQuery> => invoke("query_add", { kind, query }),
  queryRemove: (id: number): Promise<void> => invoke("query_remove", { id }),
  queryPreview: (query: string): Promise<QueryPreview> => invoke("query_preview", { query }),
  sourcesList: (): Promise<Array<Source>> => invoke("sources_list", {}),
  sourceAddFeed: (url: string): Promise<Source> => invoke("source_add_feed", { url }),
  sourceAddHn: (query: string): Promise<Source> => invoke("source_add_hn", { query }),
  sourceAddMastodonHashtag: (instance: string, hashtag: string): Promise<Source> => invoke("source_add_mastodon_hashtag", { instance, hashtag }),
  /**
   * Signs in to a Mastodon account in the browser (PKCE, loopback redirect).
   */
  sourceAddMastodonAccount: (instance: string): Promise<Source> => invoke("source_add_mastodon_account", { instance }),
  /**
   * Signs in to Bluesky with an app password. The password goes straight to Bluesky; only the session is
   * kept (in the keychain), and nothing secret is ever sent back.
   */
  sourceAddBluesky: (handle: string, appPassword: string): Promise<Source> => invoke("source_add_bluesky", { handle, app_password: appPassword }),
  sourceRemove: (id: number): Promise<void> => invoke("source_remove", { id }),
  /**
   * Checks one source now, even if it was paused or asked to wait.
   */
  sourceCheckNow: (id: number): Promise<void> => invoke("source_check_now", { id }),
  mentionsList: (limit: number): Promise<Array<Mention>> => invoke("mentions_list", { limit }),
  /**
   * Captures a mention by hand; with no text, the page's own title and description are read.
   */
  mentionCapture: (url: string, text: string, author: string | null, network: string | null): Promise<Mention> => invoke("mention_capture", { url, text, author, network }),
  mentionsInbox: (filter: InboxFilter): Promise<InboxPage> => invoke("mentions_inbox", { filter }),
  mentionTriage: (input: TriageInput): Promise<TriageResult> => invoke("mention_triage", { input }),
  mentionUndo: (): Promise<Undone | null> => invoke("mention_undo", {}),
  /**
   * Why the mention was read the way it was.
   */
  mentionExplain: (id: number): Promise<Explanation> => invoke("mention_explain", { id }),
  mentionLink: (id: number, contactId: number): Promise<void> => invoke("mention_link", { id, contact_id: contactId }),
  /**
   * Makes the mention's author a contact; the new contact's id.
   */
  mentionCreateContact: (id: number): Promise<number> => invoke("mention_create_contact", { id }),
  /**
   * Queues a reply; it goes out at once when online.
   */
  mentionReply: (id: number, text: string): Promise<OutboxItem> => invoke("mention_reply", { id, text }),
  mentionMarkReplied: (id: number): Promise<void> => invoke("mention_mark_replied", { id }),
  /**
   * Assigns a mention to a member of the team (or to nobody); the member's name as the team spells it.
   */
  mentionAssign: (id: number, member: string | null): Promise<string | null> => invoke("mention_assign", { id, member }),
  /**
   * Who made each decision on a mention, and when.
   */
  mentionDecisions: (id: number): Promise<Array<LoggedDecision>> => invoke("mention_decisions", { id }),
  mentionHideLike: (input: HideLikeInput): Promise<Rule> => invoke("mention_hide_like", { input }),
  rulesList: (): Promise<Array<Rule>> => invoke("rules_list", {}),
  ruleAdd: (input: RuleInput): Promise<Rule> => invoke("rule_add", { input }),
  ruleRemove: (id: number): Promise<void> => invoke("rule_remove", { id }),
  outboxList: (): Promise<Array<OutboxItem>> => invoke("outbox_list", {}),
  outboxRetry: (id: number): Promise<OutboxItem> => invoke("outbox_retry", { id }),
  peopleList: (): Promise<Array<Person>> => invoke("people_list", {}),
  mentionSuggestContacts: (id: number): Promise<Array<Suggestion>> => invoke("mention_suggest_contacts", { id }),
  alertsGet: (): Promise<Alerts> => invoke("alerts_get", {}),
  /**
   * Saves the alert settings; the tray's count follows at once.
   */
  alertsSet: (alerts: Alerts): Promise<Alerts> => invoke("alerts_set", { alerts }),
  ordersPreview: (file: FileArg): Promise<OrdersPreview> => invoke("orders_preview", {}, file),
  ordersImport: (file: FileArg, options: OrdersImportOptions): Promise<OrdersImported> => invoke("orders_import", { options }, file),
  npsImport: (file: FileArg): Promise<NpsImported> => invoke("nps_import", {}, file),
  npsRecord: (contactId: number, input: NpsInput): Promise<number> => invoke("nps_record", { contact_id: contactId, input }),
  /**
   * Buyers in imported orders that no contact matched: "who is this?".
   */
  ordersWaiting: (): Promise<Array<WaitingBuyer>> => invoke("orders_waiting", {}),
  orderAssign: (orderId: number, contactId: number | null): Promise<number> => invoke("order_assign", { order_id: orderId, contact_id: contactId }),
  orderDismiss: (orderId: number): Promise<number> => invoke("order_dismiss", { order_id: orderId }),
  contactOrders: (contactId: number): Promise<Array<Order>> => invoke("contact_orders", { contact_id: contactId }),
  /**
   * The dashboard for a period (RFC 3339 bounds, `null` for the last year); values are recomputed
   * first when they are stale.
   */
  metricsGet: (from: string | null, to: string | null): Promise<Dashboard> => invoke("metrics_get", { from, to }),
  todayGet: (): Promise<Today> => invoke("today_get", {}),
  contactBrief: (id: number): Promise<ContactBrief> => invoke("contact_brief", { id }),
  caseClose: (id: number, closed: boolean): Promise<void> => invoke("case_close", { id, closed }),
  segmentMembers: (segment: string): Promise<Array<SegmentMember>> => invoke("segment_members", { segment }),
  valueConfigGet: (): Promise<ValueConfig> => invoke("value_config_get", {}),
  valueConfigSet: (config: ValueConfig): Promise<ValueConfig> => invoke("value_config_set", { config }),
  /**
   * Where sharing stands: the team, its members, changes waiting, the last sync and why it failed.
   */
  teamStatus: (): Promise<TeamStatus> => invoke("team_status", {}),
  /**
   * Shares this workspace with a team on the PostgreSQL server at `url`
   * (`postgres://USER:PASSWORD@HOST:PORT/DB`): the password goes to the keychain, and the workspace is sent.
   */
  teamCreate: (url: string, member: string): Promise<TeamStatus> => invoke("team_create", { url, member }),
  /**
   * Joins the workspace a teammate shared on the server at `url`; it arrives with the first sync.
   */
  teamJoin: (url: string, member: string): Promise<TeamStatus> => invoke("team_join", { url, member }),
  /**
   * Stops sharing: the workspace stays as it is, and the server's password leaves the keychain.
   */
  teamLeave: (): Promise<TeamStatus> => invoke("team_leave", {}),
  ordersToReview: (): Promise<Array<OrderToReview>> => invoke("orders_to_review", {}),
  orderReviewed: (id: number): Promise<void> => invoke("order_reviewed", { id }),
  teamSyncNow: (): Promise<void> => invoke("team_sync_now", {}),
} as const;

export type CommandName = "workspace_info" | "workspace_start" | "workspace_replace_demo" | "guided_start_propose" | "guided_start_apply" | "guided_start_skip" | "contacts_page" | "contacts_search" | "contact_get" | "contact_photo" | "contact_create" | "contact_update" | "contact_delete" | "contact_restore" | "contact_tag" | "tags_list" | "note_add" | "note_edit" | "note_delete" | "activity_log" | "activity_delete" | "task_add" | "task_done" | "task_delete" | "tasks_open" | "keep_in_touch_set" | "reconnect_list" | "import_preview" | "import_run" | "import_undo" | "imports_list" | "merge_suggestions" | "contact_merge" | "merge_undo" | "merge_dismiss" | "export_save" | "file_save" | "url_open" | "secrets_status" | "diagnostics_get" | "queries_list" | "own_handles_list" | "own_handles_set" | "query_add" | "query_remove" | "query_preview" | "sources_list" | "source_add_feed" | "source_add_hn" | "source_add_mastodon_hashtag" | "source_add_mastodon_account" | "source_add_bluesky" | "source_remove" | "source_check_now" | "mentions_list" | "mention_capture" | "mentions_inbox" | "mention_triage" | "mention_undo" | "mention_explain" | "mention_link" | "mention_create_contact" | "mention_reply" | "mention_mark_replied" | "mention_assign" | "mention_decisions" | "mention_hide_like" | "rules_list" | "rule_add" | "rule_remove" | "outbox_list" | "outbox_retry" | "people_list" | "mention_suggest_contacts" | "alerts_get" | "alerts_set" | "orders_preview" | "orders_import" | "nps_import" | "nps_record" | "orders_waiting" | "order_assign" | "order_dismiss" | "contact_orders" | "metrics_get" | "today_get" | "contact_brief" | "case_close" | "segment_members" | "value_config_get" | "value_config_set" | "team_status" | "team_create" | "team_join" | "team_leave" | "orders_to_review" | "order_reviewed" | "team_sync_now";

export type EventName = "import-progress" | "listening" | "team-sync";

/**
 * How far an import has got, between chunks of rows.
 */
export function onImportProgress(handler: (payload: ImportProgress) => void): Promise<Unlisten> {
  return listen("import-progress", handler);
}

/**
 * Live listening status: a source being checked, its result, the end of a round, replies sent.
 */
export function onListening(handler: (payload: EngineEvent) => void): Promise<Unlisten> {
  return listen("listening", handler);
}

/**
 * Where sharing with the team stands, after every background sync (and every failed attempt).
 */
export function onTeamSync(handler: (payload: TeamStatus) => void): Promise<Unlisten> {
  return listen("team-sync", handler);
}
