//! The patterns table: one row per template with its lines, share, trend and level mix.
use leptos::prelude::*;

use crate::components::Sparkline;
use crate::model::{
    Level,
    apps::compact_count,
    logs::Range,
    patterns::{PatternList, PatternView, SPARKLINE_BARS, pattern_lines_href},
    query::format_rfc3339,
};

#[component]
pub fn PatternTable(app_id: i64, list: PatternList, range: Range) -> impl IntoView {
    let rows = list
        .patterns
        .into_iter()
        .map(|pattern| view! { <PatternRow app_id pattern range/> })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="table pattern-table" aria-label="Patterns">
                <thead>
                    <tr>
                        <th scope="col">"Pattern"</th>
                        <th scope="col" class="col-spark">"Trend"</th>
                        <th scope="col" class="num">"Lines"</th>
                        <th scope="col" class="num">"Share"</th>
                        <th scope="col" class="col-levels">"Levels"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

#[component]
fn PatternRow(app_id: i64, pattern: PatternView, range: Range) -> impl IntoView {
    let template = if pattern.search.is_empty() {
        view! {
            <span class="pattern-template mono" title="Every word of this pattern varies, so no search finds only its lines.">
                {pattern.template.clone()}
            </span>
        }
        .into_any()
    } else {
        view! {
            <a class="pattern-template mono" href=pattern_lines_href(app_id, &pattern.search, range)>
                {pattern.template.clone()}
            </a>
        }
        .into_any()
    };
    let new = pattern.new.then(|| {
        view! {
            <span class="badge badge-accent pattern-new" title=format!("First seen {}", format_rfc3339(pattern.first_seen_us))>
                "New"
            </span>
        }
    });
    let dominant = dominant_level(&pattern.levels);
    view! {
        <tr>
            <td class="pattern-cell">
                {template}
                {new}
            </td>
            <td class="col-spark">
                <TrendSparkline counts=pattern.trend.clone() level=dominant/>
            </td>
            <td class="num" title=format!("{} lines", pattern.count)>{compact_count(pattern.count)}</td>
            <td class="num pattern-share">{share_label(pattern.share)}</td>
            <td class="col-levels"><LevelMix levels=pattern.levels/></td>
        </tr>
    }
}

/// `33 %`, `4.2 %`, `<0.1 %`, `0 %`.
fn share_label(share: f64) -> String {
    let percent = share.clamp(0.0, 1.0) * 100.0;
    if percent == 0.0 {
        "0 %".into()
    } else if percent < 0.1 {
        "<0.1 %".into()
    } else if percent < 10.0 {
        format!("{percent:.1} %")
    } else {
        format!("{percent:.0} %")
    }
}

/// The level with the most lines (the more severe one on a tie), to colour the trend.
fn dominant_level(levels: &[i64; 6]) -> Option<Level> {
    Level::ALL
        .into_iter()
        .zip(levels.iter().copied())
        .filter(|(_, n)| *n > 0)
        .max_by_key(|(level, n)| (*n, *level))
        .map(|(level, _)| level)
}

/// Lines per bar over the range, oldest on the left, in the colour of the pattern's
/// commonest level.
#[component]
fn TrendSparkline(counts: Vec<i64>, level: Option<Level>) -> impl IntoView {
    let peak = counts.iter().copied().max().unwrap_or(0);
    let label = format!(
        "Lines per bar over the range, oldest first: {} bars, at most {peak} lines in one",
        counts.len()
    );
    let class = match level {
        Some(level) => format!("pattern-trend level-{}", level.name()),
        None => "pattern-trend".to_string(),
    };
    view! { <Sparkline counts bars=SPARKLINE_BARS label class/> }
}

/// The six level counts as one stacked bar in the level colours; the counts in its title.
#[component]
fn LevelMix(levels: [i64; 6]) -> impl IntoView {
    let parts: Vec<(Level, i64)> = Level::ALL
        .into_iter()
        .zip(levels)
        .filter(|(_, n)| *n > 0)
        .collect();
    let title = if parts.is_empty() {
        "No lines".to_string()
    } else {
        parts
            .iter()
            .map(|(level, n)| format!("{} {n}", level.name()))
            .collect::<Vec<_>>()
            .join(" · ")
    };
    let segments = parts
        .into_iter()
        .map(|(level, n)| {
            view! {
                <span class=format!("level-mix-part level-{}", level.name()) style=format!("flex-grow: {n}")></span>
            }
        })
        .collect_view();
    view! {
        <span class="level-mix" role="img" aria-label=format!("Levels: {title}") title=title>
            {segments}
        </span>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_read_as_percentages() {
        assert_eq!(share_label(0.0), "0 %");
        assert_eq!(share_label(0.0004), "<0.1 %");
        assert_eq!(share_label(0.042), "4.2 %");
        assert_eq!(share_label(1.0 / 3.0), "33 %");
        assert_eq!(share_label(1.0), "100 %");
    }

    #[test]
    fn the_commonest_level_colours_the_trend() {
        assert_eq!(dominant_level(&[0, 0, 0, 0, 0, 0]), None);
        assert_eq!(dominant_level(&[0, 3, 9, 0, 1, 0]), Some(Level::Info));
        assert_eq!(
            dominant_level(&[0, 0, 4, 0, 4, 0]),
            Some(Level::Error),
            "a tie goes to the more severe"
        );
    }
}
