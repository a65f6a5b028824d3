//! `Extra`: the properties a schema does not declare, kept as compact JSON text.
//!
//! Tenant custom fields and properties added to the API after the client was generated arrive
//! on many records and are read on few. Like protobuf's unknown fields, they are kept as the
//! encoded text of one JSON object: decoding a record costs one buffer for all of them instead
//! of a string per name and value, and they are parsed only when asked for.

use std::cell::Cell;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, Serializer};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::dates::canonical_forms;
use super::de::Key;
use super::error::{body_excerpt, DecodeError, Error};

/// Room reserved by the first property, so that a few custom fields fit without regrowing.
const FIRST_CAPACITY: usize = 128;

/// Undeclared properties of an object, in the order received.
///
/// Reading is by name ([`get`](Self::get), [`get_as`](Self::get_as)) or all at once
/// ([`to_map`](Self::to_map)); [`insert`](Self::insert) and [`remove`](Self::remove) rewrite the
/// whole set, which is meant for the handful of custom fields a request carries. When a name
/// occurs twice, the last value counts, as in a `serde_json::Map`.
#[derive(Clone, Default)]
pub struct Extra {
    /// Empty, or a JSON object (`{"name":value,...}`) written by `serde_json`, so valid UTF-8.
    json: Vec<u8>,
}

impl Extra {
    /// No properties.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether there are no properties.
    pub fn is_empty(&self) -> bool {
        self.json.is_empty()
    }

    /// The number of distinct property names.
    pub fn len(&self) -> usize {
        self.to_map().len()
    }

    /// Whether a property of that name is present.
    pub fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// The value of a property, if present.
    pub fn get(&self, name: &str) -> Option<Value> {
        if self.json.is_empty() {
            return None;
        }
        let mut deserializer = serde_json::Deserializer::from_slice(&self.json);
        // The text was written by this type from valid JSON, so it reads back.
        Find { name }.deserialize(&mut deserializer).ok().flatten()
    }

    /// The value of a property decoded as `T`: `None` when absent, `Some(Err(_))` (an
    /// [`Error::Decode`] naming the property) when it has another shape. Dates read as leniently
    /// as declared fields do: a `chrono` date or date-time also reads from another date
    /// spelling or from epoch milliseconds.
    pub fn get_as<T: de::DeserializeOwned>(&self, name: &str) -> Option<Result<T, Error>> {
        let value = self.get(name)?;
        let error = match T::deserialize(&value) {
            Ok(decoded) => return Some(Ok(decoded)),
            Err(error) => error,
        };
        let lenient = canonical_forms(&value).and_then(|forms| {
            forms
                .into_iter()
                .find_map(|form| T::deserialize(Value::String(form)).ok())
        });
        Some(lenient.ok_or_else(|| {
            Error::Decode(Box::new(DecodeError {
                // Undeclared properties come from a successful response.
                status: reqwest::StatusCode::OK,
                path: name.to_owned(),
                message: error.to_string(),
                body: body_excerpt(value.to_string().as_bytes()),
            }))
        }))
    }

