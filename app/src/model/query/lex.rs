//! The words of the language under the parser: the character scanner (positions are
//! indexes into the query's characters, so errors point at characters, not bytes), the
//! keywords and the field names.
use super::{Field, ParseError};

/// Attribute keys longer than this are refused (they would not be indexed anyway).
const MAX_KEY_CHARS: usize = 128;

/// What stands before the `:` of a condition.
pub(super) enum Name {
    Field(Field),
    Has,
}

/// The boolean keywords. Only the uppercase spelling is a keyword; `and`/`or` are words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Keyword {
    And,
    Or,
    Not,
}

impl Keyword {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Keyword::And => "AND",
            Keyword::Or => "OR",
            Keyword::Not => "NOT",
        }
    }
}

/// Whether `word` would be read as a keyword, so that the printer quotes it.
pub(super) fn is_keyword(word: &str) -> bool {
    matches!(word, "AND" | "OR" | "NOT")
}

pub(super) struct Cursor {
    chars: Vec<char>,
    pub(super) pos: usize,
}

impl Cursor {
    pub(super) fn new(input: &str) -> Cursor {
        Cursor {
            chars: input.chars().collect(),
            pos: 0,
        }
    }

    pub(super) fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    pub(super) fn peek_at(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.pos + ahead).copied()
    }

    pub(super) fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += 1;
        Some(c)
    }

    pub(super) fn eat(&mut self, c: char) -> bool {
        let found = self.peek() == Some(c);
        if found {
            self.pos += 1;
        }
        found
    }

    pub(super) fn at_end(&self) -> bool {
        self.pos >= self.chars.len()
    }

    pub(super) fn skip_whitespace(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    /// The characters between two positions, as written.
    pub(super) fn slice(&self, from: usize, to: usize) -> String {
        self.chars[from.min(self.chars.len())..to.min(self.chars.len())]
            .iter()
            .collect()
    }

    /// Whether the input continues with `prefix`, ignoring ASCII case.
    pub(super) fn starts_with_ignore_case(&self, prefix: &str) -> bool {
        prefix
            .chars()
            .enumerate()
            .all(|(i, p)| self.peek_at(i).is_some_and(|c| c.eq_ignore_ascii_case(&p)))
    }

    /// The keyword at the cursor, if a whole one is there: `OR` followed by the end, a space,
    /// a parenthesis or a quote (`ORACLE` and `or` are words).
    pub(super) fn keyword(&self) -> Option<Keyword> {
        [Keyword::And, Keyword::Or, Keyword::Not]
            .into_iter()
            .find(|k| {
                let len = k.as_str().chars().count();
                k.as_str()
                    .chars()
                    .enumerate()
                    .all(|(i, c)| self.peek_at(i) == Some(c))
                    && self
                        .peek_at(len)
                        .is_none_or(|c| c.is_whitespace() || matches!(c, '(' | ')' | '"'))
            })
    }

    /// Reads characters while `keep` holds.
    pub(super) fn take_while(&mut self, keep: impl Fn(char) -> bool) -> String {
        let start = self.pos;
        while self.peek().is_some_and(&keep) {
            self.pos += 1;
        }
        self.slice(start, self.pos)
    }

    /// Reads a double-quoted string whose opening quote is at the cursor; `\"` and `\\` are
    /// escapes, any other backslash is kept as written.
    pub(super) fn quoted(&mut self) -> Result<String, ParseError> {
        let open = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            match self.bump() {
                None => return Err(error(open, "unclosed quote")),
                Some('"') => return Ok(out),
                Some('\\') => match self.peek() {
                    Some(c @ ('"' | '\\')) => {
                        self.pos += 1;
                        out.push(c);
                    }
                    _ => out.push('\\'),
                },
                Some(c) => out.push(c),
            }
        }
    }
}

pub(super) fn error(position: usize, message: impl Into<String>) -> ParseError {
    ParseError {
        position,
        message: message.into(),
    }
}

/// The names a field can be written with (ASCII case does not matter).
const NAMES: [(&str, Option<Field>); 13] = [
    ("level", Some(Field::Level)),
    ("service", Some(Field::Service)),
    ("environment", Some(Field::Environment)),
    ("env", Some(Field::Environment)),
    ("release", Some(Field::Release)),
    ("message", Some(Field::Message)),
    ("msg", Some(Field::Message)),
    ("trace", Some(Field::Trace)),
    ("trace_id", Some(Field::Trace)),
    ("timestamp", Some(Field::Timestamp)),
    ("ts", Some(Field::Timestamp)),
    ("issue", Some(Field::Issue)),
    ("has", None),
];

/// The field named `name`, written at `pos`.
pub(super) fn resolve(name: &str, pos: usize) -> Result<Name, ParseError> {
    if name.is_empty() {
        return Err(error(pos, "expected a field name before \":\""));
    }
    let lower = name.to_ascii_lowercase();
    if let Some((_, field)) = NAMES.iter().find(|(n, _)| *n == lower) {
        return Ok(field.clone().map_or(Name::Has, Name::Field));
    }
    if lower.starts_with("attr.") {
        return attribute(name["attr.".len()..].to_string(), pos).map(Name::Field);
    }
    let message = if lower == "attr" || lower == "tag" {
        format!("unknown field \"{name}\"; attributes are written attr.KEY or tag[KEY]")
    } else if let Some(known) = suggestion(&lower) {
        format!("unknown field \"{name}\"; did you mean \"{known}\"?")
    } else {
        format!("unknown field \"{name}\"; attributes are written attr.{name}")
    };
    Err(error(pos, message))
}

pub(super) fn attribute(key: String, pos: usize) -> Result<Field, ParseError> {
    if key.is_empty() {
        return Err(error(pos, "expected an attribute key"));
    }
    if key.chars().count() > MAX_KEY_CHARS {
        let message = format!("attribute keys are at most {MAX_KEY_CHARS} characters");
        return Err(error(pos, message));
    }
    if key.contains(']') {
        return Err(error(pos, "attribute keys cannot contain \"]\""));
    }
    Ok(Field::Attr(key))
}

/// The known name closest to `name`, when it is a likely typo (at most two edits, and
/// fewer edits than `name` has characters).
fn suggestion(name: &str) -> Option<&'static str> {
    let len = name.chars().count();
    if len > 13 {
        return None; // more than two edits from the longest name
    }
    NAMES
        .iter()
        .map(|(known, _)| (edit_distance(name, known), *known))
        .filter(|(distance, _)| *distance <= 2 && *distance < len)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, known)| known)
}

/// Optimal string alignment distance: insertions, deletions, substitutions and swaps of
/// two neighbours (`levle` → `level` is one edit).
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}
