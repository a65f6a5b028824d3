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
