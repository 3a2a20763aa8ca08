//! The workspace as a whole: what it is, and the first-launch choice between the demo and an empty book.

use earshot_store::{contacts, settings};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{ApiError, Ctx};

#[derive(Debug, Clone, Serialize, TS)]
pub struct WorkspaceInfo {
    pub path: String,
    #[ts(type = "number")]
    pub contacts: i64,
    /// "demo" or "empty"; `null` until the owner has chosen on first launch.
    pub kind: Option<String>,
    pub business_name: Option<String>,
    pub currency: String,
    /// The BCP 47 locale money, numbers and dates are shown in ([`display_locale`]).
    pub locale: String,
    /// The last session did not close cleanly; the database was checked and is fine.
    pub recovered_from_unclean_shutdown: bool,
    /// An empty workspace not yet through the guided start ([`crate::guided_start::pending`]).
    pub guided_start: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum WorkspaceStart {
    Demo,
    Empty,
}

pub fn workspace_info(ctx: &Ctx) -> Result<WorkspaceInfo, ApiError> {
    let guided_start = crate::guided_start::pending(ctx)?;
    Ok(ctx.store.read(|c| {
        Ok(WorkspaceInfo {
            path: ctx.store.path().display().to_string(),
            contacts: contacts::page(c, 0, 0, None)?.total,
            kind: settings::get(c, settings::WORKSPACE_KIND)?,
            business_name: settings::get(c, settings::BUSINESS_NAME)?,
            currency: settings::currency(c)?,
            locale: display_locale(&settings::currency(c)?),
            recovered_from_unclean_shutdown: ctx.store.recovered_from_unclean_shutdown,
            guided_start,
        })
    })?)
}

/// The locale money, numbers and dates are shown in: the computer's (`LC_ALL`, `LC_MONETARY`, then `LANG` on
/// Unix; the platform's setting elsewhere) when it names a language, else the home of the workspace's
/// currency. A machine left on the C locale would otherwise show `£ 167552.00` and US dates to a shop that
/// counts in pounds.
pub fn display_locale(currency: &str) -> String {
    let from_env = ["LC_ALL", "LC_MONETARY", "LANG"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
        .and_then(|v| bcp47(&v));
    from_env
        .or_else(|| sys_locale::get_locale().and_then(|v| bcp47(&v)))
        .unwrap_or_else(|| home_locale(currency).to_string())
}

/// `en_GB.UTF-8` as `en-GB`; `None` for the C and POSIX locales and anything that is not a language tag.
fn bcp47(raw: &str) -> Option<String> {
    let tag = raw.split(['.', '@']).next().unwrap_or_default().replace('_', "-");
    let language = tag.split('-').next().unwrap_or_default();
    let valid = (2..=3).contains(&language.len())
        && language.chars().all(|c| c.is_ascii_lowercase())
        && tag.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    valid.then_some(tag)
}

/// Where a currency is at home, in English (the app's language).
fn home_locale(currency: &str) -> &'static str {
    match currency {
        "GBP" => "en-GB",
        "USD" => "en-US",
        "EUR" => "en-IE",
        "CAD" => "en-CA",
        "AUD" => "en-AU",
        "NZD" => "en-NZ",
        "INR" => "en-IN",
        "ZAR" => "en-ZA",
        "CHF" => "de-CH",
        "SEK" => "sv-SE",
        "NOK" => "nb-NO",
        "DKK" => "da-DK",
        "PLN" => "pl-PL",
        "JPY" => "ja-JP",
        _ => "en-GB",
    }
}

/// The first-launch choice: fill the workspace with the demo shop, or start empty.
pub fn workspace_start(ctx: &Ctx, start: WorkspaceStart) -> Result<WorkspaceInfo, ApiError> {
    match start {
        WorkspaceStart::Demo => {
            crate::demo::demo_create(ctx, crate::demo::DEMO_CONTACTS)?;
        }
        WorkspaceStart::Empty => ctx.store.write(|tx| settings::set(tx, settings::WORKSPACE_KIND, "empty"))?,
    }
    workspace_info(ctx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_os_locale_is_read_as_a_language_tag_and_the_c_locale_is_not_one() {
        assert_eq!(bcp47("en_GB.UTF-8").as_deref(), Some("en-GB"));
        assert_eq!(bcp47("fr_FR@euro").as_deref(), Some("fr-FR"));
        assert_eq!(bcp47("de-CH").as_deref(), Some("de-CH"));
        assert_eq!(bcp47("C"), None);
        assert_eq!(bcp47("C.UTF-8"), None);
        assert_eq!(bcp47("POSIX"), None);
        assert_eq!(bcp47(""), None);
    }

    #[test]
    fn without_a_usable_os_locale_a_shop_counting_in_pounds_is_shown_british_formats() {
        assert_eq!(home_locale("GBP"), "en-GB");
        assert_eq!(home_locale("XYZ"), "en-GB");
    }
}
