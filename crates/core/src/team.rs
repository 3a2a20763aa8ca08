//! Sharing one workspace between desktops: how every change is stamped, named and settled, whatever order
//! the desktops see it in.
//!
//! - A [`Stamp`] is a hybrid logical clock reading: wall-clock milliseconds, a counter, and the device. It
//!   follows real time where the clocks agree, never goes backwards on one device, and orders every two
//!   changes the same way on every desktop (the device breaks ties).
//! - A stamp too far ahead of the receiver's clock ([`MAX_SKEW_MILLIS`]) is refused; the receiver stamps
//!   the change again with its own clock, so a desktop whose clock runs a day fast cannot win every
//!   conflict for a day.
//! - A field is a [`Register`]: the newer stamp wins, and the losing value is kept in its history, so
//!   "changed on the laptop while offline" can be shown and taken back.
//! - Rows are named by UUIDv7 ([`row_id`]); a mention by the post it is ([`mention_id`], [`PostKey`]), so two
//!   desktops that hear the same post make one mention.
//!
//! Nothing here reads the clock or draws randomness: callers pass the wall time and random bytes.

use std::cmp::Ordering;
use std::fmt;

/// How far ahead of the receiver's clock a stamp may be before it is refused and stamped again: five
/// minutes, far more than the drift of a synchronised clock and far less than a wrong date or time zone.
pub const MAX_SKEW_MILLIS: i64 = 5 * 60 * 1000;

/// One desktop of the team, named once when it joins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DeviceId(pub u64);

impl fmt::Display for DeviceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

/// A hybrid logical clock reading. Ordered by time, then counter, then device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Stamp {
    pub millis: i64,
    pub counter: u32,
    pub device: DeviceId,
}

impl Ord for Stamp {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.millis, self.counter, self.device).cmp(&(other.millis, other.counter, other.device))
    }
}

impl PartialOrd for Stamp {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Stamp {
    /// Fixed-width text that sorts as the stamp does (SQLite and PostgreSQL compare it as text):
    /// `0001732968000000-000000-00000000000000ab`.
    pub fn encode(&self) -> String {
        format!("{:016}-{:06}-{}", self.millis.max(0), self.counter.min(999_999), self.device)
    }

    pub fn decode(text: &str) -> Option<Stamp> {
        let mut parts = text.split('-');
        let (millis, counter, device) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || millis.len() != 16 || counter.len() != 6 || device.len() != 16 {
            return None;
        }
        Some(Stamp {
            millis: millis.parse().ok()?,
            counter: counter.parse().ok()?,
            device: DeviceId(u64::from_str_radix(device, 16).ok()?),
        })
    }
}

impl fmt::Display for Stamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.encode())
    }
}

/// A stamp refused for being too far ahead of this desktop's clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooFarAhead {
    pub stamp: Stamp,
    pub ahead_millis: i64,
}

/// One desktop's clock: the last stamp it gave or saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    last: Stamp,
}

impl Clock {
    /// A clock that has given nothing yet, or that resumes after `last` (kept across restarts).
    pub fn new(device: DeviceId, last: Option<Stamp>) -> Clock {
        Clock { last: last.unwrap_or(Stamp { millis: 0, counter: 0, device }) }
    }

    pub fn device(&self) -> DeviceId {
        self.last.device
    }

    pub fn last(&self) -> Stamp {
        self.last
    }

    /// The stamp of a change made here now.
    pub fn tick(&mut self, wall_millis: i64) -> Stamp {
        let device = self.last.device;
        self.last = if wall_millis > self.last.millis {
            Stamp { millis: wall_millis, counter: 0, device }
        } else {
            Stamp { millis: self.last.millis, counter: self.last.counter + 1, device }
        };
        self.last
    }

    /// Takes in a stamp from another desktop, so every later stamp here is newer than it; refuses one too
    /// far ahead of this clock ([`MAX_SKEW_MILLIS`]), leaving the clock as it was.
    pub fn witness(&mut self, seen: Stamp, wall_millis: i64) -> Result<(), TooFarAhead> {
        let ahead = seen.millis - wall_millis.max(self.last.millis);
        if ahead > MAX_SKEW_MILLIS {
            return Err(TooFarAhead { stamp: seen, ahead_millis: ahead });
        }
        if seen.millis > self.last.millis || (seen.millis == self.last.millis && seen.counter > self.last.counter) {
            self.last = Stamp { millis: seen.millis, counter: seen.counter, device: self.last.device };
        }
        Ok(())
    }

    /// The stamp a change carries here: its own when it is not too far ahead (the clock then witnesses it),
    /// else a fresh one from this clock.
    pub fn accept(&mut self, seen: Stamp, wall_millis: i64) -> Stamp {
        match self.witness(seen, wall_millis) {
            Ok(()) => seen,
            Err(_) => self.tick(wall_millis),
        }
    }
}

/// A value that lost to a newer one: what it was, and when and where it was set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overwritten<V> {
    pub value: V,
    pub stamp: Stamp,
}

