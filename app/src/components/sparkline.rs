//! A small bar chart of counts, oldest on the left, drawn as plain SVG: the issue list's
//! events per hour and the patterns' lines per bar.
use leptos::prelude::*;

use crate::model::issues::sparkline_heights;

const BAR: f64 = 3.0;
const HEIGHT: f64 = 20.0;

/// `counts` as at least `bars` bars; `class` is added to `sparkline`, `label` read out.
#[component]
pub fn Sparkline(
    counts: Vec<i64>,
    bars: usize,
    #[prop(into)] label: String,
    #[prop(optional, into)] class: String,
) -> impl IntoView {
    let width = BAR * bars.max(counts.len()) as f64;
    let rects = sparkline_heights(&counts, HEIGHT)
        .into_iter()
        .enumerate()
        .map(|(i, height)| {
            let (class, height) = if height > 0.0 {
                ("spark-bar", height)
            } else {
                ("spark-bar spark-empty", 1.0)
            };
            view! {
                <rect class=class x=format!("{:.1}", i as f64 * BAR) y=format!("{:.2}", HEIGHT - height)
                    width=format!("{:.1}", BAR - 1.0) height=format!("{height:.2}")></rect>
            }
        })
        .collect_view();
    let class = if class.is_empty() {
        "sparkline".to_string()
    } else {
        format!("sparkline {class}")
    };
    view! {
        <svg class=class viewBox=format!("0 0 {width} {HEIGHT}") width=width height=HEIGHT
            role="img" aria-label=label>
            {rects}
        </svg>
    }
}
