//! Whether two records are the same person, for every import (contacts, orders, surveys).
//!
//! In a small business's address book a phone number or an address is often not one person's: a shop's
//! landline, a company switchboard, a household's phone, `info@` and `orders@`. So only strong evidence
//! merges on its own: the same personal email, the same social profile, or the same phone *and* a
//! compatible name. A shared phone or a role address never merges people whose names differ: they become
//! a duplicate suggestion, with the evidence, for the owner to decide.
//!
//! Names are compatible when the family names are the same and the given names are equal, or one is an
//! initial or a known short form of the other ("J." and "John", "Bob" and "Robert", "Alex" and
//! "Alexander"). A record without a name conflicts with nobody.

use crate::text::fold;

/// Mailbox names that stand for a role or a desk, not a person.
const ROLE_MAILBOXES: &[&str] = &[
    "info",
    "orders",
    "order",
    "hello",
    "sales",
    "support",
    "office",
    "contact",
    "contacts",
    "admin",
    "team",
    "enquiries",
    "enquiry",
    "inquiries",
    "inquiry",
    "mail",
    "reception",
    "accounts",
    "accounting",
    "billing",
    "bookings",
    "booking",
    "reservations",
    "shop",
    "store",
    "service",
    "help",
    "helpdesk",
    "noreply",
    "no-reply",
    "hr",
    "jobs",
    "careers",
    "press",
    "marketing",
    "events",
    "customerservice",
    "customer.service",
    "webmaster",
    "postmaster",
    "general",
    "studio",
    "workshop",
    "frontdesk",
    "finance",
    "invoices",
    "purchasing",
];

/// Whether an address is a role's (`info@`, `orders@`...) rather than a person's.
pub fn is_role_address(address: &str) -> bool {
    let local = address.trim().rsplit_once('@').map_or("", |(local, _)| local).to_lowercase();
    let local = local.split('+').next().unwrap_or_default();
    ROLE_MAILBOXES.contains(&local)
}

/// Short forms of given names, each with its full forms.
const SHORT_FORMS: &[(&str, &[&str])] = &[
    ("abby", &["abigail"]),
    ("al", &["albert", "alan", "alfred", "alexander"]),
    ("andy", &["andrew"]),
    ("becky", &["rebecca"]),
    ("ben", &["benjamin"]),
    ("beth", &["elizabeth", "bethany"]),
    ("bill", &["william"]),
    ("billy", &["william"]),
    ("bob", &["robert"]),
    ("bobby", &["robert"]),
    ("cathy", &["catherine", "cathleen"]),
    ("chris", &["christopher", "christine", "christina"]),
    ("chuck", &["charles"]),
    ("dan", &["daniel"]),
    ("danny", &["daniel"]),
    ("dave", &["david"]),
    ("debbie", &["deborah"]),
    ("dick", &["richard"]),
    ("ed", &["edward", "edwin"]),
    ("eddie", &["edward"]),
    ("fred", &["frederick", "alfred"]),
    ("frank", &["francis", "franklin"]),
    ("greg", &["gregory"]),
    ("hank", &["henry"]),
    ("harry", &["henry", "harold"]),
    ("jack", &["john", "jackson"]),
    ("jake", &["jacob"]),
    ("jim", &["james"]),
    ("jimmy", &["james"]),
    ("jen", &["jennifer"]),
    ("jenny", &["jennifer"]),
    ("jess", &["jessica"]),
    ("joe", &["joseph"]),
    ("jon", &["jonathan"]),
    ("josh", &["joshua"]),
    ("kate", &["katherine", "catherine", "kathleen"]),
    ("katie", &["katherine", "catherine", "kathleen"]),
    ("kathy", &["katherine", "kathleen"]),
    ("kim", &["kimberly"]),
    ("larry", &["lawrence"]),
    ("liz", &["elizabeth"]),
    ("lizzie", &["elizabeth"]),
    ("maggie", &["margaret"]),
    ("mandy", &["amanda"]),
    ("matt", &["matthew"]),
    ("meg", &["margaret"]),
    ("mike", &["michael"]),
    ("mick", &["michael"]),
    ("nat", &["natalie", "nathan", "nathaniel"]),
    ("nick", &["nicholas"]),
    ("pam", &["pamela"]),
    ("pat", &["patrick", "patricia"]),
    ("peggy", &["margaret"]),
    ("pete", &["peter"]),
    ("rick", &["richard"]),
    ("rob", &["robert"]),
    ("ron", &["ronald"]),
    ("sam", &["samuel", "samantha"]),
    ("sandy", &["sandra", "alexander"]),
    ("steve", &["stephen", "steven"]),
    ("sue", &["susan", "suzanne"]),
    ("ted", &["edward", "theodore"]),
    ("tim", &["timothy"]),
    ("tom", &["thomas"]),
    ("tony", &["anthony"]),
    ("trish", &["patricia"]),
    ("vicky", &["victoria"]),
    ("will", &["william"]),
    ("zach", &["zachary"]),
];

