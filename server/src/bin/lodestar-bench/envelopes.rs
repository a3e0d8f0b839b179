//! The envelopes the Sentry benchmark sends: one error event each, shaped like those the
//! official Python SDK sends from a Flask service (the envelope header with the trace and
//! the DSN's public key, an `event` item with `length`, gzip; see
//! `app/tests/fixtures/sentry/python-exception.envelope`): an exception with a 10 to 14 frame
//! stack trace (source context and local variables on the in-app frames), breadcrumbs, tags,
//! user, request, contexts, modules and SDK info. About 7 KB before compression: DESIGN.md §7
//! names ~5 KB events, which a stack this deep only reaches without source context; with
//! context on every frame, as the SDK sends it, it would be ~9 KB.
//!
//! Templates are built once before any timing. Making an envelope copies one and writes in
//! place, at offsets found when it was built, what must differ from one event to the next: a
//! new event id (envelope header and payload), the time (`sent_at`, `timestamp`, breadcrumbs)
//! and an id in the exception's message; then gzips it, as the SDK does per envelope. Gzip
//! costs this machine about 200 µs per envelope, 40 % of a core at 2,000 events/s, which the
//! server would lose to the bench: so envelopes are made ahead, between steps on every core
//! ([`Envelopes::make_ahead`]), and each send takes a ready one.
//!
//! Every exception kind is raised under every top function, so the events group into
//! [`ISSUES`] issues (the grouping is the exception type, its message with numbers replaced
//! by placeholders and the innermost in-app function).
use std::{
    io::Write,
    sync::{
        Mutex, PoisonError,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use app::backend::db;
use flate2::{Compression, write::GzEncoder};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use serde_json::{Map, Value, json};

use crate::bodies::XorShift;

/// Exception kinds, each raised under each top function.
pub const EXCEPTION_KINDS: usize = 10;
pub const TOP_FUNCTION_COUNT: usize = 5;
/// Issues the envelopes group into.
pub const ISSUES: usize = EXCEPTION_KINDS * TOP_FUNCTION_COUNT;
/// Templates per issue: each with its own request, user, numbers, frames and breadcrumbs.
const PER_ISSUE: usize = 8;

/// Where a send writes its event id (32 hex digits, as the SDK's uuid4().hex).
const ID_SLOT: &str = "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@";
/// Where it writes the send time: as wide as `2026-12-01T20:09:39.700974Z`.
const TIME_SLOT: &str = "~~~~~~~~~~~~~~~~~~~~~~~~~~~";
/// Where it writes an id in the exception's message (7 digits).
const NUMBER_SLOT: &str = "^^^^^^^";

/// A built envelope and the offsets of its slots.
struct Template {
    text: Vec<u8>,
    ids: Vec<usize>,
    times: Vec<usize>,
    numbers: Vec<usize>,
}

/// The templates of one run, the counter that makes each event id new, and the envelopes
/// made ahead.
pub struct Envelopes {
    templates: Vec<Template>,
    /// The high half of every event id, different on every run.
    run: u64,
    made: AtomicU64,
    ready: Mutex<Vec<Vec<u8>>>,
    /// Envelopes a send had to make because none was ready.
    made_late: AtomicU64,
    /// Average sizes: decompressed, and gzipped as sent.
    pub raw_kb: f64,
    pub gzip_kb: f64,
    /// What making one envelope (copy, stamp, gzip) costs the bench, µs of one core.
    pub make_us: f64,
}

/// What the database holds for the bench app after the run.
pub struct Stored {
    pub issues: i64,
    pub events: i64,
    /// Log lines: each event leaves one in the log stream.
    pub lines: i64,
}

impl Envelopes {
    /// The templates for the app whose DSN has `public_key`.
    pub fn build(public_key: &str) -> Self {
        let mut rng = XorShift::new(0x5e47_c0de_2026_1201);
        let mut templates = Vec::with_capacity(ISSUES * PER_ISSUE);
        for _ in 0..PER_ISSUE {
            for kind in &KINDS {
                for top in &TOP_FUNCTIONS {
                    templates.push(Template::new(&envelope(&mut rng, public_key, kind, top)));
                }
            }
        }
        let run = crate::bodies::now().to_bits() ^ u64::from(std::process::id()).rotate_left(32);
        let mut envelopes = Envelopes {
            templates,
            run,
            made: AtomicU64::new(0),
            ready: Mutex::new(Vec::new()),
            made_late: AtomicU64::new(0),
            raw_kb: 0.0,
            gzip_kb: 0.0,
            make_us: 0.0,
        };
        let count = envelopes.templates.len() as f64;
        let raw: usize = envelopes.templates.iter().map(|t| t.text.len()).sum();
        let started = Instant::now();
        let gzipped: usize = (0..envelopes.templates.len())
            .map(|_| envelopes.make().len())
            .sum();
        envelopes.make_us = started.elapsed().as_secs_f64() * 1e6 / count;
        envelopes.raw_kb = raw as f64 / count / 1e3;
        envelopes.gzip_kb = gzipped as f64 / count / 1e3;
        envelopes
    }

    /// The next envelope to send: one made ahead, else one made now.
    pub fn next(&self) -> Vec<u8> {
        let ready = lock(&self.ready).pop();
        ready.unwrap_or_else(|| {
            self.made_late.fetch_add(1, Ordering::Relaxed);
            self.make()
        })
    }

    /// Makes envelopes until `count` are ready, on every core; returns how long it took.
    pub fn make_ahead(&self, count: usize) -> Duration {
        let started = Instant::now();
        let wanted = count.saturating_sub(lock(&self.ready).len());
        let threads = std::thread::available_parallelism().map_or(1, usize::from);
        std::thread::scope(|scope| {
            for share in 0..threads {
                let n = wanted / threads + usize::from(share < wanted % threads);
                scope.spawn(move || {
                    let made: Vec<Vec<u8>> = (0..n).map(|_| self.make()).collect();
                    lock(&self.ready).extend(made);
                });
            }
        });
        started.elapsed()
    }

    /// Envelopes sends made because none was ready (each cost the bench ~[`Self::make_us`]
    /// while the server was measured, if it was in a measured window).
    pub fn made_late(&self) -> u64 {
        self.made_late.load(Ordering::Relaxed)
    }

    /// The next template as a new event, gzipped.
    fn make(&self) -> Vec<u8> {
        gzip(&self.stamp())
    }

    /// The next template as a new event, now, before compression.
    fn stamp(&self) -> Vec<u8> {
        let sequence = self.made.fetch_add(1, Ordering::Relaxed);
        let template = &self.templates[sequence as usize % self.templates.len()];
        let mixed = split_mix(sequence);
        let id = format!("{:016x}{:016x}", self.run, mixed);
        let time = chrono::Utc::now()
            .format("%Y-%m-%dT%H:%M:%S%.6fZ")
            .to_string();
        let number = format!("{:07}", 1_000_000 + mixed % 9_000_000);
        let mut text = template.text.clone();
        for (offsets, value) in [
            (&template.ids, &id),
            (&template.times, &time),
            (&template.numbers, &number),
        ] {
            for &at in offsets {
                text[at..at + value.len()].copy_from_slice(value.as_bytes());
            }
        }
        text
    }
}

impl Template {
    fn new(text: &[u8]) -> Self {
        let offsets = |slot: &str| -> Vec<usize> {
            let slot = slot.as_bytes();
            let mut found = Vec::new();
            let mut at = 0;
            while let Some(i) = text[at..].windows(slot.len()).position(|w| w == slot) {
                found.push(at + i);
                at += i + slot.len();
            }
            found
        };
        Template {
            ids: offsets(ID_SLOT),
            times: offsets(TIME_SLOT),
            numbers: offsets(NUMBER_SLOT),
            text: text.to_vec(),
        }
    }
}

/// Counts what the run left in the database at `url` for `app_id` (the server stopped).
pub async fn stored(url: &str, app_id: i64) -> Result<Stored, String> {
    let conn = db::connect(url)
        .await
        .map_err(|e| format!("cannot open {}: {e}", db::redact_url(url)))?;
    let stored = Stored {
        issues: count(&conn, "issues", app_id).await?,
        events: count(&conn, "events", app_id).await?,
        lines: count(&conn, "logs", app_id).await?,
    };
    conn.close().await.ok();
    Ok(stored)
}

async fn count(conn: &DatabaseConnection, table: &str, app_id: i64) -> Result<i64, String> {
    let sql = format!("SELECT count(*) FROM {table} WHERE app_id = {app_id}");
    let row = conn
        .query_one_raw(Statement::from_string(conn.get_database_backend(), &sql))
        .await
        .map_err(|e| format!("`{sql}`: {e}"))?;
    row.map_or(Ok(0), |r| r.try_get_by_index::<i64>(0))
        .map_err(|e| format!("`{sql}`: {e}"))
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn gzip(text: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::with_capacity(text.len() / 2), Compression::default());
    encoder
        .write_all(text)
        .and_then(|()| encoder.finish())
        .expect("gzip into a Vec cannot fail")
}

/// A bijection on u64 that scatters consecutive numbers: unique event ids that look random.
fn split_mix(n: u64) -> u64 {
    let mut z = n.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// An exception the service raises, and where it comes from.
struct Kind {
    ty: &'static str,
    /// `None` for builtins, as the SDK sends them.
    module: Option<&'static str>,
    /// `{n}`: a number chosen per template; `{id}`: a number written per send.
    value: &'static str,
    /// The top in-app frame's line: the raise, or the call into `library`.
    line: &'static str,
    /// Frames below the app, innermost last, the last one raising: (path under
    /// site-packages, function, line).
    library: &'static [(&'static str, &'static str, &'static str)],
}

const KINDS: [Kind; EXCEPTION_KINDS] = [
    Kind {
        ty: "ValidationError",
        module: Some("marshmallow.exceptions"),
        value: "{'quantity': ['Must be greater than or equal to 1.'], 'line_id': ['Unknown \
                line {id}.']}",
        line: "    data = OrderSchema().load(request.get_json())",
        library: &[
            (
                "marshmallow/schema.py",
                "load",
                "        return self._do_load(",
            ),
            ("marshmallow/schema.py", "_do_load", "            raise exc"),
        ],
    },
    Kind {
        ty: "BadRequestKeyError",
        module: Some("werkzeug.exceptions"),
        value: "400 Bad Request: The browser (or proxy) sent a request that this server could \
                not understand.\nKeyError: 'sku'",
        line: "    sku = request.form[\"sku\"]",
        library: &[(
            "werkzeug/datastructures/structures.py",
            "__getitem__",
            "        raise exceptions.BadRequestKeyError(key)",
        )],
    },
    Kind {
        ty: "ZeroDivisionError",
        module: None,
        value: "division by zero",
        line: "    share = total / len(lines)",
        library: &[],
    },
    Kind {
        ty: "AttributeError",
        module: None,
        value: "'NoneType' object has no attribute 'address'",
        line: "    country = customer.address.country",
        library: &[],
    },
    Kind {
        ty: "PermissionError",
        module: None,
        value: "[Errno 13] Permission denied: '/var/lib/shop/exports/{id}.csv'",
        line: "    with open(path, \"w\", newline=\"\") as out:",
        library: &[],
    },
    Kind {
        ty: "PaymentDeclined",
        module: Some("shop.payments.errors"),
        value: "card declined for order {id}: insufficient funds ({n} cents)",
        line: "        raise PaymentDeclined(order.id, reply[\"amount\"])",
        library: &[],
    },
    Kind {
        ty: "TimeoutError",
        module: Some("redis.exceptions"),
        value: "Timeout reading from redis-cache.internal:6379 after {n} ms",
        line: "    cached = cache.get(f\"cart:{cart_id}\")",
        library: &[
            (
                "redis/commands/core.py",
                "get",
                "        return self.execute_command(\"GET\", name)",
            ),
            (
                "redis/client.py",
                "execute_command",
                "        return conn.retry.call_with_retry(",
            ),
            (
                "redis/connection.py",
                "read_response",
                "            raise TimeoutError(f\"Timeout reading from {self.host}:{self.port}\")",
            ),
        ],
    },
    Kind {
        ty: "ConnectionError",
        module: Some("requests.exceptions"),
        value: "HTTPConnectionPool(host='payments.internal', port=8443): Max retries exceeded \
                with url: /v1/charges/{id} (Caused by NewConnectionError('Failed to establish a \
                new connection: [Errno 111] Connection refused'))",
        line: "    response = requests.post(url, json=payload, timeout=5)",
        library: &[
            (
                "requests/api.py",
                "post",
                "    return request(\"post\", url, data=data, json=json, **kwargs)",
            ),
            (
                "requests/api.py",
                "request",
                "        return session.request(method=method, url=url, **kwargs)",
            ),
            (
                "requests/sessions.py",
                "request",
                "        resp = self.send(prep, **send_kwargs)",
            ),
            (
                "requests/sessions.py",
                "send",
                "        r = adapter.send(request, **kwargs)",
            ),
            (
                "requests/adapters.py",
                "send",
                "            raise ConnectionError(e, request=request)",
            ),
        ],
    },
    Kind {
        ty: "IntegrityError",
        module: Some("sqlalchemy.exc"),
        value: "(psycopg2.errors.UniqueViolation) duplicate key value violates unique constraint \
                \"orders_pkey\"\nDETAIL:  Key (id)=({id}) already exists.",
        line: "    db.session.commit()",
        library: &[
            (
                "sqlalchemy/orm/scoping.py",
                "commit",
                "        return self._proxied.commit()",
            ),
            (
                "sqlalchemy/orm/session.py",
                "commit",
                "        trans.commit(_to_root=True)",
            ),
            (
                "sqlalchemy/orm/session.py",
                "_prepare_impl",
                "                self.session.flush()",
            ),
            (
                "sqlalchemy/engine/default.py",
                "do_execute",
                "        cursor.execute(statement, parameters)",
            ),
        ],
    },
    Kind {
        ty: "JSONDecodeError",
        module: Some("json.decoder"),
        value: "Expecting value: line 1 column {n} (char {n})",
        line: "    return json.loads(reply.text)",
        library: &[
            (
                "json/__init__.py",
                "loads",
                "    return _default_decoder.decode(s)",
            ),
            (
                "json/decoder.py",
                "decode",
                "        obj, end = self.raw_decode(s, idx=_w(s, 0).end())",
            ),
            (
                "json/decoder.py",
                "raw_decode",
                "            raise JSONDecodeError(\"Expecting value\", s, err.value) from None",
            ),
        ],
    },
];

/// The innermost in-app function of an issue, with the view and the service that call it:
/// (area, view, service, top function, the route).
const TOP_FUNCTIONS: [(&str, &str, &str, &str, &str); TOP_FUNCTION_COUNT] = [
    (
        "checkout",
        "create_checkout",
        "place_order",
        "reserve_stock",
        "/api/checkout/<int:cart_id>",
    ),
    (
        "orders",
        "update_order",
        "recalculate",
        "apply_discount",
        "/api/orders/<int:order_id>",
    ),
    (
        "payments",
        "pay_order",
        "settle",
        "charge_card",
        "/api/orders/<int:order_id>/payment",
    ),
    (
        "shipping",
        "get_rates",
        "quote",
        "quote_rates",
        "/api/shipping/rates",
    ),
    (
        "accounts",
        "get_profile",
        "profile_for",
        "load_profile",
        "/api/accounts/me",
    ),
];

/// In-app frames between the service and the top function, some on each template.
const HELPERS: [(&str, &str); 4] = [
    ("shop/services/base.py", "in_transaction"),
    ("shop/audit.py", "audited"),
    ("shop/cache.py", "memoised"),
    ("shop/feature_flags.py", "gated"),
];

/// The frames every request starts with: Flask and its extensions (not in app).
const OUTER: [(&str, &str, &str); 5] = [
    (
        "flask/app.py",
        "wsgi_app",
        "                response = self.full_dispatch_request()",
    ),
    (
        "flask/app.py",
        "full_dispatch_request",
        "            rv = self.dispatch_request()",
    ),
    (
        "flask/app.py",
        "dispatch_request",
        "        return self.ensure_sync(self.view_functions[rule.endpoint])(**view_args)",
    ),
    (
        "flask_limiter/extension.py",
        "__inner",
        "                return cast(R, flask.current_app.ensure_sync(obj)(*a, **k))",
    ),
    (
        "flask_login/utils.py",
        "decorated_view",
        "        return current_app.ensure_sync(func)(*args, **kwargs)",
    ),
];

/// Source lines around each frame's line.
const SOURCE: [&str; 32] = [
    "",
    "",
    "",
    "    if not request.is_json:",
    "        abort(415)",
    "    data = request.get_json()",
    "    log.debug(\"step done\")",
    "    session = db.session",
    "    total = Decimal(\"0\")",
    "    for line in order.lines:",
    "        total += line.amount",
    "    return jsonify(result), 200",
    "@login_required",
    "def _validate(value):",
    "    \"\"\"Shared by the views.\"\"\"",
    "    started = time.monotonic()",
    "    metrics.incr(\"shop.calls\")",
    "    try:",
    "    except KeyError:",
    "        raise",
    "    finally:",
    "        span.finish()",
    "    result = {}",
    "    key = f\"{prefix}:{item_id}\"",
    "        if self.closed:",
    "            return None",
    "        kwargs.setdefault(\"timeout\", 10)",
    "    # Retries are the caller's job.",
    "        self._check()",
    "    else:",
    "        return rv",
    "    assert order is not None",
];

const SITE: &str = "/srv/shop/.venv/lib/python3.12/site-packages/";

/// One envelope with its slots; `rng` varies what a real service would.
fn envelope(
    rng: &mut XorShift,
    public_key: &str,
    kind: &Kind,
    top: &(&str, &str, &str, &str, &str),
) -> Vec<u8> {
    let (area, view, service, function, route) = *top;
    let trace_id = rng.hex(32);
    let release = format!("shop@2.14.{}", rng.below(3));
    let event = json!({
        "level": "error",
        "exception": {"values": [{
            "mechanism": {"type": "flask", "handled": false},
            "module": kind.module,
            "type": kind.ty,
            "value": message(rng, kind.value),
            "stacktrace": {"frames": frames(rng, kind, (area, view, service, function))},
        }]},
        "event_id": ID_SLOT,
        "timestamp": TIME_SLOT,
        "contexts": {
            "trace": {
                "trace_id": trace_id,
                "span_id": rng.hex(16),
                "parent_span_id": rng.hex(16),
                "op": "http.server",
                "status": "internal_error",
            },
            "runtime": {
                "name": "CPython",
                "version": "3.12.4",
                "build": "3.12.4 (main, Jun 13 2024, 00:00:00) [GCC 12.2.0]",
            },
        },
        "user": user(rng),
        "transaction": route,
        "transaction_info": {"source": "url"},
        "tags": {
            "service": "shop-api",
            "region": rng.pick(&["eu-west-1", "us-east-1"]),
            "deployment": rng.pick(&["blue", "green"]),
        },
        "breadcrumbs": {"values": breadcrumbs(rng)},
        "request": request(rng, route),
        "extra": {"sys.argv": ["/srv/shop/.venv/bin/gunicorn", "shop.wsgi:app", "-w", "4"]},
        "modules": {
            "flask": "3.0.3", "werkzeug": "3.0.3", "sqlalchemy": "2.0.31", "psycopg2": "2.9.9",
            "redis": "5.0.7", "requests": "2.32.3", "gunicorn": "22.0.0", "sentry-sdk": "2.19.2",
        },
        "release": release,
        "environment": "production",
        "server_name": format!("web-{}", 1 + rng.below(6)),
        "sdk": {
            "name": "sentry.python.flask",
            "version": "2.19.2",
            "packages": [{"name": "pypi:sentry-sdk", "version": "2.19.2"}],
            "integrations": ["argv", "atexit", "dedupe", "excepthook", "flask", "logging",
                             "modules", "redis", "sqlalchemy", "stdlib", "threading"],
        },
        "platform": "python",
    });
    let payload = serde_json::to_vec(&event).expect("a JSON value always serialises");
    let header = json!({
        "event_id": ID_SLOT,
        "sent_at": TIME_SLOT,
        "trace": {
            "trace_id": trace_id,
            "environment": "production",
            "release": release,
            "public_key": public_key,
            "transaction": route,
            "sample_rate": "0.1",
            "sampled": "false",
        },
    });
    let item =
        json!({"type": "event", "content_type": "application/json", "length": payload.len()});
    let mut text = format!("{header}\n{item}\n").into_bytes();
    text.extend_from_slice(&payload);
    text.push(b'\n');
    text
}

/// `template` with `{n}` as numbers of this template and `{id}` as slots for each send.
fn message(rng: &mut XorShift, template: &str) -> String {
    let mut out = template.replace("{id}", NUMBER_SLOT);
    while let Some(at) = out.find("{n}") {
        out.replace_range(at..at + 3, &(1 + rng.below(5_000)).to_string());
    }
    out
}

/// The stack trace, oldest first: Flask, the app's view and service (with helpers when the
/// stack would be short otherwise),
/// the top in-app function, then the library frames that raised, if any.
fn frames(
    rng: &mut XorShift,
    kind: &Kind,
    (area, view, service, function): (&str, &str, &str, &str),
) -> Vec<Value> {
    // (path, function, in app, line); an app frame without a line calls the next frame.
    let mut stack: Vec<(String, &str, bool, Option<&str>)> = OUTER
        .iter()
        .map(|(path, function, line)| (path.to_string(), *function, false, Some(*line)))
        .collect();
    stack.push((format!("shop/api/{area}.py"), view, true, None));
    stack.push((format!("shop/services/{area}.py"), service, true, None));
    // 10 frames at least, 14 at most (the longest library part has 5).
    let helpers =
        10usize.saturating_sub(OUTER.len() + 3 + kind.library.len()) + rng.below(2) as usize;
    for _ in 0..helpers {
        let (path, function) = HELPERS[rng.below(HELPERS.len() as u64) as usize];
        stack.push((path.into(), function, true, None));
    }
    stack.push((
        format!("shop/{area}/core.py"),
        function,
        true,
        Some(kind.line),
    ));
    stack.extend(
        kind.library
            .iter()
            .map(|(path, function, line)| (path.to_string(), *function, false, Some(*line))),
    );
    (0..stack.len())
        .map(|i| {
            let (path, function, in_app, line) = &stack[i];
            let line = match line {
                Some(line) => line.to_string(),
                None => format!("    return {}(*args, **kwargs)", stack[i + 1].1),
            };
            frame(rng, path, function, *in_app, line)
        })
        .collect()
}

/// One frame. In-app frames carry five source lines on each side and their local variables,
/// as the SDK sends them; library frames only their own line (see the module's doc).
fn frame(rng: &mut XorShift, path: &str, function: &str, in_app: bool, line: String) -> Value {
    let module = path.trim_end_matches(".py").replace('/', ".");
    let abs_path = if in_app {
        format!("/srv/shop/{path}")
    } else if path.starts_with("json/") {
        format!("/usr/local/lib/python3.12/{path}")
    } else {
        format!("{SITE}{path}")
    };
    let mut frame = json!({
        "filename": path,
        "abs_path": abs_path,
        "function": function,
        "module": module,
        "lineno": 12 + rng.below(600),
        "context_line": line,
        "in_app": in_app,
    });
    if in_app {
        let mut context = || -> Vec<&str> { (0..5).map(|_| rng.pick(&SOURCE)).collect() };
        frame["pre_context"] = json!(context());
        frame["post_context"] = json!(context());
        let mut vars = Map::new();
        for _ in 0..2 + rng.below(2) {
            let (name, value) = match rng.below(5) {
                0 => ("order_id", (100_000 + rng.below(900_000)).to_string()),
                1 => ("user", format!("<User {}>", 1 + rng.below(90_000))),
                2 => ("qty", (1 + rng.below(9)).to_string()),
                3 => ("kwargs", "{}".to_string()),
                _ => (
                    "started",
                    format!("{}.{}", 80_000 + rng.below(9_000), rng.below(1_000)),
                ),
            };
            vars.insert(name.into(), json!(value));
        }
        frame["vars"] = Value::Object(vars);
    }
    frame
}

fn user(rng: &mut XorShift) -> Value {
    let id = 1 + rng.below(90_000);
    json!({"id": id.to_string(), "email": format!("customer{id}@example.com")})
}

fn breadcrumbs(rng: &mut XorShift) -> Vec<Value> {
    let cart = format!("cart:{}", 10_000 + rng.below(90_000));
    let mut crumbs = vec![
        json!({
            "type": "redis",
            "category": "redis",
            "message": format!("GET '{cart}'"),
            "data": {"redis.key": cart, "redis.command": "GET"},
            "timestamp": TIME_SLOT,
        }),
        json!({
            "type": "default",
            "category": "query",
            "message": "SELECT orders.id, orders.status, orders.total FROM orders \
                        WHERE orders.id = %(pk_1)s",
            "timestamp": TIME_SLOT,
        }),
    ];
    for _ in 0..rng.below(3) {
        let url = format!("http://inventory.internal/v1/stock/{}", rng.below(100_000));
        crumbs.push(json!({
            "type": "http",
            "category": "httplib",
            "data": {"url": url, "http.method": "GET", "status_code": 200, "reason": "OK"},
            "timestamp": TIME_SLOT,
        }));
    }
    crumbs
}

fn request(rng: &mut XorShift, route: &str) -> Value {
    let path = route
        .replace("<int:cart_id>", &rng.below(1_000_000).to_string())
        .replace("<int:order_id>", &rng.below(1_000_000).to_string());
    json!({
        "url": format!("https://shop.example.com{path}"),
        "query_string": "",
        "method": "POST",
        "env": {"SERVER_NAME": "0.0.0.0", "SERVER_PORT": "8000"},
        "headers": {
            "Host": "shop.example.com",
            "User-Agent": rng.pick(&[
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0",
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Safari/604.1",
                "shop-ios/4.2.0",
            ]),
            "Accept": "application/json",
            "Content-Type": "application/json",
            "Content-Length": (40 + rng.below(200)).to_string(),
            "X-Request-Id": rng.hex(32),
        },
        "data": {"quantity": (1 + rng.below(5)).to_string(), "coupon": "[Filtered]"},
    })
}

#[cfg(test)]
mod tests {
    use std::{collections::HashSet, io::Read};

    use app::backend::sentry::{self, EnvelopeLimits, ItemKind};

    use super::*;

    /// Every envelope reads with the server's own parser, and the events group as intended.
    #[test]
    fn envelopes_parse_and_group_into_the_issues() {
        let envelopes = Envelopes::build("bench-public-key");
        assert!(
            (5.0..8.0).contains(&envelopes.raw_kb),
            "{} KB",
            envelopes.raw_kb
        );
        let mut hashes = HashSet::new();
        let mut ids = HashSet::new();
        envelopes.make_ahead(envelopes.templates.len());
        for _ in 0..envelopes.templates.len() * 2 {
            let mut text = Vec::new();
            flate2::read::GzDecoder::new(envelopes.next().as_slice())
                .read_to_end(&mut text)
                .unwrap();
            let envelope = sentry::parse_envelope(&text, &EnvelopeLimits::default()).unwrap();
            assert_eq!(envelope.items.len(), 1);
            assert!(matches!(envelope.items[0].kind, ItemKind::Event));
            let event = sentry::parse_event(envelope.items[0].payload, 0).unwrap();
            assert!(event.truncation.is_empty(), "{:?}", event.truncation);
            let frames = event.exceptions[0]
                .stacktrace
                .as_ref()
                .unwrap()
                .frames
                .len();
            assert!((10..=14).contains(&frames), "{frames} frames");
            assert!(event.timestamp > 0);
            let id = event.event_id.clone().unwrap();
            assert_eq!(envelope.header.event_id.as_deref(), Some(id.as_str()));
            assert!(ids.insert(id), "an event id repeated");
            hashes.insert(sentry::fingerprint(&event).hash);
        }
        assert_eq!(hashes.len(), ISSUES);
        assert_eq!(envelopes.made_late(), envelopes.templates.len() as u64);
    }
}
