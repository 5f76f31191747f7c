//! Time zones and quiet hours: which zones a recipient may be in, whether an instant is inside
//! the quiet window there, and the first instant at or after a given one that is outside it.
//!
//! Local times come from `chrono-tz` (the IANA database), so daylight-saving transitions are
//! handled by the data, not by hand: the quiet end on a spring-forward or fall-back day maps to
//! the right UTC instant, and a local time that does not exist (inside a spring-forward gap)
//! moves to the first instant after the gap.

use core::str::FromStr;

use chrono::{
    DateTime, Duration, FixedOffset, NaiveDate, NaiveDateTime, Offset, TimeZone, Timelike,
};
use chrono_tz::Tz;

use super::zones::COUNTRY_ZONES;

/// Seconds in 48 hours: how far ahead [`next_allowed`] looks for an instant outside quiet hours
/// in every zone of a country before it falls back to the country's primary zone.
pub const SEARCH_HORIZON: i64 = 48 * 3600;

/// Hand-picked primary (most populous) zone of countries whose tzdata order starts with a small
/// zone (tzdata orders zones geographically first). Any other country's primary zone is its
/// first-listed one. Used only when no instant within [`SEARCH_HORIZON`] is outside quiet hours
/// in every zone of the country.
const PRIMARY_OVERRIDES: &[(&str, &str)] = &[
    ("AU", "Australia/Sydney"),
    ("BR", "America/Sao_Paulo"),
    ("CA", "America/Toronto"),
    ("RU", "Europe/Moscow"),
];

/// A recipient's time zone: an IANA zone, or a fixed UTC offset (from `default_timezone`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    /// An IANA zone (`Europe/Madrid`), with its DST rules.
    Iana(Tz),
    /// A fixed offset (`+05:30`), no DST.
    Fixed(FixedOffset),
}

