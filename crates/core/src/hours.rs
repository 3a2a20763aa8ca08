//! Opening hours and time counted in them: a complaint that arrives at 21:00 and is answered at 09:15 the
//! next morning waited 15 minutes of the owner's time, not 12 hours. Hours are local to the shop's time
//! zone (daylight saving included); a closing time at or before the opening time runs past midnight (a bar
//! open 18:00-02:00).

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One opening on one weekday, "HH:MM" local time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Opening {
    /// 0 = Monday ... 6 = Sunday.
    pub weekday: u8,
    pub open: String,
    pub close: String,
}

/// The week's openings; empty means the owner did not set any, and every minute counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct OpeningHours {
    pub openings: Vec<Opening>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum HoursError {
    #[error("weekday {0} is not 0 (Monday) to 6 (Sunday)")]
    Weekday(u8),
    #[error("\"{0}\" is not a time of day (expected HH:MM, e.g. 09:30)")]
    Time(String),
}

fn time_of(s: &str) -> Result<NaiveTime, HoursError> {
    if s.trim() == "24:00" {
        return Ok(NaiveTime::MIN); // the end of the day: the same instant as the next day's 00:00
    }
    NaiveTime::parse_from_str(s.trim(), "%H:%M").map_err(|_| HoursError::Time(s.to_string()))
}

impl OpeningHours {
    /// Checks every opening, so a bad setting is refused when it is saved rather than ignored later.
    pub fn validate(&self) -> Result<(), HoursError> {
        for o in &self.openings {
            if o.weekday > 6 {
                return Err(HoursError::Weekday(o.weekday));
            }
            time_of(&o.open)?;
            time_of(&o.close)?;
        }
        Ok(())
    }

    /// Minutes between `start` and `end` that fall in opening hours (all minutes when no hours are set).
    pub fn minutes_between(&self, start: DateTime<Utc>, end: DateTime<Utc>, zone: Tz) -> f64 {
        if end <= start {
            return 0.0;
        }
        if self.openings.is_empty() {
            return (end - start).num_seconds() as f64 / 60.0;
        }
        let first_day = start.with_timezone(&zone).date_naive() - Duration::days(1);
        let last_day = end.with_timezone(&zone).date_naive();
        // A reply years later is not worth walking day by day past a few years.
        let days = (last_day - first_day).num_days().min(3 * 366);
        let mut seconds = 0i64;
        for offset in 0..=days {
            let day = first_day + Duration::days(offset);
            for (open, close) in self.intervals_on(day, zone) {
                let from = open.max(start);
                let to = close.min(end);
                if to > from {
                    seconds += (to - from).num_seconds();
                }
            }
        }
        seconds as f64 / 60.0
    }

    /// The openings that start on `day`, as instants.
    fn intervals_on(&self, day: NaiveDate, zone: Tz) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        let weekday = day.weekday().num_days_from_monday() as u8;
        self.openings
            .iter()
            .filter(|o| o.weekday == weekday)
            .filter_map(|o| {
                let (open, close) = (time_of(&o.open).ok()?, time_of(&o.close).ok()?);
                let close_day = if close <= open { day + Duration::days(1) } else { day };
                Some((local(zone, day, open)?, local(zone, close_day, close)?))
            })
            .collect()
    }
}

/// A local wall-clock time as an instant; a time skipped by a daylight-saving jump moves an hour later.
fn local(zone: Tz, day: NaiveDate, time: NaiveTime) -> Option<DateTime<Utc>> {
    let naive = day.and_time(time);
    zone.from_local_datetime(&naive)
        .earliest()
        .or_else(|| zone.from_local_datetime(&(naive + Duration::hours(1))).earliest())
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn week(open: &str, close: &str) -> OpeningHours {
        OpeningHours {
            openings: (0..7).map(|d| Opening { weekday: d, open: open.into(), close: close.into() }).collect(),
        }
    }

    #[test]
    fn without_hours_every_minute_counts() {
        let h = OpeningHours::default();
        assert_eq!(h.minutes_between(at("2026-01-05T21:00:00Z"), at("2026-01-06T09:15:00Z"), Tz::UTC), 735.0);
    }

    #[test]
    fn a_complaint_at_night_waits_only_from_opening_time() {
        let h = week("09:00", "17:00");
        // Monday 21:00 to Tuesday 09:15: fifteen minutes of opening hours.
        assert_eq!(h.minutes_between(at("2026-01-05T21:00:00Z"), at("2026-01-06T09:15:00Z"), Tz::UTC), 15.0);
        // Within one day, and across a whole closed weekend when Saturday and Sunday have no hours.
        let weekdays =
            OpeningHours { openings: week("09:00", "17:00").openings.into_iter().filter(|o| o.weekday < 5).collect() };
        assert_eq!(weekdays.minutes_between(at("2026-01-09T16:30:00Z"), at("2026-01-12T09:30:00Z"), Tz::UTC), 60.0);
    }

    #[test]
    fn hours_across_midnight_count_after_midnight() {
        let bar = week("18:00", "02:00");
        // Saturday 23:30 to Sunday 01:30, all open.
        assert_eq!(bar.minutes_between(at("2026-01-10T23:30:00Z"), at("2026-01-11T01:30:00Z"), Tz::UTC), 120.0);
        // Sunday 01:00 to Sunday 19:00: 01:00-02:00 and 18:00-19:00.
        assert_eq!(bar.minutes_between(at("2026-01-11T01:00:00Z"), at("2026-01-11T19:00:00Z"), Tz::UTC), 120.0);
    }

    #[test]
    fn hours_are_local_to_the_shop_time_zone() {
        let h = week("09:00", "17:00");
        let ny: Tz = "America/New_York".parse().unwrap();
        // 13:00Z-15:00Z is 08:00-10:00 in New York in January: one hour open.
        assert_eq!(h.minutes_between(at("2026-01-06T13:00:00Z"), at("2026-01-06T15:00:00Z"), ny), 60.0);
        // In July (daylight time) the same instants are 09:00-11:00: two hours.
        assert_eq!(h.minutes_between(at("2026-07-07T13:00:00Z"), at("2026-07-07T15:00:00Z"), ny), 120.0);
    }

    #[test]
    fn bad_hours_are_refused_with_the_value() {
        let h = OpeningHours { openings: vec![Opening { weekday: 1, open: "9am".into(), close: "17:00".into() }] };
        assert_eq!(h.validate(), Err(HoursError::Time("9am".into())));
        assert!(week("00:00", "24:00").validate().is_ok());
        assert_eq!(
            week("00:00", "24:00").minutes_between(at("2026-01-06T10:00:00Z"), at("2026-01-06T12:00:00Z"), Tz::UTC),
            120.0
        );
    }
}
