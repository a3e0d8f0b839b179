#![recursion_limit = "256"]
//! The browser entry point: hydrates the server-rendered page. `hydrate_lazy` because some
//! routes are split into their own wasm chunks, loaded before their part of the page hydrates.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_lazy(app::App);
}
