//! Keep-in-touch: a contact with a cadence of N days is due for a touch N days after the last one.

use chrono::{DateTime, Duration, Utc};

/// When the next touch is due; a contact never touched is due from the moment the cadence was set.
pub fn next_touch_due(
    cadence_days: i64,
    last_touch: Option<DateTime<Utc>>,
    cadence_set_at: DateTime<Utc>,
) -> DateTime<Utc> {
    last_touch.unwrap_or(cadence_set_at) + Duration::days(cadence_days.max(1))
}

/// Whole days a contact is overdue at `now` (0 or more when due, negative when not yet due).
pub fn days_overdue(due: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    (now - due).num_days()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_touch_resets_the_clock() {
        let set = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let now = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
        let due_untouched = next_touch_due(30, None, set);
        assert!(days_overdue(due_untouched, now) > 0);
        let touched = Utc.with_ymd_and_hms(2026, 2, 20, 0, 0, 0).unwrap();
        assert!(days_overdue(next_touch_due(30, Some(touched), set), now) < 0);
    }
}