impl Zone {
    /// Parses an IANA zone name (`America/New_York`, `UTC`) or a fixed offset `±HH:MM`
    /// (`+05:45`, `-03:00`; hours 0–23, minutes 0–59). `None` for anything else.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        let name = name.trim();
        if let Some(offset) = parse_offset(name) {
            return Some(Self::Fixed(offset));
        }
        Tz::from_str(name).ok().map(Self::Iana)
    }

    /// The zone's name: the IANA name, or the offset as `+HH:MM`.
    #[must_use]
    pub fn name(&self) -> String {
        match self {
            Self::Iana(tz) => tz.name().to_owned(),
            Self::Fixed(offset) => offset.to_string(),
        }
    }

    /// Offset from UTC in seconds at the instant `t` (unix seconds).
    #[must_use]
    pub fn offset_at(&self, t: i64) -> Option<i32> {
        let utc = DateTime::from_timestamp(t, 0)?.naive_utc();
        Some(match self {
            Self::Iana(tz) => tz.offset_from_utc_datetime(&utc).fix().local_minus_utc(),
            Self::Fixed(offset) => offset.local_minus_utc(),
        })
    }

    /// Local wall-clock time at the instant `t`.
    #[must_use]
    pub fn local(&self, t: i64) -> Option<NaiveDateTime> {
        let offset = self.offset_at(t)?;
        let utc = DateTime::from_timestamp(t, 0)?.naive_utc();
        utc.checked_add_signed(Duration::seconds(i64::from(offset)))
    }

    /// Minute of the local day (0–1439) at the instant `t`.
    #[must_use]
    pub fn local_minute(&self, t: i64) -> Option<u32> {
        let local = self.local(t)?;
        Some(local.hour() * 60 + local.minute())
    }

    /// Every instant whose local wall-clock time is `local`: none inside a spring-forward gap,
    /// two on a fall-back overlap.
    fn mappings(&self, local: &NaiveDateTime) -> Vec<i64> {
        fn of<T: TimeZone>(tz: &T, local: &NaiveDateTime) -> Vec<i64> {
            match tz.from_local_datetime(local) {
                chrono::LocalResult::Single(d) => vec![d.timestamp()],
                chrono::LocalResult::Ambiguous(a, b) => vec![a.timestamp(), b.timestamp()],
                chrono::LocalResult::None => Vec::new(),
            }
        }
        match self {
            Self::Iana(tz) => of(tz, local),
            Self::Fixed(offset) => of(offset, local),
        }
    }

    /// The instants of the local time `local`; when it does not exist (a DST gap), the first
    /// instant after the gap (found by stepping the local time forward a minute at a time).
    fn mappings_or_after_gap(&self, local: NaiveDateTime) -> Vec<i64> {
        let mut probe = local;
        // Gaps are at most a day long (Samoa skipped 2011-12-30); 26 h bounds the walk.
        for _ in 0..(26 * 60) {
            let found = self.mappings(&probe);
            if !found.is_empty() {
                return found;
            }
            match probe.checked_add_signed(Duration::minutes(1)) {
                Some(next) => probe = next,
                None => return Vec::new(),
            }
        }
        Vec::new()
    }

    /// Instants in `(from, to]` where the zone's UTC offset changes (the first second with the
    /// new offset). Offsets are sampled every 3 hours (transitions are always further apart)
    /// and each change is bisected to the second.
    fn transitions(&self, from: i64, to: i64) -> Vec<i64> {
        let Self::Iana(_) = self else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut a = from;
        let Some(mut offset_a) = self.offset_at(a) else {
            return out;
        };
        while a < to {
            let b = a.saturating_add(3 * 3600).min(to);
            let Some(offset_b) = self.offset_at(b) else {
                return out;
            };
            if offset_b != offset_a {
                // Invariant: offset(lo) == offset_a, offset(hi) != offset_a.
                let (mut lo, mut hi) = (a, b);
                while hi - lo > 1 {
                    let mid = lo + (hi - lo) / 2;
                    if self.offset_at(mid) == Some(offset_a) {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                out.push(hi);
            }
            a = b;
            offset_a = offset_b;
        }
        out
    }
}

fn parse_offset(s: &str) -> Option<FixedOffset> {
    let bytes = s.as_bytes();
    let (&sign, rest) = bytes.split_first()?;
    let sign = match sign {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let rest = core::str::from_utf8(rest).ok()?;
    let (h, m) = rest.split_once(':')?;
    if h.len() != 2 || m.len() != 2 || !h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let h: i32 = h.parse().ok()?;
    let m: i32 = m.parse().ok()?;
    if h > 23 || m > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
}

/// The quiet window: local minutes `[start, end)` after midnight when nothing is sent. When
/// `start > end` it wraps midnight (`1260..540` = 21:00–09:00). `start == end` is an empty
/// window (nothing is quiet).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    /// Whether quiet hours apply at all.
    pub enabled: bool,
    /// First quiet minute of the local day (0–1439).
    pub start: u32,
    /// First minute after the window (0–1439).
    pub end: u32,
}

impl QuietHours {
    /// True when the local minute-of-day `minute` is inside the window.
    #[must_use]
    pub fn contains_minute(&self, minute: u32) -> bool {
        if !self.enabled || self.start == self.end {
            return false;
        }
        if self.start < self.end {
            (self.start..self.end).contains(&minute)
        } else {
            minute >= self.start || minute < self.end
        }
    }

    /// True when the instant `t` is inside the window in `zone`.
    #[must_use]
    pub fn is_quiet(&self, zone: &Zone, t: i64) -> bool {
        self.enabled
            && zone
                .local_minute(t)
                .is_some_and(|m| self.contains_minute(m))
    }

    /// True when the instant `t` is inside the window in at least one of `zones`.
    #[must_use]
    pub fn is_quiet_in_any(&self, zones: &[Zone], t: i64) -> bool {
        zones.iter().any(|z| self.is_quiet(z, t))
    }

    /// The first instant `>= t` outside the window in **every** zone of `zones`, looking at
    /// most `horizon` seconds ahead; `None` when there is none in that range.
    ///
    /// The answer is `t` itself or an instant where some zone leaves its window: its local
    /// `end` time on some day (every mapping of it; after a DST gap the first instant after the
    /// gap), or a DST transition that jumps the local clock out of the window.
    #[must_use]
    pub fn next_allowed(&self, zones: &[Zone], t: i64, horizon: i64) -> Option<i64> {
        if !self.is_quiet_in_any(zones, t) {
            return Some(t);
        }
        let limit = t.saturating_add(horizon);
        let end_time = chrono::NaiveTime::from_hms_opt(self.end / 60, self.end % 60, 0)?;
        let mut candidates: Vec<i64> = Vec::new();
        for zone in zones {
            let Some(today) = zone.local(t).map(|l| l.date()) else {
                continue;
            };
            let days = (horizon / 86_400) + 2;
            for d in -1..=days {
                let Some(date) = today.checked_add_signed(Duration::days(d)) else {
                    continue;
                };
                candidates.extend(zone.mappings_or_after_gap(NaiveDate::and_time(&date, end_time)));
            }
            candidates.extend(zone.transitions(t, limit));
        }
        candidates.retain(|c| *c > t && *c <= limit);
        candidates.sort_unstable();
        candidates.dedup();
        candidates
            .into_iter()
            .find(|c| !self.is_quiet_in_any(zones, *c))
    }
}

/// Where a recipient is: every zone of their country (or the one default zone), and the zone to
/// fall back to when no instant is outside quiet hours in all of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    /// The ISO country the zones come from, `None` when they come from `default_timezone`.
    pub country: Option<String>,
    /// Every zone of the country, in tzdata order (never empty).
    pub zones: Vec<Zone>,
    /// The country's primary zone (see [`SEARCH_HORIZON`]).
    pub primary: Zone,
}

