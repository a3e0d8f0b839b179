use leptos::prelude::*;

use super::CopyButton;
use crate::model::apps::{Sample, Target};

/// Tabs with a ready-to-paste snippet per way of sending a first line, each with a copy button.
#[component]
pub fn QuickStart(
    target: Target,
    /// A line under the snippet (where the key comes from, say).
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let (selected, set_selected) = signal(Sample::Python);
    let code = Signal::derive(move || selected.get().code(&target));
    view! {
        <div id="quick-start" class="quick-start">
            <div class="quick-start-bar">
                <div class="tabs" role="tablist" aria-label="Send your first line">
                    {Sample::ALL
                        .into_iter()
                        .map(|sample| {
                            view! {
                                <button
                                    type="button"
                                    role="tab"
                                    class="tab"
                                    aria-selected=move || (selected.get() == sample).to_string()
                                    on:click=move |_| set_selected.set(sample)
                                >
                                    {sample.label()}
                                </button>
                            }
                        })
                        .collect_view()}
                </div>
                <CopyButton text=code label="Copy snippet"/>
            </div>
            <pre class="code-block" role="tabpanel" aria-label=move || selected.get().label()>
                <code>{code}</code>
            </pre>
            {children.map(|note| view! { <p class="quick-start-note">{note()}</p> })}
        </div>
    }
}