/// One field shared by the team: the newest value wins, and every value that lost is kept, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Register<V> {
    pub value: V,
    pub stamp: Stamp,
    pub history: Vec<Overwritten<V>>,
}

impl<V: Clone> Register<V> {
    pub fn new(value: V, stamp: Stamp) -> Register<V> {
        Register { value, stamp, history: Vec::new() }
    }

    /// Applies a change; whichever of the two is older goes to the history. Applying the same change twice
    /// changes nothing; applying changes in any order gives the same register.
    pub fn apply(&mut self, value: V, stamp: Stamp) {
        if stamp == self.stamp || self.history.iter().any(|h| h.stamp == stamp) {
            return;
        }
        let loser = if stamp > self.stamp {
            let old = std::mem::replace(&mut self.value, value);
            let old_stamp = std::mem::replace(&mut self.stamp, stamp);
            Overwritten { value: old, stamp: old_stamp }
        } else {
            Overwritten { value, stamp }
        };
        let at = self.history.partition_point(|h| h.stamp > loser.stamp);
        self.history.insert(at, loser);
    }
}

/// A new row's id: a UUIDv7 from the wall time and ten random bytes, so ids sort by creation and never
/// collide between desktops.
pub fn row_id(wall_millis: i64, random: [u8; 10]) -> uuid::Uuid {
    uuid::Builder::from_unix_timestamp_millis(wall_millis.max(0) as u64, &random).into_uuid()
}

/// The namespace of mention ids (a fixed random UUID).
const MENTION_NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x5f0e_7a42_9c1b_4d6e_8a35_2b7f_0c91_d4e8);
/// The namespace of member ids.
const MEMBER_NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x2c4d_86b1_0f3e_4a97_b5d2_6e18_93ac_7f40);

/// What names one post for the whole team.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostKey<'a> {
    /// The page it is on (its normalised address, `earshot_core::mention::url_key`): the same page heard
    /// through two feeds, or found by two desktops with different searches, is one post.
    Page(&'a str),
    /// A post with no address: its id where it was heard. A feed's item ids are its own (`address` is the
    /// feed's); a network's ids (Bluesky, Mastodon, Hacker News) are the same whoever asks.
    Item { kind: &'a str, address: &'a str, external_id: &'a str },
}

impl<'a> PostKey<'a> {
    /// The key of an item heard through a source of `kind` reading `source_address`.
    pub fn of(url_key: Option<&'a str>, kind: &'a str, source_address: &'a str, external_id: &'a str) -> Self {
        match url_key {
            Some(page) => PostKey::Page(page),
            None => {
                let address = if kind == "feed" || kind == "manual" { source_address } else { "" };
                PostKey::Item { kind, address, external_id }
            }
        }
    }
}

/// A mention's id on every desktop, so the same post heard by two desktops is one mention.
pub fn mention_id(key: PostKey<'_>) -> uuid::Uuid {
    let name = match key {
        PostKey::Page(page) => format!("page\u{1f}{page}"),
        PostKey::Item { kind, address, external_id } => format!("{kind}\u{1f}{address}\u{1f}{external_id}"),
    };
    uuid::Uuid::new_v5(&MENTION_NAMESPACE, name.as_bytes())
}

/// The namespace of order ids.
const ORDER_NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x8d1c_3e5a_72f4_4b09_a6e3_51c8_0d27_9b64);

/// An imported order's id on every desktop, from its source and its id there: the same export imported on
/// two desktops is one order.
pub fn order_id(source: &str, external_id: &str) -> uuid::Uuid {
    uuid::Uuid::new_v5(&ORDER_NAMESPACE, format!("{source}\u{1f}{external_id}").as_bytes())
}

