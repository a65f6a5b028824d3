//! Decoding helpers for the generated `Deserialize` impls: property names and enum values are
//! matched without allocating, and an envelope's payload is decoded in the same pass as the rest.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::Deserialize;

/// A property name, borrowed from the input when it can be (no allocation for known names).
pub struct Key<'de>(Cow<'de, str>);

impl<'de> Key<'de> {
    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name as an owned string, for keeping an undeclared property.
    pub fn into_owned(self) -> String {
        self.0.into_owned()
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;

        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a property name")
            }

            fn visit_borrowed_str<E: de::Error>(self, value: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(value)))
            }

            fn visit_str<E: de::Error>(self, value: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(value.to_owned())))
            }

            fn visit_string<E: de::Error>(self, value: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(value)))
            }
        }

        deserializer.deserialize_identifier(KeyVisitor)
    }
}

/// Deserializes a string enum through `from`, which only allocates for values it does not know.
pub fn enum_from_str<'de, D, T>(
    deserializer: D,
    name: &'static str,
    from: fn(&str) -> T,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    struct EnumVisitor<T> {
        name: &'static str,
        from: fn(&str) -> T,
    }

    impl<'de, T> Visitor<'de> for EnumVisitor<T> {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "a `{}` string", self.name)
        }

        fn visit_str<E: de::Error>(self, value: &str) -> Result<T, E> {
            Ok((self.from)(value))
        }
    }

    deserializer.deserialize_str(EnumVisitor { name, from })
}

/// What one pass over an envelope found: the payload and the success flag.
pub(crate) struct EnvelopeParts<T> {
    pub(crate) data: Option<T>,
    pub(crate) succeeded: Option<bool>,
}

/// Decodes an envelope object in one pass: the `data` property as `T`, the `flag` property as a
/// boolean when it is one, every other property skipped without being built.
pub(crate) struct EnvelopeSeed<T> {
    pub(crate) data: &'static str,
    pub(crate) flag: Option<&'static str>,
    pub(crate) payload: PhantomData<T>,
}

impl<'de, T: Deserialize<'de>> DeserializeSeed<'de> for EnvelopeSeed<T> {
    type Value = EnvelopeParts<T>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for EnvelopeSeed<T> {
    type Value = EnvelopeParts<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut parts = EnvelopeParts {
            data: None,
            succeeded: None,
        };
        while let Some(key) = map.next_key::<Key<'de>>()? {
            if key.as_str() == self.data {
                parts.data = Some(map.next_value()?);
            } else if Some(key.as_str()) == self.flag {
                parts.succeeded = match map.next_value::<serde_json::Value>()? {
                    serde_json::Value::Bool(flag) => Some(flag),
                    _ => None,
                };
            } else {
                map.next_value::<de::IgnoredAny>()?;
            }
        }
        Ok(parts)
    }
}
