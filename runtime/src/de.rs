//! Decoding helpers for the generated `Deserialize` impls: property names and enum values are
//! matched without allocating, and an envelope's payload is decoded in the same pass as the rest.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::Deserialize;

/// A generated struct that keeps undeclared properties, with its `Serialize`, `Deserialize`
/// and (when listed) `with_*` setters, from one declaration: each property is declared once,
/// with its JSON name, instead of again in a field list, an attribute per field or a visitor
/// spelled out for every type. The visitor matches property names without allocating and
/// decodes straight from the input (`serde(flatten)` would buffer every property first).
///
/// ```text
/// serde_struct! {
///     /// Docs and derives of the struct.
///     #[derive(Debug, Clone, PartialEq, Default)]
///     pub struct Pet {
///         /// Docs of the field.
///         pub id: i64 = required("id"),
///         pub name: Option<String> = optional("name", with_name: impl Into<String>),
///         ..extra: crate::Extra
///     }
/// }
/// ```
///
/// A field's kind is `optional` (left out when `None`), `nullable` (required but nullable:
/// `None` is written as `null`) or `required`, or `optional_date`, `nullable_date`,
/// `required_date` (dates read leniently and written in their format); then its JSON name, and
/// the name and argument type of its setter when it has one. The field after `..` keeps the
/// undeclared properties ([`Undeclared`]), written after the declared ones. The names
/// `Deserialize`, `Serialize` and `runtime::...` resolve where the macro is called: the
/// generated `types` module, which imports them.
///
/// Invoked by its bare name (`#[macro_use]` on the vendored runtime, a `use` of the runtime
/// crate's), which also serves its own helper rules: a `$crate::` path would not resolve when
/// a build script `include!`s the whole client.
#[doc(hidden)]
#[macro_export]
macro_rules! serde_struct {
    (
        $(#[$attr:meta])*
        pub struct $name:ident {
            $(
                $(#[$field_attr:meta])*
                pub $field:ident: $ty:ty = $kind:ident($json:literal $(, $setter:ident: $arg:ty)?)
            ),*
            $(,)? ..$extra:ident: $extra_ty:ty $(,)?
        }
    ) => {
        $(#[$attr])*
        pub struct $name {
            $($(#[$field_attr])* pub $field: $ty,)*
            /// Properties the spec does not declare, kept as received so that they survive a
            /// round trip (such as custom fields).
            pub $extra: $extra_ty,
        }

        impl $name {
            $(serde_struct!(@setter [$(#[$field_attr])*] $field $json $($setter $arg)?);)*
        }

        impl<'de> Deserialize<'de> for $name {
            #[allow(deprecated)]
            fn deserialize<__D: serde::Deserializer<'de>>(deserializer: __D) -> Result<Self, __D::Error> {
                struct __Visitor;

                impl<'de> serde::de::Visitor<'de> for __Visitor {
                    type Value = $name;

                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str(concat!("a `", stringify!($name), "` object"))
                    }

                    fn visit_map<__A: serde::de::MapAccess<'de>>(self, mut access: __A) -> Result<Self::Value, __A::Error> {
                        $(let mut $field = None;)*
                        let mut $extra = <$extra_ty as Default>::default();
                        while let Some(key) = access.next_key::<runtime::de::Key<'de>>()? {
                            match key.as_str() {
                                $($json => $field = serde_struct!(@read access $kind),)*
                                _ => runtime::de::Undeclared::keep(&mut $extra, key, &mut access)?,
                            }
                        }
                        Ok($name {
                            $($field: serde_struct!(@init $field $json __A $kind),)*
                            $extra,
                        })
                    }
                }

                deserializer.deserialize_map(__Visitor)
            }
        }

        impl Serialize for $name {
            #[allow(deprecated)]
            fn serialize<__S: serde::Serializer>(&self, serializer: __S) -> Result<__S::Ok, __S::Error> {
                use serde::ser::SerializeMap as _;
                let mut map = serializer.serialize_map(None)?;
                $(serde_struct!(@write map self $field $json $kind);)*
                runtime::de::Undeclared::write(&self.$extra, &mut map)?;
                map.end()
            }
        }
    };
    (@setter [$($attr:tt)*] $field:ident $json:literal) => {};
    (@setter [$($attr:tt)*] $field:ident $json:literal $setter:ident $arg:ty) => {
        #[doc = concat!("Sets `", $json, "`.")]
        #[doc = ""]
        $($attr)*
        #[allow(deprecated, clippy::useless_conversion)]
        #[must_use]
        pub fn $setter(mut self, $field: $arg) -> Self {
            self.$field = Some($field.into());
            self
        }
    };
    (@write $map:ident $self:ident $field:ident $json:literal optional) => {
        if let Some(value) = &$self.$field {
            $map.serialize_entry($json, value)?;
        }
    };
    (@write $map:ident $self:ident $field:ident $json:literal nullable) => {
        $map.serialize_entry($json, &$self.$field)?;
    };
    (@write $map:ident $self:ident $field:ident $json:literal required) => {
        $map.serialize_entry($json, &$self.$field)?;
    };
    (@write $map:ident $self:ident $field:ident $json:literal optional_date) => {
        if let Some(value) = &$self.$field {
            $map.serialize_entry($json, &runtime::dates::Encoded(value))?;
        }
    };
    (@write $map:ident $self:ident $field:ident $json:literal nullable_date) => {
        $map.serialize_entry($json, &$self.$field.as_ref().map(runtime::dates::Encoded))?;
    };
    (@write $map:ident $self:ident $field:ident $json:literal required_date) => {
        $map.serialize_entry($json, &runtime::dates::Encoded(&$self.$field))?;
    };
    (@read $access:ident optional) => { $access.next_value()? };
    (@read $access:ident nullable) => { $access.next_value()? };
    (@read $access:ident nullable_date) => { $access.next_value::<runtime::dates::Decoded<_>>()?.0 };
    (@read $access:ident required) => { Some($access.next_value()?) };
    (@read $access:ident optional_date) => { $access.next_value::<runtime::dates::Decoded<_>>()?.0 };
    (@read $access:ident required_date) => { Some($access.next_value::<runtime::dates::Decoded<_>>()?.0) };
    (@init $field:ident $json:literal $error:ident optional) => { $field };
    (@init $field:ident $json:literal $error:ident nullable) => { $field };
    (@init $field:ident $json:literal $error:ident nullable_date) => { $field };
    (@init $field:ident $json:literal $error:ident optional_date) => { $field };
    (@init $field:ident $json:literal $error:ident required) => {
        $field.ok_or_else(|| <$error::Error as serde::de::Error>::missing_field($json))?
    };
    (@init $field:ident $json:literal $error:ident required_date) => {
        $field.ok_or_else(|| <$error::Error as serde::de::Error>::missing_field($json))?
    };
}

/// Where a `serde_struct!` type keeps the properties it does not declare: an `Extra` for
/// anything, or a map of the spec's `additionalProperties` type.
pub trait Undeclared: Default {
    /// Keeps the property `key`, whose value `access` reads next.
    fn keep<'de, A: MapAccess<'de>>(
        &mut self,
        key: Key<'de>,
        access: &mut A,
    ) -> Result<(), A::Error>;

    /// Writes the kept properties after the declared ones.
    fn write<M: serde::ser::SerializeMap>(&self, map: &mut M) -> Result<(), M::Error>;
}

impl<T> Undeclared for std::collections::BTreeMap<String, T>
where
    T: serde::de::DeserializeOwned + serde::Serialize,
{
    fn keep<'de, A: MapAccess<'de>>(
        &mut self,
        key: Key<'de>,
        access: &mut A,
    ) -> Result<(), A::Error> {
        self.insert(key.into_owned(), access.next_value()?);
        Ok(())
    }

    fn write<M: serde::ser::SerializeMap>(&self, map: &mut M) -> Result<(), M::Error> {
        for (name, value) in self {
            map.serialize_entry(name, value)?;
        }
        Ok(())
    }
}

/// The impls of a generated string enum (its variants, then `Unknown(String)` for values the
/// spec did not list): `as_str`, `Display`, `From<&str>`, `FromStr`, `Serialize` and
/// `Deserialize`, from its table of `Variant = "value"` pairs. Written once here rather than
/// some fifty lines per enum.
///
/// `string_enum!(Type, Open = "open", Closed = "closed")`. The names `Serialize`,
/// `Deserialize` and `runtime::...` resolve where the macro is called: the generated `types`
/// module, which imports them. Invoked by its bare name, as `serde_struct!` is.
#[doc(hidden)]
#[macro_export]
macro_rules! string_enum {
    ($name:ident, $($variant:ident = $value:literal),* $(,)?) => {
        impl $name {
            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $value,)*
                    Self::Unknown(value) => value,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $($value => Self::$variant,)*
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl Serialize for $name {
            fn serialize<__S: serde::Serializer>(&self, serializer: __S) -> Result<__S::Ok, __S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<__D: serde::Deserializer<'de>>(deserializer: __D) -> Result<Self, __D::Error> {
                runtime::de::enum_from_str(deserializer, stringify!($name), |value: &str| Self::from(value))
            }
        }
    };
}

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

/// The JSON shape of one alternative of an untagged union, for telling alternatives apart.
#[derive(Debug, Clone, Copy)]
pub enum Shape {
    /// An object with these required and declared property names; `closed` when it admits no
    /// other properties (`additionalProperties: false`).
    Object {
        /// Properties that must be present.
        required: &'static [&'static str],
        /// Every declared property.
        declared: &'static [&'static str],
        /// No undeclared properties allowed.
        closed: bool,
        /// The union's discriminator property and the values that select this alternative.
        tag: Option<(&'static str, &'static [&'static str])>,
    },
    /// A string.
    String,
    /// An integral number.
    Integer,
    /// Any number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// A list.
    Array,
    /// Anything (a map, any value).
    Any,
    /// A nested union: fits as well as the best of its alternatives.
    OneOf(&'static [Shape]),
}

/// The alternatives of an untagged union in the order to try them for `value`: first those whose
/// shape fits (for objects: every required property present, no undeclared one when closed),
/// best first (most declared properties present, fewest undeclared), ties in declaration order;
/// then the rest, so that a value is never rejected that some alternative would accept.
///
/// This is what keeps `{"id": "p1", "publisher": "NPR"}` from decoding as the first object
/// alternative (`Episode {id, audio}`) with `publisher` swallowed as an undeclared property.
pub fn rank_alternatives(value: &serde_json::Value, shapes: &[Shape]) -> Vec<usize> {
    let mut fitting: Vec<(i64, usize)> = Vec::new();
    let mut rest = Vec::new();
    for (index, shape) in shapes.iter().enumerate() {
        match score(shape, value) {
            Some(points) => fitting.push((points, index)),
            None => rest.push(index),
        }
    }
    fitting.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    fitting
        .into_iter()
        .map(|(_, index)| index)
        .chain(rest)
        .collect()
}

/// How well `value` fits `shape` (higher is better), or `None` when it cannot be that shape.
fn score(shape: &Shape, value: &serde_json::Value) -> Option<i64> {
    use serde_json::Value;
    match (shape, value) {
        (
            Shape::Object {
                required,
                declared,
                closed,
                tag,
            },
            Value::Object(object),
        ) => {
            // A declared discriminator decides on its own when the value carries it.
            if let Some((property, values)) = tag {
                if let Some(Value::String(found)) = object.get(*property) {
                    return values.contains(&found.as_str()).then_some(i64::MAX / 2);
                }
            }
            if !required.iter().all(|name| object.contains_key(*name)) {
                return None;
            }
            let known = object
                .keys()
                .filter(|key| declared.contains(&key.as_str()))
                .count() as i64;
            let unknown = object.len() as i64 - known;
            if *closed && unknown > 0 {
                return None;
            }
            Some(2 * known - unknown)
        }
        (Shape::String, Value::String(_))
        | (Shape::Boolean, Value::Bool(_))
        | (Shape::Array, Value::Array(_)) => Some(0),
        (Shape::Integer, Value::Number(n)) if n.is_i64() || n.is_u64() => Some(0),
        (Shape::Number, Value::Number(_)) => Some(0),
        // Anything fits, but a more specific shape is preferred.
        (Shape::Any, _) => Some(-1_000_000),
        // Shapes are finite static trees (the generator bounds their depth).
        (Shape::OneOf(members), _) => members
            .iter()
            .filter_map(|member| score(member, value))
            .max(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nested_union_fits_as_well_as_its_best_alternative() {
        // Stripe: `anyOf: [payment_source, deleted_payment_source]`, each itself a union.
        const ACCOUNT: Shape = Shape::Object {
            required: &["id", "object"],
            declared: &["id", "object", "email"],
            closed: false,
            tag: None,
        };
        const DELETED_CARD: Shape = Shape::Object {
            required: &["deleted", "id", "object"],
            declared: &["currency", "deleted", "id", "object"],
            closed: false,
            tag: None,
        };
        let shapes = [
            Shape::OneOf(&[ACCOUNT, Shape::String]),
            Shape::OneOf(&[DELETED_CARD]),
        ];
        let deleted = serde_json::json!({"id": "ba_1", "object": "bank_account", "deleted": true, "currency": "usd"});
        assert_eq!(rank_alternatives(&deleted, &shapes), [1, 0]);
        let account = serde_json::json!({"id": "acct_1", "object": "account"});
        assert_eq!(rank_alternatives(&account, &shapes), [0, 1]);
        assert_eq!(
            rank_alternatives(&serde_json::json!("acct_1"), &shapes),
            [0, 1]
        );
    }

    const EPISODE: Shape = Shape::Object {
        required: &[],
        declared: &["id", "audio"],
        closed: false,
        tag: None,
    };
    const PODCAST: Shape = Shape::Object {
        required: &[],
        declared: &["id", "publisher"],
        closed: false,
        tag: None,
    };

    #[test]
    fn the_alternative_declaring_more_of_the_keys_wins() {
        let podcast = serde_json::json!({"id": "p1", "publisher": "NPR"});
        assert_eq!(rank_alternatives(&podcast, &[EPISODE, PODCAST]), [1, 0]);
        let episode = serde_json::json!({"id": "e1", "audio": "a.mp3"});
        assert_eq!(rank_alternatives(&episode, &[EPISODE, PODCAST]), [0, 1]);
        // A tie keeps the declaration order.
        let either = serde_json::json!({"id": "x"});
        assert_eq!(rank_alternatives(&either, &[EPISODE, PODCAST]), [0, 1]);
    }

    #[test]
    fn required_and_closed_objects_and_scalars_are_respected() {
        let strict = Shape::Object {
            required: &["kind"],
            declared: &["kind"],
            closed: true,
            tag: None,
        };
        let value = serde_json::json!({"id": "x", "kind": "a"});
        // `strict` has the key it requires but is closed to `id`: it goes last.
        assert_eq!(rank_alternatives(&value, &[strict, EPISODE]), [1, 0]);
        let number = serde_json::json!(1.5);
        assert_eq!(
            rank_alternatives(&number, &[Shape::Integer, Shape::Any, Shape::Number]),
            [2, 1, 0]
        );
        let text = serde_json::json!("x");
        assert_eq!(
            rank_alternatives(&text, &[Shape::Array, Shape::String]),
            [1, 0]
        );
    }

    #[test]
    fn a_discriminator_value_decides() {
        let dog = Shape::Object {
            required: &[],
            declared: &["kind", "bark", "name"],
            closed: false,
            tag: Some(("kind", &["dog"])),
        };
        let cat = Shape::Object {
            required: &[],
            declared: &["kind"],
            closed: false,
            tag: Some(("kind", &["cat", "kitten"])),
        };
        // `dog` declares more of the keys, but the tag says cat.
        let value = serde_json::json!({"kind": "kitten", "name": "Tom"});
        assert_eq!(rank_alternatives(&value, &[dog, cat]), [1, 0]);
        // Without the property, shapes decide as usual.
        let value = serde_json::json!({"bark": true});
        assert_eq!(rank_alternatives(&value, &[dog, cat]), [0, 1]);
    }
}
