//! Replacing the variable parts of a message with placeholders, so that the same error with a
//! different id, number or address groups into one issue. A single left-to-right pass of
//! small hand-written scanners (no regular expressions): at each position where a token may
//! start, the scanners are tried in this order and the first that matches wins:
//!
//! | placeholder   | matches                                                         |
//! | ------------- | --------------------------------------------------------------- |
//! | `<url>`       | `scheme://…` up to white space or a quote                       |
//! | `<email>`     | `local@domain.tld`                                               |
//! | `<uuid>`      | `8-4-4-4-12` hex digits                                          |
//! | `<timestamp>` | `2024-02-21T10:00:00.123Z`, `2024-02-21 10:00:00+01:00`, …       |
//! | `<date>`      | `2024-02-21`                                                     |
//! | `<time>`      | `10:00:00`, `10:00:00.123`                                       |
//! | `<ip>`        | IPv4 `192.168.0.1`, IPv6 `fe80::1ff:fe23:4567:890a`, `::1`       |
//! | `<hex>`       | `0x7fd9eed3`, or 8+ hex digits mixing letters and digits         |
//! | `<num>`       | digits with an optional fraction: `42`, `3.14`, the `812` of `812ms` |
//!
//! The order is what keeps a UUID from being eaten as hex and numbers, a timestamp as numbers,
//! an address as numbers. Tokens start only at a word boundary: the digits of `int32` or
//! `E11000` stay, those of `order-991`, `#991` or `id=991` go.

