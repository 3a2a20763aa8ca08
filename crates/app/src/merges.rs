//! Duplicates: suggestions with their evidence, merging, undoing a merge, and "not the same person".

use earshot_store::merges::{self as store_merges, MergeSuggestion};

use crate::{ApiError, Ctx};

pub fn merge_suggestions(ctx: &Ctx, limit: usize) -> Result<Vec<MergeSuggestion>, ApiError> {
    Ok(ctx.store.read(|c| store_merges::suggestions(c, limit))?)
}

/// Merges `merge_id` into `keep_id`; returns the merge's id for [`merge_undo`].
pub fn contact_merge(ctx: &Ctx, keep_id: i64, merge_id: i64) -> Result<i64, ApiError> {
    let now = ctx.now_text();
    let merge = ctx.store.write(|tx| store_merges::merge(tx, keep_id, merge_id, &now))?;
    tracing::info!(merge, kept = keep_id, merged = merge_id, "contacts merged");
    Ok(merge)
}

pub fn merge_undo(ctx: &Ctx, merge: i64) -> Result<(), ApiError> {
    let now = ctx.now_text();
    ctx.store.write(|tx| store_merges::undo(tx, merge, &now))?;
    tracing::info!(merge, "merge undone");
    Ok(())
}

pub fn merge_dismiss(ctx: &Ctx, a: i64, b: i64) -> Result<(), ApiError> {
    Ok(ctx.store.write(|tx| store_merges::dismiss(tx, a, b))?)
}