    /// Sets a property, returning its previous value.
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<Value>) -> Option<Value> {
        let mut map = self.to_map();
        let previous = map.insert(name.into(), value.into());
        *self = Self::from(map);
        previous
    }

    /// Removes a property, returning its value.
    pub fn remove(&mut self, name: &str) -> Option<Value> {
        let mut map = self.to_map();
        let removed = map.remove(name);
        if removed.is_some() {
            *self = Self::from(map);
        }
        removed
    }

    /// The names of the properties, sorted.
    pub fn keys(&self) -> Vec<String> {
        let mut names: Vec<String> = self.to_map().into_iter().map(|(name, _)| name).collect();
        names.sort_unstable();
        names
    }

    /// All properties as a map.
    pub fn to_map(&self) -> Map<String, Value> {
        if self.json.is_empty() {
            return Map::new();
        }
        serde_json::from_slice(&self.json).unwrap_or_default()
    }

    /// Writes each property into `map`, after a struct's declared ones: how `serde_struct!`
    /// writes the struct (what `serde(flatten)` would do, without its buffering).
    #[doc(hidden)]
    pub fn serialize_entries<M: serde::ser::SerializeMap>(
        &self,
        map: &mut M,
    ) -> Result<(), M::Error> {
        if self.json.is_empty() || DECLARED_ONLY.with(Cell::get) {
            return Ok(());
        }
        for (name, value) in self.to_map() {
            map.serialize_entry(&name, &value)?;
        }
        Ok(())
    }

    /// Appends the property `name` whose value is the next value of `access`, copied as JSON
    /// text. Used by the generated `Deserialize` impls.
    #[doc(hidden)]
    pub fn push_entry<'de, A: MapAccess<'de>>(
        &mut self,
        name: &str,
        access: &mut A,
    ) -> Result<(), A::Error> {
        if self.json.is_empty() {
            self.json.reserve(FIRST_CAPACITY);
            self.json.push(b'{');
        } else {
            // Reopen the object: its closing brace becomes the separator.
            self.json.pop();
            self.json.push(b',');
        }
        write_json_str(&mut self.json, name).map_err(de::Error::custom)?;
        self.json.push(b':');
        access.next_value_seed(CopyJson(&mut self.json))?;
        self.json.push(b'}');
        Ok(())
    }
}

impl From<Map<String, Value>> for Extra {
    fn from(map: Map<String, Value>) -> Self {
        if map.is_empty() {
            return Self::default();
        }
        // Serialising a map of JSON values into memory cannot fail.
        Self {
            json: serde_json::to_vec(&map).unwrap_or_default(),
        }
    }
}

impl<K: Into<String>> FromIterator<(K, Value)> for Extra {
    fn from_iter<I: IntoIterator<Item = (K, Value)>>(iter: I) -> Self {
        Self::from(
            iter.into_iter()
                .map(|(name, value)| (name.into(), value))
                .collect::<Map<String, Value>>(),
        )
    }
}

impl PartialEq for Extra {
    fn eq(&self, other: &Self) -> bool {
        self.json == other.json || self.to_map() == other.to_map()
    }
}

impl fmt::Debug for Extra {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.to_map().iter()).finish()
    }
}

impl Serialize for Extra {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.json.is_empty() || DECLARED_ONLY.with(Cell::get) {
            return Map::new().serialize(serializer);
        }
        self.to_map().serialize(serializer)
    }
}

thread_local! {
    static DECLARED_ONLY: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` with every [`Extra`] serialising as empty, so a value serialises to what its
/// declared fields alone hold. The wire tests compare that with the JSON received: a property
/// that went into `extra` instead of a field shows up as missing (a union decoded as the wrong
/// alternative, or a field the types lack).
#[doc(hidden)]
pub fn serialize_declared_only<R>(f: impl FnOnce() -> R) -> R {
    /// Restores the flag even when `f` panics.
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            DECLARED_ONLY.with(|flag| flag.set(self.0));
        }
    }
    let _restore = Restore(DECLARED_ONLY.with(|flag| flag.replace(true)));
    f()
}

impl<'de> Deserialize<'de> for Extra {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ExtraVisitor;

        impl<'de> Visitor<'de> for ExtraVisitor {
            type Value = Extra;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Extra, A::Error> {
                let mut extra = Extra::default();
                while let Some(key) = access.next_key::<Key<'de>>()? {
                    extra.push_entry(key.as_str(), &mut access)?;
                }
                Ok(extra)
            }
        }

        deserializer.deserialize_map(ExtraVisitor)
    }
}

impl super::de::Undeclared for Extra {
    fn keep<'de, A: MapAccess<'de>>(
        &mut self,
        key: Key<'de>,
        access: &mut A,
    ) -> Result<(), A::Error> {
        self.push_entry(key.as_str(), access)
    }

    fn write<M: serde::ser::SerializeMap>(&self, map: &mut M) -> Result<(), M::Error> {
        self.serialize_entries(map)
    }
}

fn write_json<T: Serialize + ?Sized>(
    out: &mut Vec<u8>,
    value: &T,
) -> Result<(), serde_json::Error> {
    serde_json::to_writer(out, value)
}

/// Writes `text` as a JSON string: copied as is when nothing in it needs escaping (names and
/// most values), through `serde_json` otherwise.
fn write_json_str(out: &mut Vec<u8>, text: &str) -> Result<(), serde_json::Error> {
    /// The bytes JSON escapes in a string: control characters, `"` and `\`.
    const ESCAPED: [bool; 256] = {
        let mut table = [false; 256];
        let mut byte = 0;
        while byte < 0x20 {
            table[byte] = true;
            byte += 1;
        }
        table[b'"' as usize] = true;
        table[b'\\' as usize] = true;
        table
    };
    if text.bytes().any(|b| ESCAPED[usize::from(b)]) {
        return write_json(out, text);
    }
    out.reserve(text.len() + 2);
    out.push(b'"');
    out.extend_from_slice(text.as_bytes());
    out.push(b'"');
    Ok(())
}

