//! When to check a source next: regular intervals per kind, exponential backoff with full jitter after a
//! failure, server hints (`Retry-After`, rate-limit reset headers) honoured and clamped, and the cases that
//! stop automatic checks until the owner acts.

use chrono::{DateTime, Duration, Utc};

/// How often a healthy source is checked.
pub fn interval(kind: &str) -> Duration {
    match kind {
        // Feeds change slowly and many servers ask for politeness; conditional requests keep this cheap.
        "feed" => Duration::minutes(30),
        _ => Duration::minutes(15),
    }
}

/// Longest wait a server hint or a backoff can impose.
const LONGEST_WAIT: Duration = Duration::hours(6);
/// Parse failures in a row after which a source is paused until the owner acts.
pub const PARSE_FAILURES_BEFORE_PAUSE: i64 = 3;

/// Why a check failed, as far as scheduling cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FailureClass {
    /// Could not connect, timed out, connection reset: the network or the host.
    Transport,
    /// The server answered with an error status worth retrying later (5xx, 408, 425).
    Server(u16),
    /// The server refused the request for good (4xx other than those below).
    Refused(u16),
    /// 429 or a platform's rate-limit answer: wait as told.
    RateLimited,
    /// 410 Gone: the source no longer exists.
    Gone,
    /// 401: the credential was refused; the owner must sign in again.
    SignIn,
    /// The body was fetched but is not what the source should send.
    Parse,
}

/// What to record after a failed check.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub next_check_at: DateTime<Utc>,
    /// Set when a server asked us to wait.
    pub not_before: Option<DateTime<Utc>>,
    /// Set when automatic checks stop until the owner acts.
    pub pause: Option<String>,
}

/// Full-jitter exponential backoff: a random wait in [30 s, min(6 h, 1 min x 2^failures)].
pub fn backoff(failures: i64, random_unit: f64) -> Duration {
    let ceiling = 60_i64.saturating_mul(1_i64 << failures.clamp(0, 20)).min(LONGEST_WAIT.num_seconds());
    let seconds = (ceiling as f64 * random_unit.clamp(0.0, 1.0)) as i64;
    Duration::seconds(seconds.max(30))
}

/// Decides what happens after a failure. `failures` and `parse_failures` are the counts *before* this one.
pub fn after_failure(
    class: &FailureClass,
    failures: i64,
    parse_failures: i64,
    retry_after: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    random_unit: f64,
) -> Decision {
    let later = now + backoff(failures + 1, random_unit);
    let wait_until = |at: DateTime<Utc>| at.clamp(now + Duration::seconds(1), now + LONGEST_WAIT);
    match class {
        FailureClass::Gone => Decision {
            next_check_at: later,
            not_before: None,
            pause: Some("The server says this source is gone (410). Remove it, or resume it if it moved back.".into()),
        },
        FailureClass::SignIn => Decision {
            next_check_at: later,
            not_before: None,
            pause: Some("The account refused Earshot's sign-in. Sign in again (add the same account again) to resume.".into()),
        },
        FailureClass::Parse if parse_failures + 1 >= PARSE_FAILURES_BEFORE_PAUSE => Decision {
            next_check_at: later,
            not_before: None,
            pause: Some(format!(
                "Paused after {PARSE_FAILURES_BEFORE_PAUSE} unreadable answers in a row. Check the address, then resume."
            )),
        },
        FailureClass::RateLimited => {
            let until = wait_until(retry_after.unwrap_or(later).max(now + Duration::seconds(1)));
            Decision { next_check_at: until, not_before: Some(until), pause: None }
        }
        _ => match retry_after {
            Some(at) => {
                let until = wait_until(at.max(later));
                Decision { next_check_at: until, not_before: Some(until), pause: None }
            }
            None => Decision { next_check_at: later, not_before: None, pause: None },
        },
    }
}

/// Reads a `Retry-After` value: delta-seconds or an HTTP date. A date in the past means "now".
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(now + Duration::seconds(seconds.min(LONGEST_WAIT.num_seconds() as u64) as i64));
    }
    let date = DateTime::parse_from_rfc2822(value).ok()?.to_utc();
    Some(date.max(now))
}

