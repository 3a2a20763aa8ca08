//! Command adapters for triage: the inbox, decisions and undo, authors and contacts, rules, replies and the
//! outbox. A queued reply wakes the engine so it goes out at once when online.

use earshot_app::store_types::{InboxFilter, OutboxItem, Person, Rule, Suggestion, Undone};
use earshot_app::triage::{self, HideLikeInput, InboxPage, RuleInput, TriageInput, TriageResult};
use earshot_app::ApiError;
use earshot_core::analysis::Explanation;
use tauri::State;

use crate::commands::{run as blocking, Shared};
use crate::listening::Listening;

#[tauri::command]
pub async fn mentions_inbox(ctx: Shared<'_>, filter: InboxFilter) -> Result<InboxPage, ApiError> {
    blocking(&ctx, move |c| triage::mentions_inbox(c, &filter)).await
}

#[tauri::command]
pub async fn mention_triage(ctx: Shared<'_>, input: TriageInput) -> Result<TriageResult, ApiError> {
    let result = blocking(&ctx, move |c| triage::mention_triage(c, &input)).await?;
    // What the decision taught re-orders the rest of the inbox; the decision itself is already saved.
    let _ = blocking(&ctx, triage::inbox_rescore).await;
    Ok(result)
}

#[tauri::command]
pub async fn mention_undo(ctx: Shared<'_>) -> Result<Option<Undone>, ApiError> {
    let undone = blocking(&ctx, triage::mention_undo).await?;
    // An undone decision takes back what it taught.
    let _ = blocking(&ctx, triage::inbox_rescore).await;
    Ok(undone)
}

#[tauri::command]
pub async fn mention_explain(ctx: Shared<'_>, id: i64) -> Result<Explanation, ApiError> {
    blocking(&ctx, move |c| triage::mention_explain(c, id)).await
}

#[tauri::command]
pub async fn mention_link(ctx: Shared<'_>, id: i64, contact_id: i64) -> Result<(), ApiError> {
    blocking(&ctx, move |c| triage::mention_link(c, id, contact_id)).await
}

#[tauri::command]
pub async fn mention_create_contact(ctx: Shared<'_>, id: i64) -> Result<i64, ApiError> {
    blocking(&ctx, move |c| triage::mention_create_contact(c, id)).await
}

#[tauri::command]
pub async fn mention_reply(
    ctx: Shared<'_>,
    listen: State<'_, Listening>,
    id: i64,
    text: String,
) -> Result<OutboxItem, ApiError> {
    let item = blocking(&ctx, move |c| triage::mention_reply(c, id, &text)).await?;
    listen.send_replies();
    Ok(item)
}

#[tauri::command]
pub async fn mention_mark_replied(ctx: Shared<'_>, id: i64) -> Result<(), ApiError> {
    blocking(&ctx, move |c| triage::mention_mark_replied(c, id)).await
}

#[tauri::command]
pub async fn mention_hide_like(ctx: Shared<'_>, input: HideLikeInput) -> Result<Rule, ApiError> {
    blocking(&ctx, move |c| triage::mention_hide_like(c, &input)).await
}

#[tauri::command]
pub async fn rules_list(ctx: Shared<'_>) -> Result<Vec<Rule>, ApiError> {
    blocking(&ctx, triage::rules_list).await
}

#[tauri::command]
pub async fn rule_add(ctx: Shared<'_>, input: RuleInput) -> Result<Rule, ApiError> {
    blocking(&ctx, move |c| triage::rule_add(c, &input)).await
}

#[tauri::command]
pub async fn rule_remove(ctx: Shared<'_>, id: i64) -> Result<(), ApiError> {
    blocking(&ctx, move |c| triage::rule_remove(c, id)).await
}

#[tauri::command]
pub async fn outbox_list(ctx: Shared<'_>) -> Result<Vec<OutboxItem>, ApiError> {
    blocking(&ctx, triage::outbox_list).await
}

#[tauri::command]
pub async fn outbox_retry(ctx: Shared<'_>, listen: State<'_, Listening>, id: i64) -> Result<OutboxItem, ApiError> {
    let item = blocking(&ctx, move |c| triage::outbox_retry(c, id)).await?;
    listen.send_replies();
    Ok(item)
}

#[tauri::command]
pub async fn people_list(ctx: Shared<'_>) -> Result<Vec<Person>, ApiError> {
    blocking(&ctx, triage::people_list).await
}

#[tauri::command]
pub async fn mention_suggest_contacts(ctx: Shared<'_>, id: i64) -> Result<Vec<Suggestion>, ApiError> {
    blocking(&ctx, move |c| triage::mention_suggest_contacts(c, id)).await
}