/// Looks one property up in an object, skipping the others without building them.
struct Find<'a> {
    name: &'a str,
}

impl<'de> DeserializeSeed<'de> for Find<'_> {
    type Value = Option<Value>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<Value>, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Find<'_> {
    type Value = Option<Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Option<Value>, A::Error> {
        let mut found = None;
        while let Some(key) = access.next_key::<Key<'de>>()? {
            if key.as_str() == self.name {
                found = Some(access.next_value()?);
            } else {
                access.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}

/// Visitor methods that write a scalar as JSON text.
macro_rules! copy_scalars {
    ($($method:ident: $ty:ty,)*) => {
        $(
            fn $method<E: de::Error>(self, value: $ty) -> Result<(), E> {
                write_json(self.0, &value).map_err(E::custom)
            }
        )*
    };
}

/// Copies the next value of any self-describing input into `self.0` as JSON text, without
/// building it in memory.
struct CopyJson<'a>(&'a mut Vec<u8>);

impl<'de> DeserializeSeed<'de> for CopyJson<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for CopyJson<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    copy_scalars! {
        visit_bool: bool,
        visit_i64: i64,
        visit_u64: u64,
        visit_i128: i128,
        visit_u128: u128,
        visit_f64: f64,
        visit_bytes: &[u8],
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<(), E> {
        write_json_str(self.0, value).map_err(E::custom)
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.0.extend_from_slice(b"null");
        Ok(())
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut access: A) -> Result<(), A::Error> {
        let out = self.0;
        out.push(b'[');
        let mut first = true;
        loop {
            // A separator goes before every element but the first; it is taken back when
            // there turns out to be no next element.
            let mark = out.len();
            if !first {
                out.push(b',');
            }
            match access.next_element_seed(CopyJson(out))? {
                Some(()) => first = false,
                None => {
                    out.truncate(mark);
                    break;
                }
            }
        }
        out.push(b']');
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<(), A::Error> {
        let out = self.0;
        out.push(b'{');
        let mut first = true;
        while let Some(key) = access.next_key::<Key<'de>>()? {
            if !first {
                out.push(b',');
            }
            first = false;
            write_json_str(out, key.as_str()).map_err(de::Error::custom)?;
            out.push(b':');
            access.next_value_seed(CopyJson(out))?;
        }
        out.push(b'}');
        Ok(())
    }
}

#[cfg(test)]
mod lenient_tests {
    use super::*;
    use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

