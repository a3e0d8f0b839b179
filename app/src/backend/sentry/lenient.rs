//! Reading JSON fields the way real SDKs send them: numbers where strings are expected (and
//! the other way round), `null` for "absent", empty strings for "unset". Every reader takes
//! the value by ownership so that strings move out of the parsed document instead of being
//! copied.
use serde_json::{Map, Value};

/// Text of a scalar: a string as it is, a number or a boolean written out. `null`, an empty
/// string, arrays and objects are "absent".
pub(crate) fn text(value: Value) -> Option<String> {
    match value {
        Value::String(text) if text.is_empty() => None,
        Value::String(text) => Some(text),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

/// [`text`] cut to `max` bytes (on a character boundary); a cut is counted in `cuts`.
pub(crate) fn short_text(value: Value, max: usize, cuts: &mut usize) -> Option<String> {
    let mut text = text(value)?;
    if cut(&mut text, max) {
        *cuts += 1;
    }
    Some(text)
}

/// The field `name` of `fields` read with [`short_text`].
pub(crate) fn take_text(
    fields: &mut Map<String, Value>,
    name: &str,
    max: usize,
    cuts: &mut usize,
) -> Option<String> {
    short_text(fields.remove(name)?, max, cuts)
}

/// An integer from a number (a float only when it is whole) or from a string holding one.
pub(crate) fn integer(value: &Value) -> Option<i64> {
    match value {
        Value::Number(number) => number.as_i64().or_else(|| {
            let float = number.as_f64()?;
            (float.fract() == 0.0 && float.abs() < 9.0e15).then_some(float as i64)
        }),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

/// A boolean from `true`/`false`, the strings `"true"`/`"false"` (any case) or `1`/`0`.
pub(crate) fn boolean(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(flag) => Some(*flag),
        Value::String(text) => match text.trim().to_ascii_lowercase().as_str() {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => None,
        },
        Value::Number(number) => match number.as_i64() {
            Some(1) => Some(true),
            Some(0) => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// An object, or nothing for `null` and every other shape.
pub(crate) fn object(value: Value) -> Option<Map<String, Value>> {
    match value {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

/// A list of strings from an array (strings as they are, empty ones included: a blank source
/// line is a line; other scalars written out; `null` and the rest skipped), at most
/// `max_items` items of at most `max_len` bytes each; a bare string is a list of one.
pub(crate) fn string_list(
    value: Value,
    max_items: usize,
    max_len: usize,
    cuts: &mut usize,
) -> Vec<String> {
    let items = match value {
        Value::Array(items) => items,
        scalar @ Value::String(_) => vec![scalar],
        _ => return Vec::new(),
    };
    let mut list = Vec::with_capacity(items.len().min(max_items));
    for item in items {
        if list.len() == max_items {
            *cuts += 1;
            break;
        }
        let entry = match item {
            Value::String(entry) => Some(entry),
            other => text(other),
        };
        if let Some(mut entry) = entry {
            if cut(&mut entry, max_len) {
                *cuts += 1;
            }
            list.push(entry);
        }
    }
    list
}

/// Key/value pairs from an object (`{"k": "v"}`, keys in sorted order: the JSON reader keeps
/// no insertion order) or from a list of pairs (`[["k", "v"], …]`, in the order sent). Values
/// are read with [`text`]; pairs without a key or value are skipped. At most `max_pairs` are
/// kept, keys and values cut to `max_len` bytes.
pub(crate) fn pairs(
    value: Value,
    max_pairs: usize,
    max_len: usize,
    cuts: &mut usize,
) -> Vec<(String, String)> {
    let raw: Vec<(Value, Value)> = match value {
        Value::Object(map) => map
            .into_iter()
            .map(|(k, v)| (Value::String(k), v))
            .collect(),
        Value::Array(items) => items
            .into_iter()
            .filter_map(|item| match item {
                Value::Array(pair) if pair.len() == 2 => {
                    let mut pair = pair.into_iter();
                    Some((pair.next()?, pair.next()?))
                }
                _ => None,
            })
            .collect(),
        _ => return Vec::new(),
    };
    let mut kept = Vec::with_capacity(raw.len().min(max_pairs));
    for (key, value) in raw {
        let (Some(key), Some(value)) = (
            short_text(key, max_len, cuts),
            short_text(value, max_len, cuts),
        ) else {
            continue;
        };
        if kept.len() == max_pairs {
            *cuts += 1;
            break;
        }
        kept.push((key, value));
    }
    kept
}

/// Cuts `text` to at most `max` bytes on a character boundary; true when it was cut.
pub(crate) fn cut(text: &mut String, max: usize) -> bool {
    if text.len() <= max {
        return false;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    true
}

/// The size of `value` written as compact JSON, without writing it anywhere.
pub(crate) fn json_size(value: &Value) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0 += bytes.len();
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    // Writing a `Value` to a sink that never fails cannot fail.
    let _ = serde_json::to_writer(&mut count, value);
    count.0
}

/// `value` when it is no larger than `max` bytes as JSON; otherwise nothing, counted in
/// `dropped`. `null` is nothing, not counted.
pub(crate) fn bounded_json(value: Value, max: usize, dropped: &mut usize) -> Option<Value> {
    if value.is_null() {
        return None;
    }
    if json_size(&value) > max {
        *dropped += 1;
        return None;
    }
    Some(value)
}

/// The entries of an object whose JSON size is at most `max_entry` bytes each, at most
/// `max_total` bytes together; the others are dropped and counted.
pub(crate) fn bounded_object(
    map: Map<String, Value>,
    max_entry: usize,
    max_total: usize,
    dropped: &mut usize,
) -> Map<String, Value> {
    let mut total = 0;
    let mut kept = Map::new();
    for (key, value) in map {
        if value.is_null() {
            continue;
        }
        let size = key.len() + json_size(&value);
        if size > max_entry || total + size > max_total {
            *dropped += 1;
            continue;
        }
        total += size;
        kept.insert(key, value);
    }
    kept
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn scalars_become_text_and_absent_shapes_do_not() {
        assert_eq!(text(json!("a")), Some("a".into()));
        assert_eq!(text(json!(42)), Some("42".into()));
        assert_eq!(text(json!(1.5)), Some("1.5".into()));
        assert_eq!(text(json!(true)), Some("true".into()));
        for absent in [json!(null), json!(""), json!([1]), json!({"a": 1})] {
            assert_eq!(text(absent.clone()), None, "{absent}");
        }
    }

    #[test]
    fn integers_and_booleans_in_the_forms_sdks_send() {
        assert_eq!(integer(&json!(7)), Some(7));
        assert_eq!(integer(&json!(7.0)), Some(7));
        assert_eq!(integer(&json!(" 12 ")), Some(12));
        assert_eq!(integer(&json!(7.5)), None);
        assert_eq!(integer(&json!("x")), None);
        assert_eq!(boolean(&json!("TRUE")), Some(true));
        assert_eq!(boolean(&json!(0)), Some(false));
        assert_eq!(boolean(&json!("maybe")), None);
    }

    #[test]
    fn cuts_keep_whole_characters() {
        let mut text = "ééé".to_string(); // 6 bytes
        assert!(cut(&mut text, 3));
        assert_eq!(text, "é");
        assert!(!cut(&mut text, 10));
    }

    #[test]
    fn pairs_from_objects_and_lists() {
        let mut cuts = 0;
        let from_list = pairs(
            json!([["b", 1], ["a", "x"], ["lonely"], [null, "v"]]),
            10,
            100,
            &mut cuts,
        );
        assert_eq!(
            from_list,
            vec![("b".into(), "1".into()), ("a".into(), "x".into())]
        );
        let capped = pairs(json!({"a": "1", "b": "2", "c": "3"}), 2, 100, &mut cuts);
        assert_eq!(capped.len(), 2);
        assert_eq!(cuts, 1);
    }

    #[test]
    fn json_sizes_match_the_written_text() {
        let value = json!({"a": [1, "two", null], "é": true});
        assert_eq!(json_size(&value), value.to_string().len());
        let mut dropped = 0;
        assert_eq!(bounded_json(json!("x".repeat(10)), 5, &mut dropped), None);
        assert_eq!(dropped, 1);
        let kept = bounded_object(
            json!({"small": 1, "big": "y".repeat(50)})
                .as_object()
                .unwrap()
                .clone(),
            20,
            100,
            &mut dropped,
        );
        assert_eq!(Value::Object(kept), json!({"small": 1}));
        assert_eq!(dropped, 2);
    }
}
