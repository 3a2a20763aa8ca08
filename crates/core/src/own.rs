//! The owner's own accounts. What the business posts itself is its own activity, not something heard about
//! it: "we price-match cogsworth on all tune-ups", posted by the shop, is never a competitor mention in its
//! inbox. Two kinds of evidence say a post is the owner's:
//!
//! - a signed-in account, by the network's stable id of its author (a Bluesky DID, a Mastodon `user@host`),
//!   which survives a change of handle;
//! - a handle, name or profile address the owner listed as theirs, for sources with no sign-in (feeds,
//!   Hacker News, captures from closed networks). These compare whole, after trimming, dropping a leading
//!   `@` and folding case, so `@Shop` does not claim `@shop@elsewhere.social` or `Shop Fans`.

use std::collections::HashSet;

use crate::mention::MentionAuthor;
use crate::text::handle_key;

/// The owner's accounts and listed handles, ready to recognise their posts.
#[derive(Debug, Clone, Default)]
pub struct OwnAccounts {
    /// `(network, key)` of each signed-in account: its stable id and its handle.
    accounts: HashSet<(String, String)>,
    /// Keys of what the owner listed, on any network.
    listed: HashSet<String>,
}

/// How a handle, name or profile address compares.
fn key(s: &str) -> String {
    let s = handle_key(s);
    let s = s.strip_prefix("https://").or_else(|| s.strip_prefix("http://")).unwrap_or(&s);
    let s = s.strip_prefix("www.").unwrap_or(s);
    s.trim_end_matches('/').split_whitespace().collect::<Vec<_>>().join(" ")
}

impl OwnAccounts {
    /// How a handle, name or profile address compares: two spellings with the same key are the same.
    pub fn key_of(handle: &str) -> String {
        key(handle)
    }

    /// A signed-in account on `network`, by its stable id (and its handle and profile address, while it has
    /// them).
    pub fn add_account(&mut self, network: &str, id: &str) {
        let id = key(id);
        if !id.is_empty() {
            self.accounts.insert((network.to_string(), id));
        }
    }

    /// A handle, display name or profile address the owner says is theirs.
    pub fn add_listed(&mut self, handle: &str) {
        let handle = key(handle);
        if !handle.is_empty() {
            self.listed.insert(handle);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.accounts.is_empty() && self.listed.is_empty()
    }

    /// Whether `author`, heard on `network`, is the owner.
    pub fn is_own(&self, network: &str, author: &MentionAuthor) -> bool {
        if self.is_empty() {
            return false;
        }
        let account =
            |s: &Option<String>| s.as_deref().is_some_and(|s| self.accounts.contains(&(network.to_string(), key(s))));
        let listed = |s: &Option<String>| s.as_deref().is_some_and(|s| self.listed.contains(&key(s)));
        account(&author.id)
            || account(&author.handle)
            || account(&author.profile_url)
            || listed(&author.handle)
            || listed(&author.name)
            || listed(&author.profile_url)
    }
}

/// Cleans the owner's list of their own handles: trimmed, without blanks or repeats (compared as they
/// are matched), in the order given.
pub fn clean_listed(handles: &[String]) -> Vec<String> {
    let mut seen = HashSet::new();
    handles.iter().map(|h| h.trim().to_string()).filter(|h| !key(h).is_empty() && seen.insert(key(h))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn author(id: Option<&str>, handle: Option<&str>, name: Option<&str>, url: Option<&str>) -> MentionAuthor {
        MentionAuthor {
            id: id.map(str::to_string),
            handle: handle.map(str::to_string),
            name: name.map(str::to_string),
            profile_url: url.map(str::to_string),
            followers: None,
        }
    }

    #[test]
    fn a_signed_in_account_is_recognised_by_its_id_even_after_a_new_handle() {
        let mut own = OwnAccounts::default();
        own.add_account("bluesky", "did:plc:shop");
        own.add_account("bluesky", "shop.bsky.social");
        assert!(own.is_own("bluesky", &author(Some("did:plc:shop"), Some("@new-name.bsky.social"), None, None)));
        assert!(own.is_own("bluesky", &author(None, Some("@Shop.bsky.social"), None, None)));
        assert!(!own.is_own("bluesky", &author(Some("did:plc:someone"), Some("@fan.bsky.social"), None, None)));
        assert!(!own.is_own("mastodon", &author(Some("did:plc:shop"), None, None, None)), "ids are per network");
    }

    #[test]
    fn listed_handles_names_and_addresses_match_whole_on_any_network() {
        let mut own = OwnAccounts::default();
        own.add_listed(" @SpokeAndChain ");
        own.add_listed("Spoke & Chain");
        own.add_listed("https://www.youtube.com/@spokeandchain/");
        assert!(own.is_own("instagram", &author(None, Some("spokeandchain"), None, None)));
        assert!(own.is_own("feed", &author(None, None, Some("spoke &  chain"), None)));
        assert!(own.is_own("feed", &author(None, None, None, Some("http://youtube.com/@spokeandchain"))));
        assert!(!own.is_own("feed", &author(None, None, Some("Spoke & Chain fans"), None)));
        assert!(!own.is_own("mastodon", &author(None, Some("@spokeandchain@other.social"), None, None)));
    }

    #[test]
    fn nobody_is_the_owner_when_nothing_is_listed() {
        let own = OwnAccounts::default();
        assert!(!own.is_own("feed", &author(None, Some(""), Some(""), None)));
    }

    #[test]
    fn the_list_drops_blanks_and_repeats_keeping_the_first_spelling() {
        let listed = ["@Shop", "  ", "shop", "Shop Café", "@"].map(String::from);
        assert_eq!(clean_listed(&listed), vec!["@Shop".to_string(), "Shop Café".to_string()]);
    }
}