/// `text` with its variable parts replaced by placeholders.
pub fn normalise(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0; // bytes[copied..i] are still to be copied
    let mut i = 0;
    while i < bytes.len() {
        let at_boundary = i == 0 || !is_word(bytes[i - 1]);
        let found = if at_boundary { token(bytes, i) } else { None };
        match found {
            Some((end, placeholder)) => {
                out.push_str(&text[copied..i]);
                out.push_str(placeholder);
                i = end;
                copied = end;
            }
            None => i += 1,
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// A scanner: the end of its token starting at `i`, if there is one.
type Scanner = fn(&[u8], usize) -> Option<usize>;
/// Whether a token of a scanner can start with this byte.
type Starts = fn(u8) -> bool;

/// The scanners in the order they are tried, each with the first bytes it can start at.
const SCANNERS: [(Starts, Scanner, &str); 10] = [
    (|c| c.is_ascii_alphabetic(), url, "<url>"),
    (is_email_local, email, "<email>"),
    (|c| c.is_ascii_hexdigit(), uuid, "<uuid>"),
    (|c| c.is_ascii_digit(), timestamp, "<timestamp>"),
    (|c| c.is_ascii_digit(), date, "<date>"),
    (|c| c.is_ascii_digit(), time_token, "<time>"),
    (|c| c.is_ascii_digit(), ipv4, "<ip>"),
    (|c| c.is_ascii_hexdigit() || c == b':', ipv6, "<ip>"),
    (|c| c.is_ascii_hexdigit(), hex, "<hex>"),
    (|c| c.is_ascii_digit(), number, "<num>"),
];

/// The token starting at `i`, as its end and placeholder.
fn token(b: &[u8], i: usize) -> Option<(usize, &'static str)> {
    let c = b[i];
    SCANNERS
        .iter()
        .filter(|(starts, _, _)| starts(c))
        .find_map(|(_, scan, placeholder)| scan(b, i).map(|end| (end, *placeholder)))
}

fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c >= 0x80
}

/// Whether a token may end before `b[end]`: the end of the text or a non-word byte.
fn ends_word(b: &[u8], end: usize) -> bool {
    end >= b.len() || !is_word(b[end])
}

/// How many bytes from `i` satisfy `pred`, counting no further than `max` (one past the
/// longest token that scanner accepts, so that a long run costs the same as a short one and
/// the pass stays linear); tokens that consume their whole run use [`run_all`].
fn run(b: &[u8], i: usize, max: usize, pred: impl Fn(u8) -> bool) -> usize {
    b[i.min(b.len())..]
        .iter()
        .take(max)
        .take_while(|&&c| pred(c))
        .count()
}

/// How many bytes from `i` satisfy `pred`.
fn run_all(b: &[u8], i: usize, pred: impl Fn(u8) -> bool) -> usize {
    b[i.min(b.len())..].iter().take_while(|&&c| pred(c)).count()
}

fn digits(b: &[u8], i: usize, count: usize) -> bool {
    i + count <= b.len() && b[i..i + count].iter().all(u8::is_ascii_digit)
}

fn url(b: &[u8], i: usize) -> Option<usize> {
    let scheme = run(b, i, 33, |c| {
        c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.')
    });
    let rest = i + scheme;
    if scheme == 0 || scheme > 32 || !b[rest..].starts_with(b"://") {
        return None;
    }
    let body = rest + 3;
    let mut end = body
        + run_all(b, body, |c| {
            !c.is_ascii_whitespace() && !matches!(c, b'"' | b'\'' | b'<' | b'>' | b'`')
        });
    // Punctuation that ends a sentence or closes a bracket is not part of the address.
    while end > body
        && matches!(
            b[end - 1],
            b'.' | b',' | b';' | b':' | b'!' | b'?' | b')' | b']' | b'}'
        )
    {
        end -= 1;
    }
    (end > body).then_some(end)
}

fn is_email_local(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'%' | b'+' | b'-')
}

fn email(b: &[u8], i: usize) -> Option<usize> {
    // At most 64 bytes before the `@` (the RFC's limit), which also keeps `a.a.a.a…` linear.
    let local = run(b, i, 65, is_email_local);
    let at = i + local;
    if local == 0 || local > 64 || b.get(at) != Some(&b'@') {
        return None;
    }
    // Domain labels separated by dots; the last one, the top-level domain, all letters.
    let mut pos = at + 1;
    let mut labels = 0;
    let mut last_label_alpha = false;
    loop {
        let label = run(b, pos, 64, |c| c.is_ascii_alphanumeric() || c == b'-');
        if label == 0 {
            break;
        }
        last_label_alpha = label >= 2 && b[pos..pos + label].iter().all(u8::is_ascii_alphabetic);
        labels += 1;
        pos += label;
        if b.get(pos) == Some(&b'.') && b.get(pos + 1).is_some_and(u8::is_ascii_alphanumeric) {
            pos += 1;
        } else {
            break;
        }
    }
    (labels >= 2 && last_label_alpha && ends_word(b, pos)).then_some(pos)
}

fn uuid(b: &[u8], i: usize) -> Option<usize> {
    let mut pos = i;
    for (n, len) in [8, 4, 4, 4, 12].into_iter().enumerate() {
        if n > 0 {
            if b.get(pos) != Some(&b'-') {
                return None;
            }
            pos += 1;
        }
        if run(b, pos, len, |c| c.is_ascii_hexdigit()) < len {
            return None;
        }
        pos += len;
    }
    ends_word(b, pos).then_some(pos)
}

fn is_date(b: &[u8], i: usize) -> bool {
    digits(b, i, 4)
        && b.get(i + 4) == Some(&b'-')
        && digits(b, i + 5, 2)
        && b.get(i + 7) == Some(&b'-')
        && digits(b, i + 8, 2)
}

/// A date, `T` or a space, a time, an optional zone.
fn timestamp(b: &[u8], i: usize) -> Option<usize> {
    if !is_date(b, i) || !matches!(b.get(i + 10), Some(b'T' | b't' | b' ')) {
        return None;
    }
    let end = zone(b, time(b, i + 11)?);
    ends_word(b, end).then_some(end)
}

fn date(b: &[u8], i: usize) -> Option<usize> {
    (is_date(b, i) && ends_word(b, i + 10)).then_some(i + 10)
}

fn time_token(b: &[u8], i: usize) -> Option<usize> {
    time(b, i).filter(|&end| ends_word(b, end))
}

/// `HH:MM:SS` with an optional fraction, as its end.
fn time(b: &[u8], i: usize) -> Option<usize> {
    let ok = digits(b, i, 2)
        && b.get(i + 2) == Some(&b':')
        && digits(b, i + 3, 2)
        && b.get(i + 5) == Some(&b':')
        && digits(b, i + 6, 2);
    if !ok {
        return None;
    }
    let mut end = i + 8;
    if matches!(b.get(end), Some(b'.' | b',')) && b.get(end + 1).is_some_and(u8::is_ascii_digit) {
        end += 1 + run_all(b, end + 1, |c| c.is_ascii_digit());
    }
    Some(end)
}

/// `Z`, `+HH:MM`, `-HHMM` or `+HH` after a time, as the new end.
fn zone(b: &[u8], end: usize) -> usize {
    match b.get(end) {
        Some(b'Z' | b'z') => end + 1,
        Some(b'+' | b'-') if digits(b, end + 1, 2) => {
            let hours = end + 3;
            if b.get(hours) == Some(&b':') && digits(b, hours + 1, 2) {
                hours + 3
            } else if digits(b, hours, 2) {
                hours + 2
            } else {
                hours
            }
        }
        _ => end,
    }
}

fn ipv4(b: &[u8], i: usize) -> Option<usize> {
    let mut pos = i;
    for part in 0..4 {
        if part > 0 {
            if b.get(pos) != Some(&b'.') {
                return None;
            }
            pos += 1;
        }
        let len = run(b, pos, 4, |c| c.is_ascii_digit());
        if len == 0 || len > 3 {
            return None;
        }
        let octet: u32 = std::str::from_utf8(&b[pos..pos + len]).ok()?.parse().ok()?;
        if octet > 255 {
            return None;
        }
        pos += len;
    }
    // `1.2.3.4.5` is a version, not an address.
    let more = b.get(pos) == Some(&b'.') && b.get(pos + 1).is_some_and(u8::is_ascii_digit);
    (!more && ends_word(b, pos)).then_some(pos)
}

/// An IPv6 address: hex groups of at most 4 digits separated by `:`, eight of them or fewer
/// around one `::`, with at least one decimal digit (so that `dead::beef`-like words and
/// Rust paths such as `a::b` stay).
fn ipv6(b: &[u8], i: usize) -> Option<usize> {
    let len = run(b, i, 40, |c| c.is_ascii_hexdigit() || c == b':');
    let candidate = &b[i..i + len];
    let colons = candidate.iter().filter(|&&c| c == b':').count();
    if colons < 2 || len > 39 || !ends_word(b, i + len) || !candidate.iter().any(u8::is_ascii_digit)
    {
        return None;
    }
    let text = std::str::from_utf8(candidate).ok()?;
    let compressed = text.matches("::").count();
    if compressed > 1 || text.contains(":::") {
        return None;
    }
    let groups: Vec<&str> = text.split(':').filter(|g| !g.is_empty()).collect();
    if groups.iter().any(|g| g.len() > 4) {
        return None;
    }
    let fits = if compressed == 1 {
        groups.len() <= 7
    } else {
        groups.len() == 8 && !text.starts_with(':') && !text.ends_with(':')
    };
    fits.then_some(i + len)
}

fn hex(b: &[u8], i: usize) -> Option<usize> {
    let prefixed = b[i] == b'0' && matches!(b.get(i + 1), Some(b'x' | b'X'));
    let digits_after = if prefixed {
        run_all(b, i + 2, |c| c.is_ascii_hexdigit())
    } else {
        0
    };
    if digits_after > 0 && ends_word(b, i + 2 + digits_after) {
        return Some(i + 2 + digits_after);
    }
    let len = run_all(b, i, |c| c.is_ascii_hexdigit());
    let token = &b[i..i + len];
    let mixed = token.iter().any(u8::is_ascii_digit) && token.iter().any(u8::is_ascii_alphabetic);
    (len >= 8 && mixed && ends_word(b, i + len)).then_some(i + len)
}

/// Digits with an optional fraction; any letters after them (a unit, like `ms`) stay.
fn number(b: &[u8], i: usize) -> Option<usize> {
    let mut end = i + run_all(b, i, |c| c.is_ascii_digit());
    if b.get(end) == Some(&b'.') && b.get(end + 1).is_some_and(u8::is_ascii_digit) {
        end += 1 + run_all(b, end + 1, |c| c.is_ascii_digit());
    }
    Some(end)
}

#[cfg(test)]
mod tests {
    use super::normalise;

    #[test]
    fn each_placeholder_on_its_own() {
        let cases = [
            ("order 991 failed", "order <num> failed"),
            ("took 812ms (3.5 s)", "took <num>ms (<num> s)"),
            (
                "id=42, #7, order-991, user_12",
                "id=<num>, #<num>, order-<num>, user_<num>",
            ),
            ("int32 overflow in E11000 v2", "int32 overflow in E11000 v2"),
            (
                "job 8c6d7053-7c12-4f85-be05-07c34c6fa526 lost",
                "job <uuid> lost",
            ),
            ("job 8C6D7053-7C12-4F85-BE05-07C34C6FA526", "job <uuid>"),
            ("object at 0x7fd9eed32c10>", "object at <hex>>"),
            ("sha 3a7bd3e2360a3d29eea436fcfb7e44c7", "sha <hex>"),
            (
                "word deadbeefcafe stays, 12345678 is a number",
                "word deadbeefcafe stays, <num> is a number",
            ),
            ("mail ada@example.com now", "mail <email> now"),
            ("mail <first.last+tag@mail.example.co.uk>", "mail <<email>>"),
            (
                "not an email: a@b, x@localhost",
                "not an email: a@b, x@localhost",
            ),
            (
                "GET https://api.example.com/v1/carts/7?x=1 failed.",
                "GET <url> failed.",
            ),
            ("see (http://example.com/a).", "see (<url>)."),
            ("from 192.168.10.254:5432", "from <ip>:<num>"),
            (
                "version 1.2.3.4.5 and 300.1.1.1",
                "version <num>.<num>.<num> and <num>.<num>",
            ),
            ("peer fe80::1ff:fe23:4567:890a down", "peer <ip> down"),
            (
                "peer [::1]:8080 and 2001:db8:0:0:0:0:2:1",
                "peer [<ip>]:<num> and <ip>",
            ),
            (
                "path std::io::Error and a::b",
                "path std::io::Error and a::b",
            ),
            ("at 2024-02-21T10:00:00.123Z", "at <timestamp>"),
            ("at 2024-02-21 10:00:00+01:00 ok", "at <timestamp> ok"),
            ("at 2026-12-01T20:09:39.710159Z.", "at <timestamp>."),
            ("on 2024-02-21, at 10:42:17.5", "on <date>, at <time>"),
            ("ratio 10:30 stays", "ratio <num>:<num> stays"),
            ("ünïcode 42 ünïcode42", "ünïcode <num> ünïcode42"),
        ];
        for (given, expected) in cases {
            assert_eq!(normalise(given), expected, "{given}");
        }
    }

    #[test]
    fn empty_and_plain_text_pass_through() {
        assert_eq!(normalise(""), "");
        assert_eq!(normalise("plain words only"), "plain words only");
    }
}
