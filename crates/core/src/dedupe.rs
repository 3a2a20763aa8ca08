//! Duplicate suggestions: which pairs of contacts are probably the same person, and the evidence.
//!
//! Evidence is exact (same email, phone or social handle) or fuzzy (names that are nearly the same at the
//! same organization). A key shared by many contacts (a shop's `info@` address, a switchboard number) says
//! nothing about identity and is skipped.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

/// What the duplicate finder needs to know about one contact.
#[derive(Debug, Clone, Default)]
pub struct Candidate {
    pub id: i64,
    pub name_key: String,
    pub org_key: Option<String>,
    pub email_keys: Vec<String>,
    pub phone_keys: Vec<String>,
    /// `network:handle` keys.
    pub handle_keys: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Evidence {
    SameEmail(String),
    SamePhone(String),
    SameHandle(String),
    SimilarNameSameOrganization(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    /// The lower id; merges keep it by default (it was there first).
    pub keep_id: i64,
    pub merge_id: i64,
    pub evidence: Vec<Evidence>,
    /// 0..1: exact evidence counts more than a similar name.
    pub confidence: f64,
}

/// Keys shared by more contacts than this are treated as shared addresses, not identity.
const MAX_GROUP: usize = 8;
/// Jaro-Winkler similarity from which two names at the same organization count as the same person.
const NAME_SIMILARITY: f64 = 0.92;

pub fn suggest(candidates: &[Candidate]) -> Vec<Suggestion> {
    let mut pairs: BTreeMap<(i64, i64), Vec<Evidence>> = BTreeMap::new();
    let mut add = |a: i64, b: i64, e: Evidence| {
        let key = if a < b { (a, b) } else { (b, a) };
        let list = pairs.entry(key).or_default();
        if !list.contains(&e) {
            list.push(e);
        }
    };

    let mut exact: HashMap<(u8, &str), Vec<i64>> = HashMap::new();
    for c in candidates {
        for k in &c.email_keys {
            exact.entry((0, k)).or_default().push(c.id);
        }
        for k in c.phone_keys.iter().filter(|k| k.len() >= 6) {
            exact.entry((1, k)).or_default().push(c.id);
        }
        for k in &c.handle_keys {
            exact.entry((2, k)).or_default().push(c.id);
        }
    }
    for ((kind, key), ids) in &exact {
        if ids.len() < 2 || ids.len() > MAX_GROUP {
            continue;
        }
        for (i, a) in ids.iter().enumerate() {
            for b in &ids[i + 1..] {
                if a == b {
                    continue;
                }
                let e = match kind {
                    0 => Evidence::SameEmail(key.to_string()),
                    1 => Evidence::SamePhone(key.to_string()),
                    _ => Evidence::SameHandle(key.to_string()),
                };
                add(*a, *b, e);
            }
        }
    }

    let mut by_org: HashMap<&str, Vec<&Candidate>> = HashMap::new();
    for c in candidates {
        if let Some(org) = c.org_key.as_deref().filter(|o| !o.is_empty()) {
            by_org.entry(org).or_default().push(c);
        }
    }
    for (org, members) in by_org {
        if members.len() > 2_000 {
            continue; // Comparing every pair would take too long; exact evidence still applies.
        }
        for (i, a) in members.iter().enumerate() {
            for b in &members[i + 1..] {
                if a.name_key.is_empty() || b.name_key.is_empty() {
                    continue;
                }
                if strsim::jaro_winkler(&a.name_key, &b.name_key) >= NAME_SIMILARITY {
                    add(a.id, b.id, Evidence::SimilarNameSameOrganization(org.to_string()));
                }
            }
        }
    }

    pairs
        .into_iter()
        .map(|((keep_id, merge_id), mut evidence)| {
            evidence.sort();
            let exact = evidence.iter().filter(|e| !matches!(e, Evidence::SimilarNameSameOrganization(_))).count();
            let confidence = match (exact, evidence.len() - exact) {
                (0, _) => 0.6,
                (1, 0) => 0.85,
                _ => 0.97,
            };
            Suggestion { keep_id, merge_id, evidence, confidence }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(id: i64, name: &str, org: Option<&str>, email: &[&str]) -> Candidate {
        Candidate {
            id,
            name_key: name.into(),
            org_key: org.map(String::from),
            email_keys: email.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn same_email_is_strong_evidence() {
        let s =
            suggest(&[c(1, "ann lee", None, &["a@x.com"]), c(2, "a. lee", None, &["a@x.com"]), c(3, "bob", None, &[])]);
        assert_eq!(s.len(), 1);
        assert_eq!((s[0].keep_id, s[0].merge_id), (1, 2));
        assert_eq!(s[0].evidence, vec![Evidence::SameEmail("a@x.com".into())]);
        assert!(s[0].confidence > 0.8);
    }

    #[test]
    fn similar_names_count_only_at_the_same_organization() {
        let s = suggest(&[
            c(1, "jonathan smith", Some("spokes"), &[]),
            c(2, "jonathon smith", Some("spokes"), &[]),
            c(3, "jonathan smith", Some("other"), &[]),
        ]);
        assert_eq!(s.len(), 1);
        assert_eq!((s[0].keep_id, s[0].merge_id), (1, 2));
    }

    #[test]
    fn a_shared_office_address_is_not_evidence() {
        let many: Vec<Candidate> = (0..20).map(|i| c(i, &format!("person {i}"), None, &["info@shop.com"])).collect();
        assert!(suggest(&many).is_empty());
    }
}