/// Reads a rate-limit reset header: an ISO 8601 time (Mastodon), or Unix seconds (Bluesky, Reddit-style).
pub fn parse_reset(value: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let value = value.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(value) {
        return Some(t.to_utc().max(now));
    }
    let n: i64 = value.parse().ok()?;
    // A small number is seconds from now; a large one is a Unix time.
    if n < 1_000_000_000 {
        Some(now + Duration::seconds(n.clamp(0, LONGEST_WAIT.num_seconds())))
    } else {
        DateTime::from_timestamp(n, 0).map(|t| t.max(now))
    }
}

/// The wait a `Cache-Control: max-age` asks for, used as the least interval between checks.
pub fn max_age(cache_control: &str) -> Option<Duration> {
    cache_control.split(',').find_map(|part| {
        let seconds: i64 = part.trim().strip_prefix("max-age=")?.trim_matches('"').parse().ok()?;
        Some(Duration::seconds(seconds.clamp(0, LONGEST_WAIT.num_seconds())))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-25T12:00:00Z").unwrap().to_utc()
    }

    #[test]
    fn backoff_grows_with_failures_and_never_exceeds_six_hours() {
        assert!(backoff(1, 1.0) <= Duration::minutes(2));
        assert!(backoff(5, 1.0) > backoff(2, 1.0));
        assert_eq!(backoff(60, 1.0), Duration::hours(6));
        assert_eq!(backoff(3, 0.0), Duration::seconds(30), "full jitter, but never a tight loop");
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date_is_honoured_and_clamped() {
        assert_eq!(parse_retry_after("120", now()), Some(now() + Duration::seconds(120)));
        assert_eq!(parse_retry_after("Wed, 25 Nov 2026 12:10:00 GMT", now()), Some(now() + Duration::minutes(10)));
        assert_eq!(parse_retry_after("Wed, 25 Nov 2026 11:00:00 GMT", now()), Some(now()), "past dates mean now");
        assert_eq!(parse_retry_after("99999999999", now()), Some(now() + Duration::hours(6)));
        assert_eq!(parse_retry_after("soon", now()), None);
    }

    #[test]
    fn rate_limit_resets_are_read_as_iso_times_or_unix_seconds() {
        let in_5 = now() + Duration::minutes(5);
        assert_eq!(parse_reset("2026-11-25T12:05:00.000Z", now()), Some(in_5));
        assert_eq!(parse_reset(&in_5.timestamp().to_string(), now()), Some(in_5));
        assert_eq!(parse_reset("300", now()), Some(in_5));
    }

    #[test]
    fn a_rate_limited_source_waits_as_told_but_not_beyond_six_hours() {
        let d = after_failure(&FailureClass::RateLimited, 0, 0, Some(now() + Duration::minutes(7)), now(), 0.5);
        assert_eq!(d.not_before, Some(now() + Duration::minutes(7)));
        let far = after_failure(&FailureClass::RateLimited, 0, 0, Some(now() + Duration::days(3)), now(), 0.5);
        assert_eq!(far.not_before, Some(now() + Duration::hours(6)));
    }

    #[test]
    fn three_unreadable_answers_in_a_row_pause_the_source() {
        assert!(after_failure(&FailureClass::Parse, 1, 1, None, now(), 0.5).pause.is_none());
        assert!(after_failure(&FailureClass::Parse, 2, 2, None, now(), 0.5).pause.is_some());
        assert!(after_failure(&FailureClass::Gone, 0, 0, None, now(), 0.5).pause.is_some());
        assert!(after_failure(&FailureClass::SignIn, 0, 0, None, now(), 0.5).pause.unwrap().contains("Sign in"));
        assert!(after_failure(&FailureClass::Transport, 9, 0, None, now(), 0.5).pause.is_none());
    }

    #[test]
    fn cache_control_max_age_is_read() {
        assert_eq!(max_age("public, max-age=3600"), Some(Duration::hours(1)));
        assert_eq!(max_age("no-cache"), None);
    }
}
