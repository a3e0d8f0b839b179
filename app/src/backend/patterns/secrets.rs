//! Masking secret-looking values in text before it leaves the server (the digest's sample
//! lines): keys and values that name a secret, bearer tokens, JWTs, well-known key prefixes,
//! long random runs and emails become `<redacted>`; the rest of the text is kept.
use super::mask::is_domain;

/// What replaces each secret found by [`mask_secrets`].
pub const REDACTED: &str = "<redacted>";

/// `text` with everything that looks like a secret replaced by `<redacted>`, for text about to be
/// sent to a model. It errs towards redacting. Each of these is looked for where a token starts
/// (not after a letter, digit or one of `_ . - + % ~`, so a scan never restarts inside a run):
/// - the value after a key ending in `password`, `passwd`, `secret`, `token`, `api_key`/`apikey`,
///   `access_key`, `private_key`, `auth`, `authorization`, `credential(s)`, `cookie` or
///   `session_id` (any case, `-` or `.` for `_`) and `=` or `:`, quoted or up to a space, quote
///   or `&`; a scheme word after it (`Bearer`, `Basic`, …) is kept;
/// - the password in `scheme://user:password@host`, and the token after `Bearer ` (8+ characters
///   with a digit);
/// - JWTs (`eyJ…` with three dot-separated parts);
/// - keys with a known prefix (`sk_`, `sk-`, `pk_`, `rk_`, `ghp_`, `github_pat_`, `xoxb-`,
///   `xoxp-`, `glpat-`, …) followed by 12+ key characters with a digit, and AWS key ids
///   (`AKIA`/`ASIA` and 16 capitals or digits);
/// - email addresses;
/// - runs of 32+ base64 or hex characters that look random (see `looks_random`).
pub fn mask_secrets(text: &str) -> String {
    let finders: [fn(&str) -> Option<Secret>; 7] = [
        secret_assignment,
        url_password,
        bearer_token,
        jwt,
        prefixed_key,
        aws_key_id,
        email_address,
    ];
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    // Runs before this position were already judged not random, so are not judged again.
    let mut plain_until = 0;
    while let Some(c) = text[at..].chars().next() {
        let rest = &text[at..];
        if text[..at]
            .chars()
            .next_back()
            .is_none_or(starts_token_after)
        {
            if let Some(secret) = finders.iter().find_map(|find| find(rest)) {
                out.push_str(&rest[..secret.start]);
                out.push_str(REDACTED);
                at += secret.end;
                continue;
            }
            if at >= plain_until {
                let run = random_run_length(rest);
                if looks_random(rest[..run].trim_end_matches('=')) {
                    out.push_str(REDACTED);
                    at += run;
                    continue;
                }
                plain_until = at + run;
            }
        }
        out.push(c);
        at += c.len_utf8();
    }
    out
}

/// Where a secret lies in the text being scanned; the text before `start` is kept.
struct Secret {
    start: usize,
    end: usize,
}

/// Whether a token may start after `previous`.
fn starts_token_after(previous: char) -> bool {
    !(previous.is_ascii_alphanumeric() || "_.-+%~".contains(previous))
}

/// Length of the spaces and tabs at the start of `text`.
fn spaces(text: &str) -> usize {
    run_of(text, usize::MAX, |b| b == b' ' || b == b'\t')
}

/// Length of the run at the start of `text` whose bytes pass `keep`, looking at most `limit` bytes.
fn run_of(text: &str, limit: usize, keep: fn(u8) -> bool) -> usize {
    text.bytes().take(limit).take_while(|&b| keep(b)).count()
}

const SECRET_KEY_ENDINGS: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "api_key",
    "apikey",
    "access_key",
    "accesskey",
    "private_key",
    "privatekey",
    "auth",
    "authorization",
    "credential",
    "credentials",
    "cookie",
    "session_id",
    "sessionid",
];

/// `password=…`, `"api_key": "…"`, `Authorization: Bearer …` and the like.
fn secret_assignment(rest: &str) -> Option<Secret> {
    let bytes = rest.as_bytes();
    let key_length = run_of(rest, 65, |b| {
        b.is_ascii_alphanumeric() || b"_-.".contains(&b)
    });
    if key_length == 0 || key_length > 64 {
        return None;
    }
    let key = rest[..key_length]
        .to_ascii_lowercase()
        .replace(['-', '.'], "_");
    if !SECRET_KEY_ENDINGS
        .iter()
        .any(|ending| key.ends_with(ending))
    {
        return None;
    }
    let mut at = key_length + usize::from(matches!(bytes.get(key_length), Some(b'"' | b'\'')));
    at += spaces(&rest[at..]);
    if !matches!(bytes.get(at), Some(b'=' | b':')) {
        return None;
    }
    at += 1;
    at += spaces(&rest[at..]);
    let (start, end) = match bytes.get(at) {
        Some(&quote @ (b'"' | b'\'')) => {
            let start = at + 1 + auth_scheme_length(&rest[at + 1..]);
            (start, start + rest[start..].find(char::from(quote))?)
        }
        _ => {
            let start = at + auth_scheme_length(&rest[at..]);
            let value = &rest[start..];
            let length = value.find(|c: char| c.is_whitespace() || "\"'&".contains(c));
            (start, start + length.unwrap_or(value.len()))
        }
    };
    (end > start).then_some(Secret { start, end })
}

