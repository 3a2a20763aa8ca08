//! Exports: every live contact as vCard 4.0 or CSV, or the whole workspace as JSON.

use std::collections::BTreeMap;

use earshot_core::{csv_export, vcard};
use earshot_store::activities::{self, Activity};
use earshot_store::contacts as store_contacts;
use earshot_store::imports::{self, ImportSummary};
use earshot_store::notes::{self, Note};
use earshot_store::tasks::{self, Task};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::contacts::ContactRecord;
use crate::{ApiError, Ctx};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Vcard,
    Csv,
    Json,
}

impl ExportFormat {
    pub fn parse(s: &str) -> Option<ExportFormat> {
        match s.trim().to_lowercase().as_str() {
            "vcard" | "vcf" => Some(ExportFormat::Vcard),
            "csv" => Some(ExportFormat::Csv),
            "json" => Some(ExportFormat::Json),
            _ => None,
        }
    }

    pub fn file_extension(self) -> &'static str {
        match self {
            ExportFormat::Vcard => "vcf",
            ExportFormat::Csv => "csv",
            ExportFormat::Json => "json",
        }
    }
}

#[derive(Debug, Serialize)]
struct ContactExport {
    #[serde(flatten)]
    record: ContactRecord,
    notes: Vec<Note>,
    activities: Vec<Activity>,
    tasks: Vec<Task>,
}

/// The full JSON export: everything needed to rebuild the workspace elsewhere.
#[derive(Debug, Serialize)]
struct WorkspaceExport {
    format: &'static str,
    version: u32,
    exported_at: String,
    settings: BTreeMap<String, String>,
    contacts: Vec<ContactExport>,
    imports: Vec<ImportSummary>,
    /// What Earshot listens for, where (sources, without their keychain items: sign-ins are never
    /// exported), and what it heard.
    queries: Vec<earshot_store::listening_queries::ListeningQuery>,
    sources: Vec<earshot_store::sources::Source>,
    mentions: Vec<earshot_store::mentions::Mention>,
}

pub fn export(ctx: &Ctx, format: ExportFormat) -> Result<String, ApiError> {
    let exported_at = ctx.now_text();
    let now = exported_at.clone();
    Ok(ctx.store.read(|c| {
        let ids = store_contacts::live_ids(c)?;
        match format {
            ExportFormat::Vcard => {
                let drafts = ids.iter().map(|id| store_contacts::draft_of(c, *id)).collect::<Result<Vec<_>, _>>()?;
                let cards: Vec<vcard::CardOut<'_>> = ids
                    .iter()
                    .zip(&drafts)
                    .map(|(id, draft)| vcard::CardOut { uid: format!("earshot:contact:{id}"), draft })
                    .collect();
                Ok(vcard::write(&cards))
            }
            ExportFormat::Csv => {
                let drafts = ids.iter().map(|id| store_contacts::draft_of(c, *id)).collect::<Result<Vec<_>, _>>()?;
                let rows: Vec<(i64, &earshot_core::ContactDraft)> = ids.iter().copied().zip(&drafts).collect();
                csv_export::write(&rows).map_err(|e| earshot_store::StoreError::Invalid(e.to_string()))
            }
            ExportFormat::Json => {
                let contacts = ids
                    .iter()
                    .map(|id| {
                        Ok(ContactExport {
                            record: store_contacts::get(c, *id)?.into(),
                            notes: notes::of_contact(c, *id)?,
                            activities: activities::of_contact(c, *id)?,
                            tasks: tasks::of_contact(c, *id)?,
                        })
                    })
                    .collect::<Result<Vec<_>, earshot_store::StoreError>>()?;
                let settings = earshot_store::settings::all(c)?;
                let export = WorkspaceExport {
                    format: "earshot-workspace",
                    version: 1,
                    exported_at,
                    settings,
                    contacts,
                    imports: imports::list(c)?,
                    queries: earshot_store::listening_queries::list(c)?,
                    sources: earshot_store::sources::list(c, &now)?,
                    mentions: earshot_store::mentions::list(c, i64::MAX)?,
                };
                serde_json::to_string_pretty(&export).map_err(|e| earshot_store::StoreError::Invalid(e.to_string()))
            }
        }
    })?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::ctx;

    #[test]
    fn a_vcard_export_imports_into_a_new_workspace_unchanged() {
        let (_d, ctx) = ctx();
        let contacts = crate::demo::demo_create(&ctx, 25).unwrap() as i64;
        let text = export(&ctx, ExportFormat::Vcard).unwrap();
        let (_d2, other) = crate::test_support::ctx();
        let summary =
            crate::imports::import_run(&other, "all.vcf", text.as_bytes(), &Default::default(), &mut |_| {}).unwrap();
        assert_eq!((summary.added, summary.rejected), (contacts, 0));
        let before = crate::contacts::contacts_all(&ctx).unwrap();
        let after = crate::contacts::contacts_all(&other).unwrap();
        let names = |v: &[ContactRecord]| {
            v.iter().map(|c| (c.name.clone(), c.emails.clone(), c.tags.clone())).collect::<Vec<_>>()
        };
        assert_eq!(names(&before), names(&after));
    }

    #[test]
    fn the_json_export_holds_contacts_with_their_timeline() {
        let (_d, ctx) = ctx();
        let contacts = crate::demo::demo_create(&ctx, 40).unwrap();
        let json: serde_json::Value = serde_json::from_str(&export(&ctx, ExportFormat::Json).unwrap()).unwrap();
        assert_eq!(json["format"], "earshot-workspace");
        assert_eq!(json["contacts"].as_array().unwrap().len(), contacts);
        assert!(json["contacts"].as_array().unwrap().iter().any(|c| !c["activities"].as_array().unwrap().is_empty()));
        assert_eq!(json["settings"]["currency"], "GBP");
    }

    #[test]
    fn the_json_export_holds_listening_but_never_a_sign_in() {
        let (_d, ctx) = ctx();
        crate::listening::queries_add(&ctx, "brand", "spoke").unwrap();
        ctx.store
            .write(|tx| {
                let s = earshot_store::sources::NewSource {
                    kind: "mastodon",
                    name: "@me@m.example",
                    url: "https://m.example/",
                    config: "{}",
                    credential_id: Some("mastodon:m.example:me"),
                };
                earshot_store::sources::add(tx, &s, "2026-11-25T12:00:00Z")
            })
            .unwrap();
        let text = export(&ctx, ExportFormat::Json).unwrap();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(json["queries"][0]["query"], "spoke");
        assert_eq!(json["sources"][0]["name"], "@me@m.example");
        assert!(!text.contains("mastodon:m.example:me"), "not even the keychain item's name");
    }
}
