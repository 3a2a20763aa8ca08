//! Every command the UI can call, declared once: its name, arguments, result and body. A body is a thin
//! adapter: it calls one use case (on the blocking pool when it touches the store), and tells the engine
//! or the host what follows from it. The arguments' names are the keys the UI sends.

use earshot_core::analysis::Explanation;
use earshot_core::guided_start::{self as proposals, BusinessProfile, StartProposal};
use earshot_core::orders::OrdersPreview;
use earshot_core::query::QueryKind;
use earshot_secrets::Sensitive;

use crate::accounts::{self, SecretsStatus};
use crate::contacts::{self, ContactDetail, TaskInput};
use crate::diagnostics::Diagnostics;
use crate::export::{self, ExportFormat};
use crate::guided_start::{self, StartChoice, StartDone};
use crate::imports::{self, ImportOptions, ImportPreview};
use crate::listening::{self, Capture, QueryPreview};
use crate::open_workspace::DemoReplaced;
use crate::registry::{Event, Upload};
use crate::services::Services;
use crate::store_types::*;
use crate::team::{self, TeamStatus};
use crate::today::{self, ContactBrief, SegmentMember, Today};
use crate::triage::{self, Alerts, HideLikeInput, InboxPage, RuleInput, TriageInput, TriageResult};
use crate::value::{self, NpsImported, NpsInput, OrdersImportOptions, OrdersImported, ValueConfig};
use crate::workspace::{self, WorkspaceInfo, WorkspaceStart};
use crate::{merges, ApiError};
use earshot_store::team::orders::OrderToReview;

/// How old the customer values may be before the dashboard or Today recomputes them, in minutes.
const VALUES_FRESH_FOR: i64 = 10;

