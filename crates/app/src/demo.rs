//! The demo workspace: a neighbourhood bike shop with its customers and its social life (see
//! [`crate::demo_listening`]), so a first-time owner sees all of Earshot at work on believable data.

use earshot_core::contact::ActivityKind;
use earshot_core::demo;
use earshot_store::activities::{self, NewActivity};
use earshot_store::{contacts, nps, settings, tasks};

use crate::{ApiError, Ctx};

/// How many people the demo shop knows.
pub const DEMO_CONTACTS: usize = 320;

/// Fills an empty workspace with the demo shop; refuses a workspace that already has contacts. Returns how
/// many contacts it holds: the `count` generated people and the leads its listening brought in.
pub fn demo_create(ctx: &Ctx, count: usize) -> Result<usize, ApiError> {
    let existing = ctx.store.read(|c| contacts::page(c, 0, 0, None))?.total;
    if existing > 0 {
        return Err(ApiError::invalid(format!(
            "this workspace already has {existing} contacts; the demo goes into a new, empty workspace (use --db NEW_FILE)"
        )));
    }
    let now = ctx.now();
    let now_text = ctx.now_text();
    let people = demo::workspace(count, now);
    let customers = ctx.store.write(|tx| {
        let mut customers = Vec::new();
        settings::set(tx, settings::BUSINESS_NAME, demo::BUSINESS_NAME)?;
        settings::set(tx, settings::CURRENCY, demo::CURRENCY)?;
        settings::set(tx, settings::WORKSPACE_KIND, "demo")?;
        for person in &people {
            let id = contacts::insert(tx, &person.draft, None, &now_text)?;
            if person.activities.iter().any(|a| a.kind == ActivityKind::Purchase) {
                customers.push((id, person.draft.display_name.clone()));
            }
            for a in &person.activities {
                let activity = NewActivity {
                    kind: a.kind,
                    summary: a.summary.clone(),
                    occurred_at: earshot_store::timestamp(a.occurred_at),
                    amount_minor: a.amount_minor,
                    cost_minor: None,
                    currency: a.amount_minor.map(|_| demo::CURRENCY.to_string()),
                };
                activities::add(tx, id, &activity, &now_text)?;
            }
            for t in &person.tasks {
                let task = tasks::add(tx, id, &t.title, Some(&earshot_store::timestamp(t.due_at)), &now_text)?;
                if t.done {
                    tasks::set_done(tx, task, true, &now_text)?;
                }
            }
            if let Some(a) = &person.answer {
                nps::record(tx, id, a.score, a.comment.as_deref(), a.at, &now_text)?;
            }
            if let Some(days) = person.keep_in_touch_days {
                // The cadence started a year ago, so contacts never touched since show as overdue.
                let since = earshot_store::timestamp(now - chrono::Duration::days(365));
                contacts::set_keep_in_touch(tx, id, Some(days), &since)?;
            }
        }
        Ok(customers)
    })?;
    crate::demo_listening::create(ctx, &customers)?;
    crate::value::values_refresh(ctx)?;
    Ok(ctx.store.read(|c| contacts::page(c, 0, 0, None))?.total as usize)
}
