//! The one registry of types the UI sees. `ui/src/lib/ipc/bindings.ts` is generated from it; the test below
//! fails when that file is stale. Regenerate with `EARSHOT_UPDATE_BINDINGS=1 cargo test -p earshot-app bindings`.

use ts_rs::{Config, TS};

fn decl<T: TS>(cfg: &Config) -> String {
    format!("export {}", T::decl(cfg))
}

/// TypeScript declarations of every type that crosses the IPC boundary.
pub fn declarations() -> Vec<String> {
    use earshot_store::*;
    let cfg = Config::new().with_large_int("number");
    vec![
        decl::<crate::ApiErrorCode>(&cfg),
        decl::<crate::ApiError>(&cfg),
        decl::<crate::workspace::WorkspaceInfo>(&cfg),
        decl::<crate::workspace::WorkspaceStart>(&cfg),
        decl::<crate::open_workspace::DemoReplaced>(&cfg),
        decl::<earshot_core::guided_start::BusinessProfile>(&cfg),
        decl::<earshot_core::guided_start::MastodonHashtag>(&cfg),
        decl::<earshot_core::guided_start::StartProposal>(&cfg),
        decl::<crate::guided_start::StartChoice>(&cfg),
        decl::<crate::guided_start::StartDone>(&cfg),
        decl::<channels::Email>(&cfg),
        decl::<channels::Phone>(&cfg),
        decl::<channels::Identity>(&cfg),
        decl::<contacts::ContactInput>(&cfg),
        decl::<contacts::ContactSummary>(&cfg),
        decl::<contacts::Contact>(&cfg),
        decl::<contacts::ContactPage>(&cfg),
        decl::<contacts::Reconnect>(&cfg),
        decl::<crate::contacts::ContactDetail>(&cfg),
        decl::<crate::contacts::ContactRecord>(&cfg),
        decl::<crate::contacts::TaskInput>(&cfg),
        decl::<tags::TagCount>(&cfg),
        decl::<notes::Note>(&cfg),
        decl::<activities::Activity>(&cfg),
        decl::<activities::ActivityInput>(&cfg),
        decl::<tasks::Task>(&cfg),
        decl::<earshot_core::ImportFormat>(&cfg),
        decl::<earshot_core::table::Field>(&cfg),
        decl::<earshot_core::table::ColumnRule>(&cfg),
        decl::<earshot_core::table::Mapping>(&cfg),
        decl::<earshot_core::table::Preview>(&cfg),
        decl::<crate::imports::ImportPreview>(&cfg),
        decl::<crate::imports::ImportOptions>(&cfg),
        decl::<crate::imports::ImportProgress>(&cfg),
        decl::<imports::ImportProblem>(&cfg),
        decl::<imports::ImportSummary>(&cfg),
        decl::<merges::EvidenceItem>(&cfg),
        decl::<merges::MergeSuggestion>(&cfg),
        decl::<crate::export::ExportFormat>(&cfg),
        decl::<listening_queries::ListeningQuery>(&cfg),
        decl::<crate::listening::QueryPreview>(&cfg),
        decl::<crate::listening::PreviewItem>(&cfg),
        decl::<sources::Source>(&cfg),
        decl::<mentions::MatchedQuery>(&cfg),
        decl::<mentions::Mention>(&cfg),
        decl::<crate::accounts::SecretsStatus>(&cfg),
        decl::<crate::diagnostics::Diagnostics>(&cfg),
        decl::<crate::sync::SourceResult>(&cfg),
        decl::<crate::outbox::OutboxRun>(&cfg),
        decl::<crate::sync::EngineEvent>(&cfg),
        decl::<earshot_core::triage::Decision>(&cfg),
        decl::<earshot_core::analysis::learn::Prediction>(&cfg),
        decl::<earshot_core::analysis::Intent>(&cfg),
        decl::<earshot_core::analysis::model::Reason>(&cfg),
        decl::<earshot_core::analysis::IntentReasons>(&cfg),
        decl::<earshot_core::analysis::Explanation>(&cfg),
        decl::<inbox::InboxFilter>(&cfg),
        decl::<crate::triage::InboxItem>(&cfg),
        decl::<crate::triage::InboxPage>(&cfg),
        decl::<crate::triage::TriageInput>(&cfg),
        decl::<triage::Decided>(&cfg),
        decl::<crate::triage::TriageResult>(&cfg),
        decl::<triage::Undone>(&cfg),
        decl::<triage::Rule>(&cfg),
        decl::<crate::triage::RuleInput>(&cfg),
        decl::<crate::triage::HideLikeInput>(&cfg),
        decl::<outbox::OutboxItem>(&cfg),
        decl::<crate::triage::Alerts>(&cfg),
        decl::<people::Person>(&cfg),
        decl::<people::Suggestion>(&cfg),
        decl::<earshot_core::orders::OrderFormat>(&cfg),
        decl::<earshot_core::orders::OrderField>(&cfg),
        decl::<earshot_core::orders::OrderMapping>(&cfg),
        decl::<earshot_core::orders::OrdersPreview>(&cfg),
        decl::<orders::Order>(&cfg),
        decl::<orders::OrderCounts>(&cfg),
        decl::<orders::WaitingBuyer>(&cfg),
        decl::<crate::value::OrdersImportOptions>(&cfg),
        decl::<crate::value::OrdersImported>(&cfg),
        decl::<nps::NpsCounts>(&cfg),
        decl::<nps::NpsAnswer>(&cfg),
        decl::<crate::value::NpsImported>(&cfg),
        decl::<crate::value::NpsInput>(&cfg),
        decl::<earshot_core::value::ServiceCosts>(&cfg),
        decl::<earshot_core::value::InfluenceWeights>(&cfg),
        decl::<earshot_core::value::ValueSettings>(&cfg),
        decl::<earshot_core::value::LifetimeValue>(&cfg),
        decl::<earshot_core::value::Segment>(&cfg),
        decl::<value::ContactValue>(&cfg),
        decl::<earshot_core::hours::Opening>(&cfg),
        decl::<earshot_core::hours::OpeningHours>(&cfg),
        decl::<crate::value::ValueConfig>(&cfg),
        decl::<earshot_core::metrics::Nps>(&cfg),
        decl::<earshot_core::metrics::BrandShare>(&cfg),
        decl::<earshot_core::metrics::ResponseTime>(&cfg),
        decl::<earshot_core::metrics::Cohort>(&cfg),
        decl::<earshot_core::metrics::Retention>(&cfg),
        decl::<metrics::Revenue>(&cfg),
        decl::<metrics::MonthNps>(&cfg),
        decl::<metrics::PersonScore>(&cfg),
        decl::<metrics::WeekVolume>(&cfg),
        decl::<metrics::SegmentCount>(&cfg),
        decl::<metrics::LeadsConverted>(&cfg),
        decl::<followers::FollowerCount>(&cfg),
        decl::<metrics::Dashboard>(&cfg),
        decl::<cases::Case>(&cfg),
        decl::<nps::Detractor>(&cfg),
        decl::<crate::today::ContactBrief>(&cfg),
        decl::<crate::today::SegmentMember>(&cfg),
        decl::<crate::today::Today>(&cfg),
    ]
}

pub fn typescript() -> String {
    let mut out = String::from(
        "// Generated from the Rust types by crates/app/src/bindings.rs. Do not edit: regenerate with\n\
         // EARSHOT_UPDATE_BINDINGS=1 cargo test -p earshot-app bindings\n\n",
    );
    for d in declarations() {
        out.push_str(&d);
        out.push_str("\n\n");
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    #[test]
    fn the_committed_typescript_bindings_match_the_rust_types() {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/lib/ipc/bindings.ts");
        let fresh = super::typescript();
        if std::env::var("EARSHOT_UPDATE_BINDINGS").as_deref() == Ok("1") {
            std::fs::write(&path, &fresh).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == fresh,
            "ui/src/lib/ipc/bindings.ts is stale: run EARSHOT_UPDATE_BINDINGS=1 cargo test -p earshot-app bindings"
        );
    }
}