    #[test]
    fn dates_read_as_leniently_as_declared_fields() {
        let mut extra = Extra::new();
        extra.insert("millis", 1_586_863_800_000i64);
        extra.insert("spaced", "2020-04-14 11:30:00");
        extra.insert("offset", "2020-04-14T23:30:00-05:00");
        extra.insert("day", "2020-04-14");
        let at = |name: &str| {
            extra
                .get_as::<DateTime<Utc>>(name)
                .unwrap()
                .unwrap()
                .to_rfc3339()
        };
        assert_eq!(at("millis"), "2020-04-14T11:30:00+00:00");
        assert_eq!(at("spaced"), "2020-04-14T11:30:00+00:00");
        assert_eq!(at("day"), "2020-04-14T00:00:00+00:00");
        let day = |name: &str| {
            extra
                .get_as::<NaiveDate>(name)
                .unwrap()
                .unwrap()
                .to_string()
        };
        // The date as written, not shifted into the next UTC day.
        assert_eq!(day("offset"), "2020-04-14");
        assert_eq!(day("millis"), "2020-04-14");
        let naive = extra.get_as::<NaiveDateTime>("millis").unwrap().unwrap();
        assert_eq!(naive.to_string(), "2020-04-14 11:30:00");
        assert!(extra.get_as::<NaiveDate>("nope").is_none());
        extra.insert("word", "soon");
        assert!(matches!(
            extra.get_as::<NaiveDate>("word"),
            Some(Err(Error::Decode(_)))
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn declared_only_serialisation_hides_extra_and_then_restores_it() {
        let extra: Extra = [("custom", json!(1))].into_iter().collect();
        let hidden = serialize_declared_only(|| serde_json::to_value(&extra).ok());
        assert_eq!(hidden, Some(json!({})));
        assert_eq!(
            serde_json::to_value(&extra).ok(),
            Some(json!({"custom": 1}))
        );
        let after_panic = std::panic::catch_unwind(|| serialize_declared_only(|| panic!("inside")));
        assert!(after_panic.is_err());
        assert_eq!(
            serde_json::to_value(&extra).ok(),
            Some(json!({"custom": 1}))
        );
    }

    #[test]
    fn keeps_values_as_received_and_reads_them_by_name() {
        let text =
            r#"{"a":"x\"y","b":[1,-2,3.5,{"c":null}],"d":{"e":true},"a2":18446744073709551615}"#;
        let extra: Extra = serde_json::from_str(text).unwrap_or_default();
        assert_eq!(extra.get("a"), Some(json!("x\"y")));
        assert_eq!(extra.get("b"), Some(json!([1, -2, 3.5, {"c": null}])));
        assert_eq!(
            extra
                .get_as::<Map<String, Value>>("d")
                .and_then(Result::ok)
                .map(|m| m.len()),
            Some(1)
        );
        assert_eq!(extra.get("a2"), Some(json!(u64::MAX)));
        let Some(Err(Error::Decode(error))) = extra.get_as::<u32>("a") else {
            panic!("a string is not a number")
        };
        assert_eq!(error.path, "a");
        assert_eq!(extra.get("missing"), None);
        assert_eq!(extra.len(), 4);
        assert_eq!(
            serde_json::to_value(&extra).ok(),
            serde_json::from_str::<Value>(text).ok()
        );
    }

    #[test]
    fn names_and_values_that_need_escaping_are_copied_escaped() {
        let text = r#"{"plain":"Enterprise","tab\tname":"a\"b\\c\nd\u0001","é":"ü"}"#;
        let extra: Extra = serde_json::from_str(text).unwrap_or_default();
        assert_eq!(extra.get("plain"), Some(json!("Enterprise")));
        assert_eq!(extra.get("tab\tname"), Some(json!("a\"b\\c\nd\u{1}")));
        assert_eq!(extra.get("é"), Some(json!("ü")));
        assert_eq!(
            serde_json::to_value(&extra).ok(),
            serde_json::from_str::<Value>(text).ok()
        );
    }

    #[test]
    fn insert_remove_and_equality() {
        let mut extra = Extra::new();
        assert!(extra.is_empty());
        assert_eq!(extra.insert("n", 7), None);
        assert_eq!(extra.insert("n", "seven"), Some(json!(7)));
        extra.insert("m", json!([]));
        assert_eq!(extra.keys(), ["m", "n"]);
        assert_eq!(extra.remove("n"), Some(json!("seven")));
        assert_eq!(extra, [("m", json!([]))].into_iter().collect::<Extra>());
        assert_eq!(extra.remove("m"), Some(json!([])));
        assert!(extra.is_empty());
        assert_eq!(format!("{extra:?}"), "{}");
    }

    #[test]
    fn the_last_of_repeated_names_counts() {
        let extra: Extra = serde_json::from_str(r#"{"a":1,"a":2}"#).unwrap_or_default();
        assert_eq!(extra.get("a"), Some(json!(2)));
        assert_eq!(extra.to_map().get("a"), Some(&json!(2)));
    }
}
