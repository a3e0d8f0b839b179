//! Inserting the same batches without HTTP, straight through the ingest store: the ceiling
//! the server path is compared with, so the report shows what HTTP, JSON decoding and
//! acknowledgement cost on top of the database writes.
use std::time::{Duration, Instant};

use app::backend::{
    db,
    ingest::{IngestLimits, InsertMethod, KeyCache, NewLine, batch, store},
};

use crate::bodies;

/// Lines written per transaction: about what the writer groups under load.
const LINES_PER_COMMIT: usize = 5_000;
/// Lines written per method.
const LINES_PER_METHOD: usize = 200_000;

/// Inserts the lines of `bodies` (repeated) into the migrated database at `url` with each
/// insert method the engine has, and returns per method its name and the lines per second.
///
/// The database holds the bench app, and `bodies` carry its API key, so the batches are
/// resolved and decoded exactly as `POST /ingest` would; only the writes are timed.
pub async fn direct_insert(url: &str, bodies: &[Vec<u8>]) -> Result<Vec<(String, f64)>, String> {
    let conn = db::connect(url)
        .await
        .map_err(|e| format!("cannot open {url}: {e}"))?;
    let first = batch::parse_json(
        &bodies::stamp(&bodies[0], bodies::now()),
        0,
        &IngestLimits::default(),
    )
    .map_err(|e| format!("a bench body does not decode: {}", e.message))?;
    let key = first.api_key.ok_or("the bench bodies carry no API key")?;
    let owner = KeyCache::default()
        .authenticate(&conn, &key)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("the bench key is unknown to the database")?;
    // Each pass stamps the bodies later than the last, as a live service would.
    let mut clock = bodies::now();
    let mut pass = || -> Result<Vec<NewLine>, String> {
        let mut lines = Vec::new();
        for body in bodies {
            clock += 0.1;
            let received = (clock * 1e6) as i64;
            let parsed = batch::parse_json(
                &bodies::stamp(body, clock),
                received,
                &IngestLimits::default(),
            )
            .map_err(|e| format!("a bench body does not decode: {}", e.message))?;
            lines.extend(parsed.lines);
        }
        Ok(lines)
    };
    let mut rates = Vec::new();
    for &method in InsertMethod::all_for(conn.get_database_backend()) {
        let mut store = store::LogWriter::new(conn.clone(), method);
        let mut writing = Duration::ZERO;
        let mut written = 0;
        while written < LINES_PER_METHOD {
            let lines = pass()?;
            let started = Instant::now();
            for chunk in lines.chunks(LINES_PER_COMMIT) {
                let group = [store::Group::lines(owner.app_id, chunk)];
                store
                    .write(&group)
                    .await
                    .map_err(|e| format!("{}: {e}", method.name()))?;
                written += chunk.len();
            }
            writing += started.elapsed();
        }
        rates.push((
            method.name().to_string(),
            written as f64 / writing.as_secs_f64(),
        ));
    }
    conn.close().await.ok();
    Ok(rates)
}
