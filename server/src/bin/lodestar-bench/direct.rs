//! Inserting the same batches without HTTP, straight through the ingest store: the ceiling
//! the server path is compared with, so the report shows what HTTP, JSON decoding and
//! acknowledgement cost on top of the database writes.

/// Inserts every line of `bodies` into the migrated database at `url` and returns, per insert
/// method tried, its name and the lines per second it reached.
///
/// The database holds the bench user and its app (`lodestar user create`, `app create`), and
/// `bodies` carry that app's API key, so the batches can be resolved and decoded exactly as
/// `POST /ingest` would. It runs after the HTTP phases, with the server stopped.
pub async fn direct_insert(url: &str, bodies: &[Vec<u8>]) -> Result<Vec<(String, f64)>, String> {
    // TODO(lead): open `url`, decode `bodies` with the ingest decoder, and time each write
    // path of the ingest store (e.g. the prepared multi-row insert, and UNNEST or COPY on
    // PostgreSQL) over all of them; one (method, lines/s) row per path.
    let _ = (url, bodies);
    Ok(vec![])
}
