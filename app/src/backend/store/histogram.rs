//! Line counts per level over time, for the bars above the log table.
//!
//! Without conditions other than levels, and with buckets of whole minutes, the counts come
//! from `app_metrics` (one row per minute, written with the lines), plus the lines of the
//! window's partial first and last minutes. Otherwise they are counted in `logs`, by bucket
//! and level, through the time index, or on SQLite through the full-text index when the query
//! requires rare text.
use sea_orm::{DatabaseConnection, DbErr};

use crate::model::logs::{Histogram, bucket_width};

use super::{
    search::{LogFilter, TextIndex, text_index},
    shape::allowed_levels,
    sql::{Engine, Fragment, fetch_all, fetch_one},
};

const MINUTE_US: i64 = 60_000_000;
/// Matches in the full-text index up to which counting goes through it rather than a scan
/// of the window.
const TEXT_INDEX_MATCHES: i64 = 200_000;

/// Counts per level in buckets of `bucket_width(end - start, max_buckets)`, aligned to
/// multiples of the width (UTC, from the epoch), covering `[start, end)`. Lines outside
/// `[start, end)` are not counted, even in the first and last buckets.
pub async fn histogram(
    db: &DatabaseConnection,
    filter: &LogFilter<'_>,
    max_buckets: i64,
) -> Result<Histogram, DbErr> {
    let span = filter.end_us.saturating_sub(filter.start_us);
    let width = bucket_width(span, max_buckets.max(1));
    let first = filter.start_us.div_euclid(width) * width;
    if span <= 0 {
        return Ok(Histogram {
            start_us: first,
            bucket_us: width,
            counts: Vec::new(),
        });
    }
    let buckets = ceil_div(filter.end_us - first, width) as usize;
    let mut histogram = Histogram {
        start_us: first,
        bucket_us: width,
        counts: vec![[0; 6]; buckets],
    };
    let levels = match filter.query {
        None => Some([true; 6]),
        Some(query) => allowed_levels(query),
    };
    match levels {
        Some(levels) if filter.environment.is_none() && width % MINUTE_US == 0 => {
            from_metrics(db, filter, levels, &mut histogram).await?
        }
        _ => count_lines(db, filter, filter.start_us, filter.end_us, &mut histogram).await?,
    }
    Ok(histogram)
}

/// Whole minutes from `app_metrics`, the partial minutes at either end from `logs`.
async fn from_metrics(
    db: &DatabaseConnection,
    filter: &LogFilter<'_>,
    levels: [bool; 6],
    histogram: &mut Histogram,
) -> Result<(), DbErr> {
    let first_minute = ceil_div(filter.start_us, MINUTE_US);
    let end_minute = filter.end_us.div_euclid(MINUTE_US);
    if first_minute >= end_minute {
        return count_lines(db, filter, filter.start_us, filter.end_us, histogram).await;
    }
    let minutes_per_bucket = histogram.bucket_us / MINUTE_US;
    let mut sql = Fragment::new("SELECT (minute - ");
    sql.int(histogram.start_us / MINUTE_US)
        .push(") / ")
        .int(minutes_per_bucket)
        .push(
            " AS bucket, CAST(sum(trace) AS BIGINT), CAST(sum(debug) AS BIGINT), \
             CAST(sum(info) AS BIGINT), CAST(sum(warn) AS BIGINT), CAST(sum(error) AS BIGINT), \
             CAST(sum(fatal) AS BIGINT) FROM app_metrics WHERE app_id = ",
        )
        .int(filter.app_id)
        .push(" AND minute >= ")
        .int(first_minute)
        .push(" AND minute < ")
        .int(end_minute)
        .push(" GROUP BY bucket");
    type Sums = (i64, i64, i64, i64, i64, i64, i64);
    for (bucket, a, b, c, d, e, f) in fetch_all::<Sums>(db, &sql).await? {
        if let Some(counts) = usize::try_from(bucket)
            .ok()
            .and_then(|i| histogram.counts.get_mut(i))
        {
            for (level, n) in [a, b, c, d, e, f].into_iter().enumerate() {
                if levels[level] {
                    counts[level] += n.max(0) as u64;
                }
            }
        }
    }
    count_lines(
        db,
        filter,
        filter.start_us,
        first_minute * MINUTE_US,
        histogram,
    )
    .await?;
    count_lines(db, filter, end_minute * MINUTE_US, filter.end_us, histogram).await
}

/// Adds the lines of `[start, end)` that match the filter, by bucket and level.
async fn count_lines(
    db: &DatabaseConnection,
    filter: &LogFilter<'_>,
    start: i64,
    end: i64,
    histogram: &mut Histogram,
) -> Result<(), DbErr> {
    if start >= end {
        return Ok(());
    }
    let part = LogFilter {
        start_us: start,
        end_us: end,
        ..*filter
    };
    let engine = Engine::of(db);
    let mut sql = Fragment::new("SELECT (ts - ");
    sql.int(histogram.start_us)
        .push(") / ")
        .int(histogram.bucket_us)
        .push(" AS bucket, level, count(*) FROM ");
    let table = part.table(engine);
    match text_index(db, &part, end).await? {
        TextIndex::NoLines => return Ok(()),
        TextIndex::Ids(ids) if table == "logs" && few_matches(db, &ids).await? => {
            sql.push("logs NOT INDEXED WHERE id IN (")
                .append(&ids)
                .push(") AND ");
        }
        _ => {
            sql.push(&table).push(" WHERE ");
        }
    }
    sql.append(&part.window(None))
        .append(&part.and_condition(engine))
        .push(" GROUP BY bucket, level");
    for (bucket, level, n) in fetch_all::<(i64, i16, i64)>(db, &sql).await? {
        let slot = usize::try_from(bucket)
            .ok()
            .and_then(|i| histogram.counts.get_mut(i));
        if let (Some(counts), Ok(level @ 0..=5)) = (slot, usize::try_from(level)) {
            counts[level] += n.max(0) as u64;
        }
    }
    Ok(())
}

/// Whether the full-text lookup `ids` finds few enough lines that reading them one by one
/// beats scanning the window.
async fn few_matches(db: &DatabaseConnection, ids: &Fragment) -> Result<bool, DbErr> {
    let mut count = Fragment::new("SELECT count(*) FROM (");
    count
        .append(ids)
        .push(" LIMIT ")
        .int(TEXT_INDEX_MATCHES)
        .push(")");
    let (n,): (i64,) = fetch_one(db, &count).await?;
    Ok(n < TEXT_INDEX_MATCHES)
}

/// `a / b` rounded towards +∞, for `b > 0` (`i64::div_ceil` is not stable).
fn ceil_div(a: i64, b: i64) -> i64 {
    let q = a.div_euclid(b);
    if q * b == a { q } else { q + 1 }
}
