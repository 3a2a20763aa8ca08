//! The shape of a contact as it arrives from a form or an import, before it has an id.

use serde::{Deserialize, Serialize};

use crate::text;

/// Longest value kept for any single text field of an imported contact; longer values are cut.
pub const MAX_FIELD_CHARS: usize = 4_000;
/// Largest embedded photo kept; bigger ones are dropped (the contact is still imported).
pub const MAX_PHOTO_BYTES: usize = 1024 * 1024;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EmailDraft {
    pub address: String,
    pub label: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PhoneDraft {
    pub number: String,
    pub label: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IdentityDraft {
    /// Lower-case network name: "mastodon", "bluesky", "linkedin", "twitter", "instagram", "web", ...
    pub network: String,
    pub handle: String,
    pub profile_url: Option<String>,
    pub follower_count: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Photo {
    pub mime: String,
    pub bytes: Vec<u8>,
}

/// Everything an import or a form can say about one person.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContactDraft {
    pub given_name: String,
    pub family_name: String,
    /// The name as the person is shown; derived from given + family when empty.
    pub display_name: String,
    pub organization: Option<String>,
    pub title: Option<String>,
    pub city: Option<String>,
    pub website: Option<String>,
    pub birthday: Option<String>,
    pub emails: Vec<EmailDraft>,
    pub phones: Vec<PhoneDraft>,
    pub identities: Vec<IdentityDraft>,
    pub tags: Vec<String>,
    pub notes: Vec<String>,
    pub photo: Option<Photo>,
}

impl ContactDraft {
    /// Fills the display name, trims and caps every field, drops empty and repeated emails/phones/tags.
    /// Returns the draft ready to store, or `None` when nothing identifies the person at all.
    pub fn normalized(mut self) -> Option<ContactDraft> {
        let cap = |s: &str| text::truncate_chars(s.trim(), MAX_FIELD_CHARS);
        self.given_name = cap(&self.given_name);
        self.family_name = cap(&self.family_name);
        self.display_name = cap(&self.display_name);
        for field in [&mut self.organization, &mut self.title, &mut self.city, &mut self.website, &mut self.birthday] {
            *field = field.as_deref().map(cap).filter(|s| !s.is_empty());
        }

        let mut seen = std::collections::HashSet::new();
        self.emails.retain_mut(|e| {
            e.address = cap(&e.address);
            !e.address.is_empty() && seen.insert(text::email_key(&e.address))
        });
        let mut seen = std::collections::HashSet::new();
        self.phones.retain_mut(|p| {
            p.number = cap(&p.number);
            !text::phone_key(&p.number).is_empty() && seen.insert(text::phone_key(&p.number))
        });
        let mut seen = std::collections::HashSet::new();
        self.identities.retain_mut(|i| {
            i.network = i.network.trim().to_lowercase();
            i.handle = cap(&i.handle);
            !i.handle.is_empty() && seen.insert((i.network.clone(), text::handle_key(&i.handle)))
        });
        let mut seen = std::collections::HashSet::new();
        self.tags.retain_mut(|t| {
            *t = text::truncate_chars(t.trim(), 100);
            !t.is_empty() && seen.insert(text::fold(t))
        });
        self.notes.retain_mut(|n| {
            *n = text::truncate_chars(n.trim(), 20 * MAX_FIELD_CHARS);
            !n.is_empty()
        });
        if self.photo.as_ref().is_some_and(|p| p.bytes.len() > MAX_PHOTO_BYTES) {
            self.photo = None;
        }

        if self.display_name.is_empty() {
            self.display_name = [self.given_name.as_str(), self.family_name.as_str()]
                .iter()
                .filter(|s| !s.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(" ");
        }
        if self.display_name.is_empty() {
            self.display_name = self
                .organization
                .clone()
                .or_else(|| self.emails.first().map(|e| e.address.clone()))
                .or_else(|| self.phones.first().map(|p| p.number.clone()))
                .or_else(|| self.identities.first().map(|i| i.handle.clone()))
                .unwrap_or_default();
        }
        if self.display_name.is_empty() {
            None
        } else {
            Some(self)
        }
    }
}

crate::closed_set::closed_set! {
    /// What kind of touch an activity is. Every kind counts as a touch for keep-in-touch purposes.
    pub enum ActivityKind("kind of activity") {
        Call = "call",
        Email = "email",
        Meeting = "meeting",
        Visit = "visit",
        Social = "social",
        Service = "service",
        Purchase = "purchase",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_name_comes_from_given_and_family_names() {
        let d = ContactDraft { given_name: " Ann ".into(), family_name: "Lee".into(), ..Default::default() }
            .normalized()
            .unwrap();
        assert_eq!(d.display_name, "Ann Lee");
    }

    #[test]
    fn a_contact_with_only_an_email_is_named_after_it() {
        let d = ContactDraft {
            emails: vec![EmailDraft { address: "x@example.com".into(), label: None }],
            ..Default::default()
        }
        .normalized()
        .unwrap();
        assert_eq!(d.display_name, "x@example.com");
    }

    #[test]
    fn an_empty_record_is_rejected() {
        assert!(ContactDraft::default().normalized().is_none());
    }

    #[test]
    fn repeated_emails_and_phones_are_kept_once() {
        let d = ContactDraft {
            display_name: "A".into(),
            emails: vec![
                EmailDraft { address: "A@x.com".into(), label: None },
                EmailDraft { address: "a@x.com".into(), label: None },
            ],
            phones: vec![
                PhoneDraft { number: "555-0100".into(), label: None },
                PhoneDraft { number: "(555) 0100".into(), label: None },
                PhoneDraft { number: "n/a".into(), label: None },
            ],
            ..Default::default()
        }
        .normalized()
        .unwrap();
        assert_eq!(d.emails.len(), 1);
        assert_eq!(d.phones.len(), 1);
    }

    #[test]
    fn activity_kinds_round_trip_through_text() {
        for k in ActivityKind::ALL {
            assert_eq!(ActivityKind::parse(k.as_str()), Some(*k));
        }
        assert_eq!(ActivityKind::parse("tweet"), None);
    }
}