/// The IANA zones of an ISO 3166-1 alpha-2 country, in tzdata order (`zone.tab`).
#[must_use]
pub fn country_zones(country: &str) -> Option<&'static [&'static str]> {
    COUNTRY_ZONES
        .binary_search_by(|(c, _)| (*c).cmp(country))
        .ok()
        .and_then(|i| COUNTRY_ZONES.get(i))
        .map(|(_, zones)| *zones)
}

/// The generated country table (`zones.rs`): `(country, zones)` sorted by country.
#[must_use]
pub fn country_table() -> &'static [(&'static str, &'static [&'static str])] {
    COUNTRY_ZONES
}

fn recipient_of_country(country: &str) -> Option<Recipient> {
    let names = country_zones(country)?;
    let zones: Vec<Zone> = names
        .iter()
        .filter_map(|n| Tz::from_str(n).ok().map(Zone::Iana))
        .collect();
    let first = *zones.first()?;
    let primary = PRIMARY_OVERRIDES
        .iter()
        .find(|(c, _)| *c == country)
        .and_then(|(_, z)| Tz::from_str(z).ok())
        .map_or(first, Zone::Iana);
    Some(Recipient {
        country: Some(country.to_owned()),
        zones,
        primary,
    })
}

/// The recipient's zones: the phone's region when known (`region`), else the billing country
/// (`""` or an unknown code are ignored), else `default`.
#[must_use]
pub fn recipient(region: Option<&str>, billing_country: &str, default: Zone) -> Recipient {
    let billing = billing_country.trim().to_ascii_uppercase();
    region
        .and_then(recipient_of_country)
        .or_else(|| recipient_of_country(&billing))
        .unwrap_or(Recipient {
            country: None,
            zones: vec![default],
            primary: default,
        })
}

/// The first instant `>= t` outside quiet hours for `recipient`: in every zone of the country
/// when such an instant exists within [`SEARCH_HORIZON`], else in the primary zone. `t` itself
/// when quiet hours are off (or in the unreachable case that even the primary zone has none).
#[must_use]
pub fn shift_out_of_quiet(quiet: &QuietHours, recipient: &Recipient, t: i64) -> i64 {
    quiet
        .next_allowed(&recipient.zones, t, SEARCH_HORIZON)
        .or_else(|| quiet.next_allowed(&[recipient.primary], t, SEARCH_HORIZON))
        .unwrap_or(t)
}
