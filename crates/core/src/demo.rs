//! The demo workspace: a neighbourhood bike shop's customers, suppliers and club riders, generated from a
//! seed so every run gives the same believable data. Also the synthetic rows the benchmarks import.

use chrono::{DateTime, Duration, Utc};

use crate::contact::{ActivityKind, ContactDraft, EmailDraft, IdentityDraft, PhoneDraft};

pub const BUSINESS_NAME: &str = "Spoke & Chain Cycles";

const GIVEN: [&str; 48] = [
    "Ann", "Bob", "Chloé", "Dev", "Elif", "Farah", "Gus", "Hana", "Ivan", "Jade", "Kofi", "Lena", "Mateo", "Nina",
    "Omar", "Priya", "Quinn", "Rosa", "Sam", "Tomás", "Uma", "Viktor", "Wen", "Ximena", "Yusuf", "Zoë", "Aisha",
    "Bruno", "Carmen", "Diego", "Emma", "Felix", "Grace", "Hugo", "Iris", "Jonas", "Kai", "Leila", "Marco", "Noor",
    "Oskar", "Paula", "Rafael", "Sofia", "Theo", "Ulla", "Vera", "Will",
];
const FAMILY: [&str; 40] = [
    "Adams",
    "Bauer",
    "Chen",
    "Dubois",
    "Eriksen",
    "Fernández",
    "García",
    "Hughes",
    "Ibrahim",
    "Jensen",
    "Kowalski",
    "Lindqvist",
    "Müller",
    "Nakamura",
    "O'Brien",
    "Patel",
    "Quint",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Usman",
    "Varga",
    "Walsh",
    "Xu",
    "Yilmaz",
    "Zimmermann",
    "Ahmed",
    "Brennan",
    "Costa",
    "Dvořák",
    "Evans",
    "Fischer",
    "Gómez",
    "Horvat",
    "Iyer",
    "Jovanović",
    "Khan",
    "López",
    "Moreau",
    "Novak",
];
const ORGS: [(&str, &str); 16] = [
    ("Riverside Riders Club", "Ride Captain"),
    ("Northside Bakery", "Owner"),
    ("Lumen Design Studio", "Art Director"),
    ("City Couriers Co-op", "Dispatcher"),
    ("Greenway Primary School", "Teacher"),
    ("Harbor Coffee Roasters", "Barista"),
    ("Velo Parts Wholesale", "Account Manager"),
    ("Tandem Physio", "Physiotherapist"),
    ("Old Mill Brewery", "Head Brewer"),
    ("Metro Council Transport", "Cycling Officer"),
    ("Peak Trail Tours", "Guide"),
    ("Brightside Dental", "Dentist"),
    ("Chainline Components", "Sales Rep"),
    ("Eastgate Library", "Librarian"),
    ("Fernwood Architects", "Partner"),
    ("Saddle & Sole Triathlon", "Coach"),
];
const CITIES: [&str; 6] = ["Riverside", "Northgate", "Old Town", "Eastgate", "Harbourside", "Millbrook"];
const TAGS: [&str; 9] = ["customer", "commuter", "road", "gravel", "mtb", "e-bike", "club", "vip", "family"];
const NOTES: [&str; 10] = [
    "Rides to work every day, about 12 km each way. Asked about winter tyres.",
    "Bought a gravel bike last spring; interested in the Saturday group ride.",
    "Prefers text messages to calls. Usually comes in on Thursday evenings.",
    "Has two kids learning to ride; asked about balance bikes and helmets.",
    "Training for a sportive in September. Wants a proper bike fit.",
    "Referred by the riding club. Very happy with the last service.",
    "Complained the first time about a slow repair; follow up personally next time.",
    "Runs a small café nearby and could stock our flyers.",
    "E-bike owner, battery is out of warranty next year.",
    "Posts ride photos on Mastodon and tags the shop.",
];
const SERVICES: [(&str, i64, i64); 6] = [
    ("Full service", 9_500, 14_000),
    ("Brake bleed", 4_500, 6_000),
    ("Puncture repair", 1_200, 1_800),
    ("Wheel true", 2_500, 3_500),
    ("Bike fit", 12_000, 15_000),
    ("Gear tune-up", 3_500, 5_000),
];
const PURCHASES: [(&str, i64, i64); 7] = [
    ("New road bike", 129_900, 289_900),
    ("Gravel bike", 149_900, 249_900),
    ("E-bike", 219_900, 399_900),
    ("Helmet", 5_900, 14_900),
    ("Lights set", 3_900, 8_900),
    ("Winter tyres", 7_800, 11_800),
    ("Kids' bike", 24_900, 39_900),
];

