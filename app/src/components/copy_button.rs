use leptos::prelude::*;

/// Copies `text` to the clipboard and says so for two seconds. Where the page is not a secure
/// context (plain http on another host), the browser has no clipboard API: the text is
/// offered in a prompt to copy by hand instead.
#[component]
pub fn CopyButton(
    #[prop(into)] text: Signal<String>,
    /// What is being copied, for screen readers ("Copy API key").
    #[prop(default = "Copy")]
    label: &'static str,
) -> impl IntoView {
    let (outcome, set_outcome) = signal(None::<bool>);
    let on_click = move |_| {
        let text = text.get_untracked();
        #[cfg(feature = "hydrate")]
        browser::copy(text, set_outcome);
        #[cfg(not(feature = "hydrate"))]
        let _ = (text, set_outcome);
    };
    view! {
        <button type="button" class="button button-small copy-button" aria-label=label on:click=on_click>
            {move || match outcome.get() {
                Some(true) => "Copied",
                Some(false) => "Copy failed",
                None => "Copy",
            }}
        </button>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use std::time::Duration;

    use leptos::prelude::*;
    use wasm_bindgen::JsValue;

    pub fn copy(text: String, set_outcome: WriteSignal<Option<bool>>) {
        let window = window();
        let navigator = window.navigator();
        let has_clipboard = js_sys::Reflect::get(&navigator, &JsValue::from_str("clipboard"))
            .map(|v| !v.is_undefined() && !v.is_null())
            .unwrap_or(false);
        if !has_clipboard {
            let _ = window.prompt_with_message_and_default("Copy this text:", &text);
            return;
        }
        let promise = navigator.clipboard().write_text(&text);
        leptos::task::spawn_local(async move {
            let copied = wasm_bindgen_futures::JsFuture::from(promise).await.is_ok();
            set_outcome.set(Some(copied));
            set_timeout(move || set_outcome.set(None), Duration::from_secs(2));
        });
    }
}