/// A member's id: members are known by name, whichever desktops they use.
pub fn member_id(name: &str) -> uuid::Uuid {
    uuid::Uuid::new_v5(&MEMBER_NAMESPACE, name.trim().to_lowercase().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LAPTOP: DeviceId = DeviceId(0xa);
    const COUNTER: DeviceId = DeviceId(0xb);
    const DAY: i64 = 24 * 60 * 60 * 1000;
    const T0: i64 = 1_764_000_000_000;

    fn stamp(millis: i64, counter: u32, device: DeviceId) -> Stamp {
        Stamp { millis, counter, device }
    }

    #[test]
    fn stamps_sort_as_text_the_way_they_sort_as_values() {
        let mut stamps = vec![
            stamp(T0, 2, LAPTOP),
            stamp(T0, 10, LAPTOP),
            stamp(T0 + 1, 0, LAPTOP),
            stamp(T0, 2, COUNTER),
            stamp(9, 0, COUNTER),
        ];
        stamps.sort();
        let mut texts: Vec<String> = stamps.iter().map(Stamp::encode).collect();
        texts.sort();
        assert_eq!(texts, stamps.iter().map(Stamp::encode).collect::<Vec<_>>());
        for s in &stamps {
            assert_eq!(Stamp::decode(&s.encode()), Some(*s));
        }
        assert_eq!(Stamp::decode("1-2-3"), None);
    }

    #[test]
    fn a_clock_never_goes_backwards_even_when_the_wall_clock_does() {
        let mut clock = Clock::new(LAPTOP, None);
        let a = clock.tick(T0);
        let b = clock.tick(T0 - 60_000);
        let c = clock.tick(T0);
        assert!(a < b && b < c, "{a} {b} {c}");
    }

    #[test]
    fn after_seeing_a_change_every_local_change_is_newer() {
        let mut laptop = Clock::new(LAPTOP, None);
        let seen = stamp(T0 + 1000, 4, COUNTER);
        laptop.witness(seen, T0).unwrap();
        assert!(laptop.tick(T0) > seen);
    }

    #[test]
    fn a_stamp_a_day_ahead_is_refused_and_the_change_stamped_again_here() {
        let mut counter = Clock::new(COUNTER, None);
        let from_the_future = stamp(T0 + DAY, 0, LAPTOP);
        let err = counter.witness(from_the_future, T0).unwrap_err();
        assert_eq!(err.ahead_millis, DAY);
        assert_eq!(counter.last().millis, 0, "the refused stamp left the clock alone");
        let restamped = counter.accept(from_the_future, T0);
        assert_eq!(restamped.millis, T0);
        assert_eq!(restamped.device, COUNTER);
        // A stamp within the bound is kept as it is.
        let close = stamp(T0 + 1000, 0, LAPTOP);
        assert_eq!(counter.accept(close, T0), close);
    }

    #[test]
    fn the_newer_change_wins_a_field_and_the_loser_is_kept_in_its_history() {
        let mut name = Register::new("Ann Lee".to_string(), stamp(T0, 0, LAPTOP));
        name.apply("Ann Leigh".into(), stamp(T0 + 5, 0, COUNTER));
        name.apply("Anne Lee".into(), stamp(T0 + 2, 0, LAPTOP));
        assert_eq!(name.value, "Ann Leigh");
        let lost: Vec<&str> = name.history.iter().map(|h| h.value.as_str()).collect();
        assert_eq!(lost, ["Anne Lee", "Ann Lee"]);
    }

    /// Three desktops apply the same changes in different orders, some twice: the same register on each.
    #[test]
    fn registers_converge_whatever_the_order_and_however_often_a_change_arrives() {
        let mut rng = fastrand::Rng::with_seed(17);
        for _ in 0..200 {
            let changes: Vec<(u32, Stamp)> = (0..rng.usize(1..8))
                // Every change has its own stamp, as on a real team (a device never gives one twice).
                .map(|i| (i as u32, stamp(T0 + rng.i64(0..5), i as u32, DeviceId(rng.u64(1..4)))))
                .collect();
            let mut results = Vec::new();
            for _desktop in 0..3 {
                let mut order = changes.clone();
                rng.shuffle(&mut order);
                if rng.bool() {
                    order.push(order[0]);
                }
                let mut register = Register::new(u32::MAX, stamp(0, 0, DeviceId(0)));
                for (value, at) in order {
                    register.apply(value, at);
                }
                results.push(register);
            }
            assert_eq!(results[0], results[1]);
            assert_eq!(results[1], results[2]);
        }
    }

    #[test]
    fn row_ids_sort_by_creation_and_mention_ids_are_the_same_on_every_desktop() {
        let earlier = row_id(T0, [0xff; 10]);
        let later = row_id(T0 + 1, [0; 10]);
        assert!(earlier < later);
        assert_eq!(earlier.get_version_num(), 7);
        let post = "https://mastodon.social/users/ana/statuses/11223344";
        // Two desktops listening to different tags hear the same status: one mention.
        let a = mention_id(PostKey::of(None, "mastodon", "https://mastodon.social/tags/bikes", post));
        assert_eq!(a, mention_id(PostKey::of(None, "mastodon", "https://mastodon.social/tags/repair", post)));
        assert_ne!(a, mention_id(PostKey::of(None, "mastodon", "https://mastodon.social/tags/bikes", "other")));
        assert_ne!(a, mention_id(PostKey::of(None, "bluesky", "", post)));
        // A feed's item ids are its own: the same guid in two feeds is two posts, unless they are one page.
        let feed = |address| mention_id(PostKey::of(None, "feed", address, "1"));
        assert_ne!(feed("https://a.example/feed"), feed("https://b.example/feed"));
        let page = |address| mention_id(PostKey::of(Some("a.example/post"), "feed", address, "1"));
        assert_eq!(page("https://a.example/feed"), page("https://alerts.example/feed"));
    }

    #[test]
    fn a_member_is_the_same_member_however_the_name_is_typed() {
        assert_eq!(member_id("Sam"), member_id(" sam "));
        assert_ne!(member_id("Sam"), member_id("Sara"));
    }
}