/// Length of `Bearer ` (or another scheme word and its spaces) at the start of a header value.
fn auth_scheme_length(value: &str) -> usize {
    let word = run_of(value, usize::MAX, |b| b.is_ascii_alphabetic());
    let gap = spaces(&value[word..]);
    let scheme = value[..word].to_ascii_lowercase();
    let known = ["bearer", "basic", "digest", "token", "negotiate"].contains(&scheme.as_str());
    if known && gap > 0 && word + gap < value.len() {
        word + gap
    } else {
        0
    }
}

fn url_password(rest: &str) -> Option<Secret> {
    let scheme = run_of(rest, 33, |b| {
        b.is_ascii_alphanumeric() || b"+.-".contains(&b)
    });
    let after = rest[scheme..].strip_prefix("://")?;
    let authority = after.find(|c: char| c.is_whitespace() || c == '/' || c == '@')?;
    if scheme == 0 || scheme > 32 || !after[authority..].starts_with('@') {
        return None;
    }
    let colon = after[..authority].find(':')?;
    let (start, end) = (scheme + 3 + colon + 1, scheme + 3 + authority);
    (end > start).then_some(Secret { start, end })
}

fn bearer_token(rest: &str) -> Option<Secret> {
    if !rest.get(..6)?.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let start = 6 + spaces(&rest[6..]);
    let length = run_of(&rest[start..], usize::MAX, |b| {
        b.is_ascii_alphanumeric() || b"._~+/=-".contains(&b)
    });
    let token = &rest[start..start + length];
    (start > 6 && length >= 8 && token.bytes().any(|b| b.is_ascii_digit())).then_some(Secret {
        start,
        end: start + length,
    })
}

fn jwt(rest: &str) -> Option<Secret> {
    let segment = |text: &str| {
        run_of(text, usize::MAX, |b| {
            b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
        })
    };
    if !rest.starts_with("eyJ") {
        return None;
    }
    let header = segment(rest);
    let after_header = rest[header..].strip_prefix('.')?;
    let payload = segment(after_header);
    let signature = segment(after_header[payload..].strip_prefix('.')?);
    (header >= 10 && payload > 0).then_some(Secret {
        start: 0,
        end: header + payload + signature + 2,
    })
}

const KEY_PREFIXES: &[&str] = &[
    "sk_",
    "sk-",
    "pk_",
    "rk_",
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "xoxb-",
    "xoxp-",
    "xoxa-",
    "xoxr-",
    "xoxs-",
    "glpat-",
];

fn prefixed_key(rest: &str) -> Option<Secret> {
    let prefix = KEY_PREFIXES
        .iter()
        .find(|prefix| rest.starts_with(**prefix))?
        .len();
    let length = run_of(&rest[prefix..], usize::MAX, |b| {
        b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
    });
    let key = &rest[prefix..prefix + length];
    (length >= 12 && key.bytes().any(|b| b.is_ascii_digit())).then_some(Secret {
        start: 0,
        end: prefix + length,
    })
}

fn aws_key_id(rest: &str) -> Option<Secret> {
    if !(rest.starts_with("AKIA") || rest.starts_with("ASIA")) {
        return None;
    }
    let id = rest.get(4..20)?;
    let ends = rest[20..]
        .chars()
        .next()
        .is_none_or(|c| !c.is_ascii_alphanumeric());
    (ends
        && id
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()))
    .then_some(Secret { start: 0, end: 20 })
}

fn email_address(rest: &str) -> Option<Secret> {
    let local = run_of(rest, 65, |b| {
        b.is_ascii_alphanumeric() || b"._%+-".contains(&b)
    });
    let after = rest[local..].strip_prefix('@')?;
    let domain = run_of(after, 256, |b| {
        b.is_ascii_alphanumeric() || b == b'.' || b == b'-'
    });
    let domain = after[..domain].trim_end_matches(['.', '-']).len();
    (local > 0 && local <= 64 && is_domain(&after[..domain])).then_some(Secret {
        start: 0,
        end: local + 1 + domain,
    })
}