/// A person's name, as compared: folded given and family names.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PersonName {
    given: String,
    family: String,
}

impl PersonName {
    /// From the structured names when a record has them, else from the name as shown ("Ann Lee", "Lee,
    /// Ann"): the last word is the family name.
    pub fn new(given: &str, family: &str, display: &str) -> PersonName {
        let (given, family) = (fold(given), fold(family));
        if !given.is_empty() || !family.is_empty() {
            return PersonName { given, family };
        }
        let display = fold(display);
        if let Some((family, given)) = display.split_once(',') {
            return PersonName { given: given.trim().to_string(), family: family.trim().to_string() };
        }
        match display.rsplit_once(' ') {
            Some((given, family)) => PersonName { given: given.trim().to_string(), family: family.to_string() },
            None => PersonName { given: String::new(), family: display },
        }
    }

    pub fn is_empty(&self) -> bool {
        self.given.is_empty() && self.family.is_empty()
    }

    /// Whether the two could be the same person (see the module's rules).
    pub fn compatible(&self, other: &PersonName) -> bool {
        if self.is_empty() || other.is_empty() {
            return true;
        }
        self.family == other.family && given_compatible(&self.given, &other.given)
    }
}

fn first_word(s: &str) -> &str {
    s.split([' ', '-']).next().unwrap_or_default().trim_end_matches('.')
}

fn given_compatible(a: &str, b: &str) -> bool {
    if a.is_empty() || b.is_empty() || a == b {
        return true;
    }
    let (a, b) = (first_word(a), first_word(b));
    if a == b {
        return true;
    }
    let initial = |short: &str, long: &str| short.chars().count() == 1 && long.starts_with(short);
    let short_form = |short: &str, long: &str| {
        SHORT_FORMS.iter().any(|(s, full)| *s == short && full.contains(&long))
            || (short.chars().count() >= 3 && long.starts_with(short))
    };
    initial(a, b) || initial(b, a) || short_form(a, b) || short_form(b, a)
}

/// One record of an export, as far as untangling needs it: who it names and which emails and phones it
/// brought (as they are compared: `text::email_key`, `text::phone_key`).
#[derive(Debug, Clone)]
pub struct Brought {
    pub name: PersonName,
    pub display_name: String,
    pub organization: Option<String>,
    pub title: Option<String>,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
}

/// A person to take out of a contact that several people were merged into: their name as their record
/// gave it, the emails that go back to them, the phones that go back to them (brought by them alone) and
/// the phones they shared with whoever stays (a switchboard: copied, not taken away).
#[derive(Debug, Clone, PartialEq)]
pub struct Separated {
    pub display_name: String,
    pub organization: Option<String>,
    pub title: Option<String>,
    pub emails: Vec<String>,
    pub phones_moved: Vec<String>,
    pub phones_shared: Vec<String>,
}