/// A small deterministic generator (SplitMix64): the same seed gives the same workspace everywhere.
pub struct Seeded(u64);

impl Seeded {
    pub fn new(seed: u64) -> Self {
        Seeded(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    pub fn between(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next_u64() % ((hi - lo).max(0) as u64 + 1)) as i64
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

fn ascii_slug(s: &str) -> String {
    deunicode::deunicode(s).to_lowercase().chars().filter(|c| c.is_ascii_alphanumeric()).collect()
}

/// The `i`-th synthetic person: unique email, plausible name and organization.
pub fn person(rng: &mut Seeded, i: usize) -> ContactDraft {
    let given = *rng.pick(&GIVEN);
    let family = *rng.pick(&FAMILY);
    let org = rng.chance(45).then(|| *rng.pick(&ORGS));
    let email = format!(
        "{}.{}{}@{}",
        ascii_slug(given),
        ascii_slug(family),
        i,
        if rng.chance(50) { "mail.example" } else { "post.example" }
    );
    let mut d = ContactDraft {
        given_name: given.into(),
        family_name: family.into(),
        display_name: format!("{given} {family}"),
        organization: org.map(|(o, _)| o.to_string()),
        title: org.map(|(_, t)| t.to_string()),
        city: Some(rng.pick(&CITIES).to_string()),
        emails: vec![EmailDraft { address: email, label: Some("home".into()) }],
        ..Default::default()
    };
    if rng.chance(70) {
        d.phones.push(PhoneDraft {
            number: format!("+44 7700 9{:05}", (i * 7919) % 100_000),
            label: Some("mobile".into()),
        });
    }
    let slug = format!("{}{}", ascii_slug(given), i);
    if rng.chance(20) {
        d.identities.push(IdentityDraft {
            network: "mastodon".into(),
            handle: format!("@{slug}@mastodon.social"),
            profile_url: Some(format!("https://mastodon.social/@{slug}")),
            follower_count: Some(rng.between(10, 4_000)),
        });
    }
    if rng.chance(15) {
        d.identities.push(IdentityDraft {
            network: "bluesky".into(),
            handle: format!("{slug}.bsky.social"),
            profile_url: Some(format!("https://bsky.app/profile/{slug}.bsky.social")),
            follower_count: Some(rng.between(5, 9_000)),
        });
    }
    let tag_count = rng.below(3) + 1;
    for _ in 0..tag_count {
        d.tags.push(rng.pick(&TAGS).to_string());
    }
    d.normalized().expect("generated people always have a name")
}

#[derive(Debug, Clone)]
pub struct DemoActivity {
    pub kind: ActivityKind,
    pub summary: String,
    pub occurred_at: DateTime<Utc>,
    pub amount_minor: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct DemoTask {
    pub title: String,
    pub due_at: DateTime<Utc>,
    pub done: bool,
}

/// An answer to "how likely are you to recommend the shop?".
#[derive(Debug, Clone)]
pub struct DemoAnswer {
    pub score: u8,
    pub comment: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct DemoContact {
    pub draft: ContactDraft,
    pub activities: Vec<DemoActivity>,
    pub tasks: Vec<DemoTask>,
    pub keep_in_touch_days: Option<i64>,
    pub answer: Option<DemoAnswer>,
}

const COMMENTS: [(u8, &str); 6] = [
    (10, "Fixed my gears the same day, brilliant"),
    (9, "Friendly and honest about what needs doing"),
    (8, "Good shop, a bit pricey"),
    (7, "Fine, but I waited a week for a part"),
    (4, "My wheel came back still wobbling"),
    (2, "Nobody called me back about my booking"),
];

/// The currency the demo shop trades in.
pub const CURRENCY: &str = "GBP";

/// The bike shop: `count` people with notes, purchases, services, follow-ups and cadences, dated before `now`.
pub fn workspace(count: usize, now: DateTime<Utc>) -> Vec<DemoContact> {
    let mut rng = Seeded::new(0xB1CE_5409);
    // Survey answers draw from their own sequence, so the rest of the demo is the same as before them.
    let mut survey = Seeded::new(0x5C0_4E5);
    (0..count)
        .map(|i| {
            let mut draft = person(&mut rng, i);
            if rng.chance(40) {
                draft.notes.push(rng.pick(&NOTES).to_string());
            }
            let mut activities = Vec::new();
            for _ in 0..rng.below(5) {
                let days_ago = rng.between(1, 700);
                let occurred_at = now - Duration::days(days_ago) - Duration::minutes(rng.between(0, 600));
                let activity = match rng.below(5) {
                    0 | 1 => {
                        let (what, lo, hi) = *rng.pick(&PURCHASES);
                        DemoActivity {
                            kind: ActivityKind::Purchase,
                            summary: what.into(),
                            occurred_at,
                            amount_minor: Some(rng.between(lo, hi) / 100 * 100),
                        }
                    }
                    2 => {
                        let (what, lo, hi) = *rng.pick(&SERVICES);
                        DemoActivity {
                            kind: ActivityKind::Service,
                            summary: what.into(),
                            occurred_at,
                            amount_minor: Some(rng.between(lo, hi) / 100 * 100),
                        }
                    }
                    3 => DemoActivity {
                        kind: ActivityKind::Visit,
                        summary: "Dropped by the shop".into(),
                        occurred_at,
                        amount_minor: None,
                    },
                    _ => DemoActivity {
                        kind: ActivityKind::Call,
                        summary: "Called about a repair".into(),
                        occurred_at,
                        amount_minor: None,
                    },
                };
                activities.push(activity);
            }
            let mut tasks = Vec::new();
            if rng.chance(12) {
                tasks.push(DemoTask {
                    title: format!("Follow up with {} about their service", draft.given_name),
                    due_at: now + Duration::days(rng.between(-5, 14)),
                    done: false,
                });
            }
            if rng.chance(5) {
                tasks.push(DemoTask {
                    title: "Send a thank-you note".into(),
                    due_at: now - Duration::days(rng.between(10, 60)),
                    done: true,
                });
            }
            let keep_in_touch_days = rng.chance(12).then(|| *rng.pick(&[30i64, 60, 90]));
            let answer = survey.chance(20).then(|| {
                let at = now - Duration::days(survey.between(1, 330));
                if survey.chance(40) {
                    // Most customers who answer are happy and say nothing more.
                    DemoAnswer { score: [9u8, 10, 10, 8][survey.below(4)], comment: None, at }
                } else {
                    let (score, comment) = *survey.pick(&COMMENTS);
                    DemoAnswer { score, comment: Some(comment.to_string()), at }
                }
            });
            DemoContact { draft, activities, tasks, keep_in_touch_days, answer }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_is_the_same_every_time_and_believable() {
        let now = Utc::now();
        let a = workspace(300, now);
        let b = workspace(300, now);
        assert_eq!(a.len(), 300);
        assert_eq!(a[17].draft, b[17].draft);
        assert!(a.iter().filter(|c| c.draft.organization.is_some()).count() > 60);
        assert!(a.iter().flat_map(|c| &c.activities).any(|x| x.kind == ActivityKind::Purchase));
        assert!(a.iter().any(|c| c.keep_in_touch_days.is_some()));
        let emails: std::collections::HashSet<_> = a.iter().map(|c| c.draft.emails[0].address.clone()).collect();
        assert_eq!(emails.len(), 300, "every demo email is unique");
    }
}
