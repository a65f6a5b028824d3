//! Lenient decoding, strict encoding of dates: servers send `2020-04-14`, `2020-04-14T11:30:00Z` or epoch millis.

use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serializer};

/// What a date or date-time may arrive as.
#[derive(Deserialize)]
#[serde(untagged)]
enum Wire<'a> {
    Text(std::borrow::Cow<'a, str>),
    Millis(i64),
}

fn parse_date_time(wire: Wire<'_>) -> Result<DateTime<Utc>, String> {
    match wire {
        Wire::Millis(millis) => DateTime::from_timestamp_millis(millis)
            .ok_or_else(|| format!("epoch millis {millis} out of range")),
        Wire::Text(text) => {
            let text = text.trim();
            if let Ok(date_time) = DateTime::parse_from_rfc3339(text) {
                return Ok(date_time.with_timezone(&Utc));
            }
            for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
                if let Ok(naive) = NaiveDateTime::parse_from_str(text, format) {
                    return Ok(naive.and_utc());
                }
            }
            if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
                return Ok(date.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc());
            }
            Err(format!("`{text}` is not a date-time"))
        }
    }
}

fn parse_date(wire: Wire<'_>) -> Result<NaiveDate, String> {
    match wire {
        Wire::Text(text) => {
            let text = text.trim();
            if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
                return Ok(date);
            }
            // A date-time where a date is declared keeps the date as written, not shifted to UTC.
            if let Ok(date_time) = DateTime::parse_from_rfc3339(text) {
                return Ok(date_time.date_naive());
            }
            parse_date_time(Wire::Text(text.into()))
                .map(|d| d.date_naive())
                .map_err(|_| format!("`{text}` is not a date"))
        }
        millis => parse_date_time(millis).map(|d| d.date_naive()),
    }
}

/// `format: date` fields.
pub mod date {
    use super::*;

    /// Writes `YYYY-MM-DD`.
    pub fn serialize<S: Serializer>(value: &NaiveDate, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&value.format("%Y-%m-%d"))
    }

    /// Reads a date, a date-time (keeping its date) or epoch milliseconds.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<NaiveDate, D::Error> {
        parse_date(Wire::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

/// Optional `format: date` fields.
pub mod option_date {
    use super::*;

    /// Writes `YYYY-MM-DD` or null.
    pub fn serialize<S: Serializer>(
        value: &Option<NaiveDate>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(value) => date::serialize(value, serializer),
            None => serializer.serialize_none(),
        }
    }

    /// Reads what [`date`] reads, or null.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<NaiveDate>, D::Error> {
        Option::<Wire<'de>>::deserialize(deserializer)?
            .map(parse_date)
            .transpose()
            .map_err(serde::de::Error::custom)
    }
}

/// `format: date-time` fields.
pub mod date_time {
    use super::*;

    /// Writes RFC 3339 in UTC with milliseconds when present (`2024-02-05T08:34:35.253Z`).
    pub fn serialize<S: Serializer>(
        value: &DateTime<Utc>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&value.to_rfc3339_opts(SecondsFormat::AutoSi, true))
    }

    /// Reads RFC 3339, a date-time without offset (as UTC), a bare date (midnight UTC) or epoch milliseconds.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<DateTime<Utc>, D::Error> {
        parse_date_time(Wire::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

/// Optional `format: date-time` fields.
pub mod option_date_time {
    use super::*;

    /// Writes what [`date_time`] writes, or null.
    pub fn serialize<S: Serializer>(
        value: &Option<DateTime<Utc>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(value) => date_time::serialize(value, serializer),
            None => serializer.serialize_none(),
        }
    }

    /// Reads what [`date_time`] reads, or null.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<DateTime<Utc>>, D::Error> {
        Option::<Wire<'de>>::deserialize(deserializer)?
            .map(parse_date_time)
            .transpose()
            .map_err(serde::de::Error::custom)
    }
}