/// The people to take out of a contact named `contact` that was made of `records`: records whose names are
/// compatible are one person; the person compatible with the contact's own name stays (else the first
/// record's), and each other person gets back what they brought. Empty when the records are all one person.
pub fn separate(contact: &PersonName, records: &[Brought]) -> Vec<Separated> {
    let mut people: Vec<Vec<&Brought>> = Vec::new();
    for r in records {
        match people.iter_mut().find(|p| p[0].name.compatible(&r.name) && !p[0].name.is_empty()) {
            Some(person) => person.push(r),
            None => people.push(vec![r]),
        }
    }
    let staying = people.iter().position(|p| !contact.is_empty() && p[0].name.compatible(contact)).unwrap_or(0);
    let kept = |pick: fn(&Brought) -> &Vec<String>| -> Vec<&String> {
        people.get(staying).into_iter().flatten().flat_map(|r| pick(r)).collect()
    };
    let (kept_emails, kept_phones) = (kept(|r| &r.emails), kept(|r| &r.phones));
    let gathered = |person: &[&Brought], pick: fn(&Brought) -> &Vec<String>| -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for key in person.iter().flat_map(|r| pick(r)) {
            if !out.contains(key) {
                out.push(key.clone());
            }
        }
        out
    };
    people
        .iter()
        .enumerate()
        .filter(|(i, person)| *i != staying && !person[0].name.is_empty())
        .map(|(_, person)| {
            let first = person[0];
            let phones = gathered(person, |r| &r.phones);
            let (phones_shared, phones_moved) = phones.into_iter().partition(|p| kept_phones.contains(&p));
            Separated {
                display_name: first.display_name.clone(),
                organization: person.iter().find_map(|r| r.organization.clone()),
                title: person.iter().find_map(|r| r.title.clone()),
                emails: gathered(person, |r| &r.emails).into_iter().filter(|e| !kept_emails.contains(&e)).collect(),
                phones_moved,
                phones_shared,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(display: &str) -> PersonName {
        PersonName::new("", "", display)
    }

    #[test]
    fn the_same_family_with_an_initial_or_a_short_form_is_compatible() {
        for (a, b) in [
            ("John Smith", "J. Smith"),
            ("Robert Smith", "Bob Smith"),
            ("Alexander Brown", "Alex Brown"),
            ("Zoë Martin", "zoe martin"),
            ("Smith, Kate", "Katherine Smith"),
            ("Ann-Marie Lee", "Ann Lee"),
            ("", "Anyone Atall"),
        ] {
            assert!(name(a).compatible(&name(b)), "{a} / {b}");
        }
    }

    #[test]
    fn colleagues_and_couples_are_not_compatible() {
        for (a, b) in [("Ann Lee", "Tom Ward"), ("Ann Lee", "Tom Lee"), ("Jo Park", "Jo Kim"), ("Sam Lee", "Tim Lee")] {
            assert!(!name(a).compatible(&name(b)), "{a} / {b}");
        }
    }

    #[test]
    fn structured_names_come_before_the_shown_name() {
        assert_eq!(PersonName::new("Ann", "Lee", "Dr Ann Lee PhD"), PersonName::new("", "", "Ann Lee"));
    }

    fn brought(display: &str, emails: &[&str], phones: &[&str]) -> Brought {
        Brought {
            name: name(display),
            display_name: display.into(),
            organization: Some("Harbour".into()),
            title: None,
            emails: emails.iter().map(|e| e.to_string()).collect(),
            phones: phones.iter().map(|p| p.to_string()).collect(),
        }
    }

    #[test]
    fn colleagues_merged_on_a_switchboard_get_back_what_each_brought() {
        let records = [
            brought("Ann Lee", &["ann@h.example"], &["442079460000"]),
            brought("Tom Ward", &["tom@h.example"], &["442079460000", "7700900111"]),
            brought("A. Lee", &["ann.lee@mail.example"], &[]),
            brought("Sue Park", &[], &["442079460000"]),
        ];
        let out = separate(&name("Ann Lee"), &records);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].display_name, "Tom Ward");
        assert_eq!(out[0].emails, vec!["tom@h.example"]);
        assert_eq!(out[0].phones_moved, vec!["7700900111"]);
        assert_eq!(out[0].phones_shared, vec!["442079460000"], "the switchboard stays with Ann too");
        assert_eq!(out[1].display_name, "Sue Park");
        assert!(out[1].emails.is_empty());
        assert!(separate(&name("Ann Lee"), &records[..1]).is_empty());
        assert!(separate(&name("Ann Lee"), &[records[0].clone(), records[2].clone()]).is_empty(), "one person");
    }

    #[test]
    fn role_addresses_are_known_by_their_mailbox() {
        for role in ["info@shop.example", "Orders@Shop.Example", "hello+web@agency.example", "support@x.co"] {
            assert!(is_role_address(role), "{role}");
        }
        for person in ["ann@shop.example", "ann.info@x.example", "information-desk-ann@x.example"] {
            assert!(!is_role_address(person), "{person}");
        }
    }
}
