//! Boolean expressions over labelled filter conditions (`A AND (B OR C)`), built so labels cannot drift.

use super::error::Error;

/// An expression over the conditions added to a filter builder; each condition is a label `A`, `B`, ...
///
/// Combine with [`and`](Self::and) and [`or`](Self::or); rendering adds the parentheses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// The condition at this position in its builder.
    Condition(usize),
    /// Both sides hold.
    And(Box<Expr>, Box<Expr>),
    /// Either side holds.
    Or(Box<Expr>, Box<Expr>),
}

impl Expr {
    /// `self AND other`.
    #[must_use]
    pub fn and(self, other: Expr) -> Expr {
        Expr::And(Box::new(self), Box::new(other))
    }

    /// `self OR other`.
    #[must_use]
    pub fn or(self, other: Expr) -> Expr {
        Expr::Or(Box::new(self), Box::new(other))
    }

    /// Renders the expression with labels, for a builder holding `count` conditions.
    pub fn render(&self, count: usize) -> Result<String, Error> {
        let mut out = String::new();
        self.write(count, &mut out, false)?;
        Ok(out)
    }

    fn write(&self, count: usize, out: &mut String, inside_and: bool) -> Result<(), Error> {
        match self {
            Expr::Condition(index) => {
                if *index >= count {
                    return Err(Error::Encode(format!(
                        "the filter expression refers to condition #{} but the builder has {count}",
                        index + 1
                    )));
                }
                out.push_str(&label(*index));
            }
            Expr::And(left, right) => {
                left.write(count, out, true)?;
                out.push_str(" AND ");
                right.write(count, out, true)?;
            }
            Expr::Or(left, right) => {
                if inside_and {
                    out.push('(');
                }
                left.write(count, out, false)?;
                out.push_str(" OR ");
                right.write(count, out, false)?;
                if inside_and {
                    out.push(')');
                }
            }
        }
        Ok(())
    }
}

/// `0` → `A`, `25` → `Z`, `26` → `AA`: spreadsheet-style labels.
pub fn label(index: usize) -> String {
    let mut n = index + 1;
    let mut label = Vec::new();
    while n > 0 {
        let digit = (n - 1) % 26;
        label.push(b'A' + digit as u8);
        n = (n - 1) / 26;
    }
    label.reverse();
    String::from_utf8(label).unwrap_or_default()
}

/// `A AND B AND ...` over `count` conditions.
pub fn all(count: usize) -> String {
    (0..count).map(label).collect::<Vec<_>>().join(" AND ")
}

/// The constructors of a generated filter condition type, one per operator of the spec's
/// enum: `eq(field, value)` and, for an operator taking a list, `in_(field, values)`.
///
/// `filter_conditions!(Condition, Operator, ValueType, name: Some, operator: Some, value: Some,
/// eq(Eq, "EQ"), in_(In, "IN", list))`: the condition's field, operator and value properties,
/// each wrapped in `Some` when optional (else in `std::convert::identity`), then the
/// constructors. The condition type has a `Default`. Invoked by its bare name, as
/// `serde_struct!` is.
#[doc(hidden)]
#[macro_export]
macro_rules! filter_conditions {
    (
        $condition:ident, $operator:ident, $value_ty:ty,
        $field:ident: $wrap_field:path,
        $operator_field:ident: $wrap_operator:path,
        $value:ident: $wrap_value:path,
        $($method:ident($variant:ident, $wire:literal $(, $list:ident)?)),* $(,)?
    ) => {
        impl $condition {
            $(filter_conditions!(
                @constructor $operator $value_ty,
                $field: $wrap_field, $operator_field: $wrap_operator, $value: $wrap_value,
                $method($variant, $wire $(, $list)?)
            );)*
        }
    };
    (
        @constructor $operator:ident $value_ty:ty,
        $field:ident: $wrap_field:path, $operator_field:ident: $wrap_operator:path,
        $value:ident: $wrap_value:path, $method:ident($variant:ident, $wire:literal)
    ) => {
        #[doc = concat!("A condition `field ", $wire, " value`.")]
        pub fn $method(field: impl Into<String>, value: impl Into<$value_ty>) -> Self {
            Self {
                $field: $wrap_field(field.into()),
                $operator_field: $wrap_operator($operator::$variant),
                $value: $wrap_value(value.into()),
                ..Default::default()
            }
        }
    };
    (
        @constructor $operator:ident $value_ty:ty,
        $field:ident: $wrap_field:path, $operator_field:ident: $wrap_operator:path,
        $value:ident: $wrap_value:path, $method:ident($variant:ident, $wire:literal, list)
    ) => {
        #[doc = concat!("A condition `field ", $wire, " value` whose value is a list.")]
        pub fn $method(
            field: impl Into<String>,
            values: impl IntoIterator<Item = impl Into<serde_json::Value>>,
        ) -> Self {
            Self {
                $field: $wrap_field(field.into()),
                $operator_field: $wrap_operator($operator::$variant),
                $value: $wrap_value(serde_json::Value::Array(
                    values.into_iter().map(Into::into).collect(),
                )),
                ..Default::default()
            }
        }
    };
}

/// A generated filter type's builder, which keeps the expression's labels in step with the
/// conditions: `Filter::builder()`, then `add` conditions and `build` an expression over them
/// (or `all`).
///
/// `filter_builder!(Filter, FilterBuilder, Condition, conditions: Some, expression: Some)`:
/// the filter's conditions and expression properties, each wrapped in `Some` when optional
/// (else in `std::convert::identity`). The filter type has a `Default`. The name `runtime` resolves
/// where the macro is called. Invoked by its bare name, as
/// `serde_struct!` is.
#[doc(hidden)]
#[macro_export]
macro_rules! filter_builder {
    (
        $filter:ident, $builder:ident, $condition:ident,
        $conditions:ident: $wrap_conditions:path,
        $expression:ident: $wrap_expression:path $(,)?
    ) => {
        impl $filter {
            /// A builder that keeps the expression's labels in step with the conditions.
            pub fn builder() -> $builder {
                $builder::default()
            }
        }

        #[doc = concat!("Builds a [`", stringify!($filter), "`]: [`add`](Self::add) conditions (labelled `A`, `B`, ... in order), then combine the returned expressions.")]
        #[derive(Debug, Clone, Default)]
        pub struct $builder {
            conditions: Vec<$condition>,
        }

        impl $builder {
            /// Adds a condition and returns the expression that stands for it.
            pub fn add(&mut self, condition: $condition) -> runtime::filter::Expr {
                self.conditions.push(condition);
                runtime::filter::Expr::Condition(self.conditions.len() - 1)
            }

            /// The filter with `expression` over the added conditions.
            ///
            /// # Errors
            ///
            /// [`crate::Error::Encode`] when the expression names a condition this builder does
            /// not hold.
            pub fn build(self, expression: &runtime::filter::Expr) -> Result<$filter, runtime::Error> {
                let expression = expression.render(self.conditions.len())?;
                Ok($filter {
                    $conditions: $wrap_conditions(self.conditions),
                    $expression: $wrap_expression(expression),
                    ..Default::default()
                })
            }

            /// The filter that requires every added condition (`A AND B AND ...`).
            pub fn all(self) -> $filter {
                let expression = runtime::filter::all(self.conditions.len());
                $filter {
                    $conditions: $wrap_conditions(self.conditions),
                    $expression: $wrap_expression(expression),
                    ..Default::default()
                }
            }
        }
    };
}