commands! {
    // The workspace and the first hour.

    workspace_info(s) -> WorkspaceInfo { s.blocking(workspace::workspace_info).await }

    workspace_start(s, start: WorkspaceStart) -> WorkspaceInfo {
        s.blocking(move |c| workspace::workspace_start(c, start)).await
    }

    /// "Remove the demo and start my own": listening stops, the demo is kept beside the workspace file or
    /// deleted, an empty workspace opens in its place, and listening goes on there (or on the demo, if it
    /// could not be replaced).
    workspace_replace_demo(s, keep: bool) -> DemoReplaced {
        let services = s.clone();
        s.off_thread(move || {
            let listening = services.is_listening();
            services.stop_listening();
            let replaced = services.workspace().replace_demo(keep);
            if listening {
                services.start_listening();
            }
            replaced
        })
        .await
    }

    /// What Earshot proposes from the owner's answers. Nothing is saved or fetched.
    guided_start_propose(_s, profile: BusinessProfile) -> StartProposal { Ok(proposals::propose(&profile)) }

    /// Saves what the owner confirmed, then lets the engine check the new sources.
    guided_start_apply(s, choice: StartChoice) -> StartDone {
        let done = s.blocking(move |c| guided_start::apply(c, &choice)).await?;
        s.check_now(None);
        Ok(done)
    }

    guided_start_skip(s) -> () { s.blocking(guided_start::skip).await }

    // Contacts, notes, activities, tasks.

    contacts_page(s, offset: i64, limit: i64, tag: Option<String>) -> ContactPage {
        s.blocking(move |c| contacts::contacts_page(c, offset, limit, tag.as_deref())).await
    }

    contacts_search(s, query: String, limit: i64) -> Vec<ContactSummary> {
        s.blocking(move |c| contacts::contacts_search(c, &query, limit)).await
    }

    contact_get(s, id: i64) -> ContactDetail { s.blocking(move |c| contacts::contact_get(c, id)).await }

    /// The contact's photo as a `data:` URL, or `null`.
    contact_photo(s, id: i64) -> Option<String> { s.blocking(move |c| contacts::contact_photo(c, id)).await }

    contact_create(s, input: ContactInput) -> Contact {
        s.blocking(move |c| contacts::contact_create(c, &input)).await
    }

    contact_update(s, id: i64, input: ContactInput) -> Contact {
        s.blocking(move |c| contacts::contact_update(c, id, &input)).await
    }

    contact_delete(s, id: i64) -> () { s.blocking(move |c| contacts::contact_delete(c, id)).await }

    contact_restore(s, id: i64) -> Contact { s.blocking(move |c| contacts::contact_restore(c, id)).await }

    /// Puts the tag on (`on`) or takes it off; the contact's tags after.
    contact_tag(s, id: i64, tag: String, on: bool) -> Vec<String> {
        s.blocking(move |c| contacts::contact_tag(c, id, &tag, on)).await
    }

    tags_list(s) -> Vec<TagCount> { s.blocking(contacts::tags_list).await }

    note_add(s, contact_id: i64, body: String) -> i64 {
        s.blocking(move |c| contacts::note_add(c, contact_id, &body)).await
    }

    note_edit(s, id: i64, body: String) -> () { s.blocking(move |c| contacts::note_edit(c, id, &body)).await }

    note_delete(s, id: i64, deleted: bool) -> () {
        s.blocking(move |c| contacts::note_delete(c, id, deleted)).await
    }

    activity_log(s, contact_id: i64, input: ActivityInput) -> i64 {
        s.blocking(move |c| contacts::activity_log(c, contact_id, &input)).await
    }

    activity_delete(s, id: i64, deleted: bool) -> () {
        s.blocking(move |c| contacts::activity_delete(c, id, deleted)).await
    }

    task_add(s, contact_id: i64, input: TaskInput) -> i64 {
        s.blocking(move |c| contacts::task_add(c, contact_id, &input)).await
    }

    task_done(s, id: i64, done: bool) -> () { s.blocking(move |c| contacts::task_done(c, id, done)).await }

    task_delete(s, id: i64, deleted: bool) -> () {
        s.blocking(move |c| contacts::task_delete(c, id, deleted)).await
    }

    tasks_open(s) -> Vec<Task> { s.blocking(contacts::tasks_open).await }

    keep_in_touch_set(s, contact_id: i64, days: Option<i64>) -> Contact {
        s.blocking(move |c| contacts::keep_in_touch_set(c, contact_id, days)).await
    }

    reconnect_list(s) -> Vec<Reconnect> { s.blocking(contacts::reconnect_list).await }

    // Imports, merges, export.

    import_preview(s; file) -> ImportPreview {
        s.off_thread(move || imports::import_preview(&file.name, &file.bytes)).await
    }

    /// Imports the file, reporting progress as [`Event::ImportProgress`].
    import_run(s, options: ImportOptions; file) -> ImportSummary {
        let host = s.host.clone();
        s.blocking(move |c| {
            imports::import_run(c, &file.name, &file.bytes, &options, &mut |p| host.emit(Event::ImportProgress(p)))
        })
        .await
    }

    import_undo(s, id: i64) -> ImportSummary { s.blocking(move |c| imports::import_undo(c, id)).await }

    imports_list(s) -> Vec<ImportSummary> { s.blocking(imports::imports_list).await }

    merge_suggestions(s) -> Vec<MergeSuggestion> { s.blocking(|c| merges::merge_suggestions(c, 200)).await }

    /// Merges `merge` into `keep`; the merge's id, for undo.
    contact_merge(s, keep: i64, merge: i64) -> i64 {
        s.blocking(move |c| merges::contact_merge(c, keep, merge)).await
    }

    merge_undo(s, id: i64) -> () { s.blocking(move |c| merges::merge_undo(c, id)).await }

    merge_dismiss(s, a: i64, b: i64) -> () { s.blocking(move |c| merges::merge_dismiss(c, a, b)).await }

    /// Asks where to save, then writes the contacts there. `null` when the owner cancels.
    export_save(s, format: ExportFormat) -> Option<String> {
        let text = s.blocking(move |c| export::export(c, format)).await?;
        let name = format!("earshot-contacts.{}", format.file_extension());
        s.save_where_chosen(name, text.into_bytes()).await
    }

    /// Saves a table (CSV) or a chart (PNG) the owner exports, where they choose. `null` when they cancel.
    file_save(s; file) -> Option<String> {
        let lower = file.name.to_ascii_lowercase();
        if !(lower.ends_with(".csv") || lower.ends_with(".png")) {
            return Err(ApiError::invalid(format!("{}: only CSV tables and PNG charts are saved this way", file.name)));
        }
        let Upload { name, bytes } = file;
        s.save_where_chosen(name, bytes).await
    }

    /// Opens a link in the browser or mail app, after the one check every link goes through.
    url_open(s, url: String) -> () {
        let url = earshot_core::url_safety::safe_external_url(&url).map_err(|e| ApiError::invalid(e.to_string()))?;
        s.host.open_url(url.as_str()).map_err(|e| ApiError::invalid(format!("cannot open the link: {e}")))
    }

    // Listening: sign-ins, queries, sources, mentions.

    secrets_status(s) -> SecretsStatus { Ok(s.secrets().await.status.clone()) }

    /// The report behind "Copy diagnostics": version, schema, sources' state, the recent log.
    diagnostics_get(s) -> Diagnostics {
        let secrets = s.secrets().await.status.clone();
        s.blocking(move |c| crate::diagnostics::diagnostics(c, Some(&secrets))).await
    }

    queries_list(s) -> Vec<ListeningQuery> { s.blocking(listening::queries_list).await }

    own_handles_list(s) -> Vec<String> { s.blocking(accounts::own_handles_list).await }

    own_handles_set(s, handles: Vec<String>) -> Vec<String> {
        s.blocking(move |c| accounts::own_handles_set(c, &handles)).await
    }

    /// Starts listening for a query (`brand`, `competitor` or `industry`); due sources are checked at once.
    query_add(s, kind: QueryKind, query: String) -> ListeningQuery {
        let added = s.blocking(move |c| listening::queries_add(c, kind.as_str(), &query)).await?;
        s.check_now(None);
        Ok(added)
    }

    query_remove(s, id: i64) -> () { s.blocking(move |c| listening::queries_remove(c, id)).await }

    query_preview(s, query: String) -> QueryPreview {
        s.blocking(move |c| listening::query_preview(c, &query, 5)).await
    }

    sources_list(s) -> Vec<Source> { s.blocking(listening::sources_list).await }

    source_add_feed(s, url: String) -> Source {
        s.checked_now(s.blocking(move |c| listening::source_add_feed(c, &url, None)).await)
    }

    source_add_hn(s, query: String) -> Source {
        let api = s.urls.hacker_news.clone();
        s.checked_now(s.blocking(move |c| listening::source_add_hn(c, &query, &api)).await)
    }

    source_add_mastodon_hashtag(s, instance: String, hashtag: String) -> Source {
        s.checked_now(s.blocking(move |c| accounts::source_add_mastodon_hashtag(c, &instance, &hashtag)).await)
    }

    /// Signs in to a Mastodon account in the browser (PKCE, loopback redirect).
    source_add_mastodon_account(s, instance: String) -> Source {
        let secrets = s.secrets().await.for_sign_in()?;
        let host = s.host.clone();
        let mut open = move |url: &str| host.open_url(url);
        let ctx = s.ctx()?;
        s.checked_now(accounts::source_add_mastodon_account(&ctx, &s.fetcher, secrets, &instance, &mut open).await)
    }

    /// Signs in to Bluesky with an app password. The password goes straight to Bluesky; only the session is
    /// kept (in the keychain), and nothing secret is ever sent back.
    source_add_bluesky(s, handle: String, app_password: String) -> Source {
        let password = Sensitive::new(app_password);
        let secrets = s.secrets().await.for_sign_in()?;
        let ctx = s.ctx()?;
        let service = s.urls.bluesky.clone();
        s.checked_now(
            accounts::source_add_bluesky(&ctx, &s.fetcher, secrets, &handle, &password, &service).await,
        )
    }

    source_remove(s, id: i64) -> () {
        let secrets = s.secrets().await.store.clone();
        s.blocking(move |c| listening::source_remove(c, secrets.as_ref(), id)).await
    }

    /// Checks one source now, even if it was paused or asked to wait.
    source_check_now(s, id: i64) -> () {
        s.check_now(Some(id));
        Ok(())
    }

    mentions_list(s, limit: i64) -> Vec<Mention> { s.blocking(move |c| listening::mentions_list(c, limit)).await }

    /// Captures a mention by hand; with no text, the page's own title and description are read.
    mention_capture(s, url: String, text: String, author: Option<String>, network: Option<String>) -> Mention {
        let ctx = s.ctx()?;
        listening::capture_link(&ctx, &s.fetcher, &Capture { url, text, author, network }).await
    }

    // Triage: the inbox, decisions and undo, authors, rules, replies, alerts.

    mentions_inbox(s, filter: InboxFilter) -> InboxPage {
        s.blocking(move |c| triage::mentions_inbox(c, &filter)).await
    }

    mention_triage(s, input: TriageInput) -> TriageResult {
        let result = s.blocking(move |c| triage::mention_triage(c, &input)).await?;
        // What the decision taught re-orders the rest of the inbox; the decision itself is already saved.
        let _ = s.blocking(triage::inbox_rescore).await;
        Ok(result)
    }

    mention_undo(s) -> Option<Undone> {
        let undone = s.blocking(triage::mention_undo).await?;
        // An undone decision takes back what it taught.
        let _ = s.blocking(triage::inbox_rescore).await;
        Ok(undone)
    }

    /// Why the mention was read the way it was.
    mention_explain(s, id: i64) -> Explanation { s.blocking(move |c| triage::mention_explain(c, id)).await }

    mention_link(s, id: i64, contact_id: i64) -> () {
        s.blocking(move |c| triage::mention_link(c, id, contact_id)).await
    }

    /// Makes the mention's author a contact; the new contact's id.
    mention_create_contact(s, id: i64) -> i64 { s.blocking(move |c| triage::mention_create_contact(c, id)).await }

    /// Queues a reply; it goes out at once when online.
    mention_reply(s, id: i64, text: String) -> OutboxItem {
        let item = s.blocking(move |c| triage::mention_reply(c, id, &text)).await?;
        s.send_replies();
        Ok(item)
    }

    mention_mark_replied(s, id: i64) -> () { s.blocking(move |c| triage::mention_mark_replied(c, id)).await }

    /// Assigns a mention to a member of the team (or to nobody); the member's name as the team spells it.
    mention_assign(s, id: i64, member: Option<String>) -> Option<String> {
        let assigned = s.blocking(move |c| team::assign(c, id, member.as_deref())).await?;
        s.sync_team_now();
        Ok(assigned)
    }

    /// Who made each decision on a mention, and when.
    mention_decisions(s, id: i64) -> Vec<LoggedDecision> {
        s.blocking(move |c| Ok(c.store.read(|conn| earshot_store::triage::decisions_on(conn, id))?)).await
    }

    mention_hide_like(s, input: HideLikeInput) -> Rule {
        s.blocking(move |c| triage::mention_hide_like(c, &input)).await
    }

    rules_list(s) -> Vec<Rule> { s.blocking(triage::rules_list).await }

    rule_add(s, input: RuleInput) -> Rule { s.blocking(move |c| triage::rule_add(c, &input)).await }

    rule_remove(s, id: i64) -> () { s.blocking(move |c| triage::rule_remove(c, id)).await }

    outbox_list(s) -> Vec<OutboxItem> { s.blocking(triage::outbox_list).await }

    outbox_retry(s, id: i64) -> OutboxItem {
        let item = s.blocking(move |c| triage::outbox_retry(c, id)).await?;
        s.send_replies();
        Ok(item)
    }

    people_list(s) -> Vec<Person> { s.blocking(triage::people_list).await }

    mention_suggest_contacts(s, id: i64) -> Vec<Suggestion> {
        s.blocking(move |c| triage::mention_suggest_contacts(c, id)).await
    }

    alerts_get(s) -> Alerts { s.blocking(triage::alerts_get).await }

    /// Saves the alert settings; the tray's count follows at once.
    alerts_set(s, alerts: Alerts) -> Alerts {
        let saved = s.blocking(move |c| triage::alerts_set(c, alerts)).await?;
        let (services, ctx) = (s.clone(), s.ctx()?);
        s.runtime().spawn_blocking(move || services.after_new_mentions(&ctx));
        Ok(saved)
    }

    // Customer value: orders and surveys, the dashboard, Today, segments, settings.

    orders_preview(s; file) -> OrdersPreview {
        s.off_thread(move || value::orders_preview(&file.name, &file.bytes)).await
    }

    orders_import(s, options: OrdersImportOptions; file) -> OrdersImported {
        s.blocking(move |c| value::orders_import(c, &file.name, &file.bytes, &options)).await
    }

    nps_import(s; file) -> NpsImported { s.blocking(move |c| value::nps_import(c, &file.name, &file.bytes)).await }

    nps_record(s, contact_id: i64, input: NpsInput) -> i64 {
        s.blocking(move |c| value::nps_record(c, contact_id, &input)).await
    }

    /// Buyers in imported orders that no contact matched: "who is this?".
    orders_waiting(s) -> Vec<WaitingBuyer> { s.blocking(|c| value::orders_waiting(c, 200)).await }

    order_assign(s, order_id: i64, contact_id: Option<i64>) -> i64 {
        s.blocking(move |c| value::order_assign(c, order_id, contact_id)).await
    }

    order_dismiss(s, order_id: i64) -> i64 { s.blocking(move |c| value::order_dismiss(c, order_id)).await }

    contact_orders(s, contact_id: i64) -> Vec<Order> {
        s.blocking(move |c| value::contact_orders(c, contact_id, 200)).await
    }

    /// The dashboard for a period (RFC 3339 bounds, `null` for the last year); values are recomputed
    /// first when they are stale.
    metrics_get(s, from: Option<String>, to: Option<String>) -> Dashboard {
        s.blocking(move |c| {
            value::values_refresh_if_stale(c, VALUES_FRESH_FOR)?;
            value::metrics_get(c, from.as_deref(), to.as_deref())
        })
        .await
    }

    today_get(s) -> Today {
        s.blocking(|c| {
            value::values_refresh_if_stale(c, VALUES_FRESH_FOR)?;
            today::today(c)
        })
        .await
    }

    contact_brief(s, id: i64) -> ContactBrief { s.blocking(move |c| today::contact_brief(c, id)).await }

    case_close(s, id: i64, closed: bool) -> () { s.blocking(move |c| today::case_close(c, id, closed)).await }

    segment_members(s, segment: String) -> Vec<SegmentMember> {
        s.blocking(move |c| today::segment_members(c, &segment, 500)).await
    }

    value_config_get(s) -> ValueConfig { s.blocking(value::value_config_get).await }

    value_config_set(s, config: ValueConfig) -> ValueConfig {
        s.blocking(move |c| value::value_config_set(c, &config)).await
    }

    // The team.

    /// Where sharing stands: the team, its members, changes waiting, the last sync and why it failed.
    team_status(s) -> TeamStatus { s.blocking(team::status).await }

    /// Shares this workspace with a team on the PostgreSQL server at `url`
    /// (`postgres://USER:PASSWORD@HOST:PORT/DB`): the password goes to the keychain, and the workspace is sent.
    team_create(s, url: String, member: String) -> TeamStatus {
        let url = Sensitive::new(url);
        let secrets = s.secrets().await.for_sign_in()?;
        let ctx = s.ctx()?;
        team::create_at(&ctx, secrets, url.expose(), &member).await?;
        // A failed first sync is in the status; the background sync tries again.
        let _ = team::sync_stored(&ctx, secrets).await;
        s.sync_team_now();
        s.blocking(team::status).await
    }

    /// Joins the workspace a teammate shared on the server at `url`; it arrives with the first sync.
    team_join(s, url: String, member: String) -> TeamStatus {
        let url = Sensitive::new(url);
        let secrets = s.secrets().await.for_sign_in()?;
        let ctx = s.ctx()?;
        team::join_at(&ctx, secrets, url.expose(), &member, None).await?;
        let _ = team::sync_stored(&ctx, secrets).await;
        s.sync_team_now();
        s.blocking(team::status).await
    }

    /// Stops sharing: the workspace stays as it is, and the server's password leaves the keychain.
    team_leave(s) -> TeamStatus {
        let secrets = s.secrets().await.store.clone();
        s.blocking(move |c| {
            team::leave(c, secrets.as_ref())?;
            team::status(c)
        })
        .await
    }

    orders_to_review(s) -> Vec<OrderToReview> { s.blocking(value::orders_to_review).await }

    order_reviewed(s, id: i64) -> () { s.blocking(move |c| value::order_reviewed(c, id)).await }

    team_sync_now(s) -> () {
        s.sync_team_now();
        Ok(())
    }
}
