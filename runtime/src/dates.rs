//! Lenient decoding, strict encoding of dates: servers send `2020-04-14`, `2020-04-14T11:30:00Z` or epoch millis.

use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, Utc};
use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

fn date_time_from_millis(millis: i64) -> Result<DateTime<Utc>, String> {
    DateTime::from_timestamp_millis(millis)
        .ok_or_else(|| format!("epoch millis {millis} out of range"))
}

fn parse_date_time(text: &str) -> Result<DateTime<Utc>, String> {
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

fn parse_date(text: &str) -> Result<NaiveDate, String> {
    let text = text.trim();
    // `FromStr` reads `YYYY-MM-DD` without interpreting a format string each time.
    if let Ok(date) = text.parse::<NaiveDate>() {
        return Ok(date);
    }
    // A date-time where a date is declared keeps the date as written, not shifted to UTC.
    if let Ok(date_time) = DateTime::parse_from_rfc3339(text) {
        return Ok(date_time.date_naive());
    }
    parse_date_time(text)
        .map(|d| d.date_naive())
        .map_err(|_| format!("`{text}` is not a date"))
}

/// The standard spellings of a value that reads leniently as a date-time (RFC 3339 text in
/// UTC, the same without offset) or a date (as written), for decoding it into a type that
/// reads only those: `None` when it is no date at all.
pub(crate) fn canonical_forms(value: &serde_json::Value) -> Option<[String; 3]> {
    let (date_time, date) = match value {
        serde_json::Value::String(text) => (parse_date_time(text).ok()?, parse_date(text).ok()?),
        serde_json::Value::Number(number) => {
            let date_time = date_time_from_millis(number.as_i64()?).ok()?;
            (date_time, date_time.date_naive())
        }
        _ => return None,
    };
    Some([
        date_time.to_rfc3339_opts(SecondsFormat::AutoSi, true),
        date.format("%Y-%m-%d").to_string(),
        date_time
            .naive_utc()
            .format("%Y-%m-%dT%H:%M:%S%.f")
            .to_string(),
    ])
}

/// Reads a date or date-time from text or epoch milliseconds, without buffering the value.
struct Lenient<T> {
    what: &'static str,
    from_text: fn(&str) -> Result<T, String>,
    from_millis: fn(i64) -> Result<T, String>,
}

impl<T> Clone for Lenient<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Lenient<T> {}

const DATE: Lenient<NaiveDate> = Lenient {
    what: "a date (`YYYY-MM-DD`, a date-time or epoch milliseconds)",
    from_text: parse_date,
    from_millis: |millis| date_time_from_millis(millis).map(|d| d.date_naive()),
};

const DATE_TIME: Lenient<DateTime<Utc>> = Lenient {
    what: "a date-time (RFC 3339, a date or epoch milliseconds)",
    from_text: parse_date_time,
    from_millis: date_time_from_millis,
};

impl<'de, T> Visitor<'de> for Lenient<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.what)
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<T, E> {
        (self.from_text)(value).map_err(E::custom)
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<T, E> {
        (self.from_millis)(value).map_err(E::custom)
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<T, E> {
        let millis = i64::try_from(value).map_err(|_| E::custom("epoch millis out of range"))?;
        self.visit_i64(millis)
    }
}

/// [`Lenient`], or null.
struct OrNull<T>(Lenient<T>);

impl<'de, T> Visitor<'de> for OrNull<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} or null", self.0.what)
    }

    fn visit_none<E: de::Error>(self) -> Result<Option<T>, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Option<T>, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<T>, D::Error> {
        deserializer.deserialize_any(self.0).map(Some)
    }
}

/// A date or date-time decoded leniently, for the generated `Deserialize` impls
/// (`map.next_value::<Decoded<Option<NaiveDate>>>()?.0`).
pub struct Decoded<T>(pub T);

impl<'de> Deserialize<'de> for Decoded<NaiveDate> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        date::deserialize(deserializer).map(Decoded)
    }
}

impl<'de> Deserialize<'de> for Decoded<Option<NaiveDate>> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        option_date::deserialize(deserializer).map(Decoded)
    }
}

impl<'de> Deserialize<'de> for Decoded<DateTime<Utc>> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        date_time::deserialize(deserializer).map(Decoded)
    }
}

impl<'de> Deserialize<'de> for Decoded<Option<DateTime<Utc>>> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        option_date_time::deserialize(deserializer).map(Decoded)
    }
}

/// A date or date-time written in its format (`YYYY-MM-DD`, RFC 3339): how `serde_struct!`
/// writes date fields.
#[derive(Debug, Clone, Copy)]
pub struct Encoded<'a, T>(pub &'a T);

impl Serialize for Encoded<'_, NaiveDate> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        date::serialize(self.0, serializer)
    }
}

impl Serialize for Encoded<'_, DateTime<Utc>> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        date_time::serialize(self.0, serializer)
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
        deserializer.deserialize_any(DATE)
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
        deserializer.deserialize_option(OrNull(DATE))
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
        deserializer.deserialize_any(DATE_TIME)
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
        deserializer.deserialize_option(OrNull(DATE_TIME))
    }
}