/// Length of the base64/hex run at the start of `text`, with any `=` padding.
fn random_run_length(text: &str) -> usize {
    let body = run_of(text, usize::MAX, |b| {
        b.is_ascii_alphanumeric() || b"+/_-".contains(&b)
    });
    body + run_of(&text[body..], usize::MAX, |b| b == b'=')
}

/// 32+ characters that are hex mixing digits and letters, or base64 with capitals, small letters
/// and digits that changes between those classes at least once every three characters (names and
/// paths change rarely; random text about two times in three).
fn looks_random(run: &str) -> bool {
    let has = |test: fn(&u8) -> bool| run.as_bytes().iter().any(test);
    if run.len() < 32 {
        return false;
    }
    if run.bytes().all(|b| b.is_ascii_hexdigit()) {
        return has(u8::is_ascii_digit) && has(u8::is_ascii_alphabetic);
    }
    let class = |b: u8| {
        (
            b.is_ascii_uppercase(),
            b.is_ascii_lowercase(),
            b.is_ascii_digit(),
        )
    };
    let changes = run
        .as_bytes()
        .windows(2)
        .filter(|pair| class(pair[0]) != class(pair[1]))
        .count();
    has(u8::is_ascii_uppercase)
        && has(u8::is_ascii_lowercase)
        && has(u8::is_ascii_digit)
        && changes * 3 >= run.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Texts with secrets, each followed by `=> ` and the text with them redacted.
    const SECRETS: &str = r#"
login password=hunter2 ok
=> login password=<redacted> ok
body {"password": "s3cr3t!"}
=> body {"password": "<redacted>"}
DB_PASSWORD='p@ss w0rd' set
=> DB_PASSWORD='<redacted>' set
token=abc123&user=bob
=> token=<redacted>&user=bob
client_secret: 9f8e7d6c
=> client_secret: <redacted>
X-Api-Key: qwerty123
=> X-Api-Key: <redacted>
Authorization: Bearer abc.def.ghi
=> Authorization: Bearer <redacted>
authorization: Basic dXNlcjpwYXNz
=> authorization: Basic <redacted>
sending Bearer 8a7b6c5d4e3f2a1b upstream
=> sending Bearer <redacted> upstream
jwt eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyIjo0Mn0.Xk2f9Qz7LmPq-w done
=> jwt <redacted> done
key sk_live_51Hq8ZtK2mN4pQ7rS9vX used
=> key <redacted> used
gh ghp_1a2B3c4D5e6F7g8H9i0JkLmNoPqRsTuVwXyZ
=> gh <redacted>
slack xoxb-123456789012-abcdEFGHijkl
=> slack <redacted>
aws AKIA4QWERTYUIOP7ASDF,
=> aws <redacted>,
digest 9b74c9897bac770ffc029102a200c5de7e7f4a5b6c8d9e0f1a2b3c4d5e6f7a8b
=> digest <redacted>
sig Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MEFCQ0RFRkdI==.
=> sig <redacted>.
basic creds UGFzc3dvcmRQYXNzd29yZFBhc3N3b3JkUGFzc3dvcmRQYXNzd29yZFBhc3N3b3JkUGFzc3dvcmRQYXNzd29yZA end
=> basic creds <redacted> end
mail to alice.smith@example.com now
=> mail to <redacted> now
dsn postgres://app:s3cret@db.internal:5432/app
=> dsn postgres://app:<redacted>@db.internal:5432/app
"#;

    #[test]
    fn secrets_are_redacted() {
        let lines: Vec<&str> = SECRETS.lines().filter(|line| !line.is_empty()).collect();
        assert!(lines.len() >= 30);
        for pair in lines.chunks(2) {
            let want = pair[1].strip_prefix("=> ").expect("a redacted text");
            assert_eq!(mask_secrets(pair[0]), want, "text: {}", pair[0]);
        }
    }

    /// Ordinary texts that must come back unchanged, one a line.
    const ORDINARY: &str = r#"
password reset requested for account 42
token bucket refilled: 5 tokens available
max_tokens=512 temperature=0.7 author=bob
GET /api/v1/users/42 returned 200 in 12ms
request 550e8400-e29b-41d4-a716-446655440000 finished
index pk_users_email_idx rebuilt; sk_table missing
Basic setup complete, bearer token missing from request
loaded /usr/local/lib/python3.11/site-packages/requests/adapters.py
gauge order_fulfillment_worker_queue_depth_gauge_total=17
title="Release notes" café crème — naïve
AKIA is a prefix; 12:30:00 at 10.0.0.1
metric OrderFulfillmentWorkerQueueDepth2024Total rose
"#;

    #[test]
    fn ordinary_text_is_left_alone() {
        for text in ORDINARY.lines().filter(|line| !line.is_empty()) {
            assert_eq!(mask_secrets(text), text);
        }
    }
}
