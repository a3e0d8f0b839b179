//! The canonical text of a query: `parse(&expr.to_string())` gives `expr` back for every
//! tree the parser produces. Used to normalise the URL and to show what was understood.
use std::fmt::{self, Display, Formatter, Write};

use super::lex::is_keyword;
use super::{CmpOp, Expr, Field, Value, format_rfc3339};

impl Display for Expr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Expr::And(items) => {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_char(' ')?;
                    }
                    match item {
                        Expr::Or(_) => write!(f, "({item})")?,
                        _ => write!(f, "{item}")?,
                    }
                }
                Ok(())
            }
            Expr::Or(items) => {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" OR ")?;
                    }
                    write!(f, "{item}")?;
                }
                Ok(())
            }
            Expr::Not(inner) => match **inner {
                Expr::And(_) | Expr::Or(_) => write!(f, "!({inner})"),
                _ => write!(f, "!{inner}"),
            },
            Expr::Text(text) => write_text(f, text),
            Expr::Is { field, values } => {
                write!(f, "{field}:")?;
                match values.as_slice() {
                    [value] if !needs_brackets(value) => write!(f, "{value}"),
                    _ => {
                        f.write_char('[')?;
                        for (i, value) in values.iter().enumerate() {
                            if i > 0 {
                                f.write_str(", ")?;
                            }
                            write!(f, "{value}")?;
                        }
                        f.write_char(']')
                    }
                }
            }
            Expr::Compare { field, op, value } => write!(f, "{field}:{op}{value}"),
            Expr::Has(field) => write!(f, "has:{field}"),
        }
    }
}

/// `level`, `service`, …; an attribute as `attr.KEY` when the key is made of letters,
/// digits, `_`, `.` and `-`, else as `tag[KEY]`.
impl Display for Field {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let name = match self {
            Field::Level => "level",
            Field::Service => "service",
            Field::Environment => "environment",
            Field::Release => "release",
            Field::Message => "message",
            Field::Trace => "trace",
            Field::Timestamp => "timestamp",
            Field::Issue => "issue",
            Field::Attr(key) => {
                let plain = !key.is_empty()
                    && key
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
                return if plain {
                    write!(f, "attr.{key}")
                } else {
                    write!(f, "tag[{key}]")
                };
            }
        };
        f.write_str(name)
    }
}

impl Display for Value {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Value::Text(text) => write_text(f, text),
            Value::Pattern(pattern) => f.write_str(pattern),
            Value::Level(level) => f.write_str(level.name()),
            Value::Time(us) => f.write_str(&format_rfc3339(*us)),
            Value::Int(n) => write!(f, "{n}"),
            Value::Number(n) => write!(f, "{n}"),
        }
    }
}

impl Display for CmpOp {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
        })
    }
}

/// A lone pattern that would read as a list or a comparison is written as a one-item list
/// (`service:[>*]`); the parser only produces such patterns from lists.
fn needs_brackets(value: &Value) -> bool {
    matches!(value, Value::Pattern(p) if p.starts_with(['[', '<', '>']))
}

/// Free text or a text value, quoted unless it reads back as itself bare.
fn write_text(f: &mut Formatter<'_>, text: &str) -> fmt::Result {
    let bare = !text.is_empty()
        && !is_keyword(text)
        && !text.starts_with(['!', '-', '<', '>'])
        && !text.chars().any(|c| {
            c.is_whitespace() || matches!(c, '"' | '(' | ')' | '*' | ':' | '[' | ']' | ',')
        });
    if bare {
        return f.write_str(text);
    }
    f.write_char('"')?;
    for c in text.chars() {
        if matches!(c, '"' | '\\') {
            f.write_char('\\')?;
        }
        f.write_char(c)?;
    }
    f.write_char('"')
}
