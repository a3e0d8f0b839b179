use leptos::prelude::*;

use crate::api::AppError;

/// A server function's error, in place above the submit button. Errors that belong to one
/// of `fields` are left to that field's [`FieldError`].
#[component]
pub fn FormError(
    error: Signal<Option<AppError>>,
    #[prop(optional)] fields: &'static [&'static str],
) -> impl IntoView {
    move || {
        error
            .get()
            .filter(|e| !e.field().is_some_and(|f| fields.contains(&f)))
            .map(|e| view! { <p class="alert alert-danger" role="alert">{e.to_string()}</p> })
    }
}

/// The error of one field, under it (`id` is what the input's `aria-describedby` names).
#[component]
pub fn FieldError(
    error: Signal<Option<AppError>>,
    field: &'static str,
    id: &'static str,
) -> impl IntoView {
    move || {
        error
            .get()
            .filter(|e| e.field() == Some(field))
            .map(|e| view! { <p id=id class="field-error" role="alert">{e.to_string()}</p> })
    }
}

/// False while the page is only server-rendered, true once the browser has hydrated it.
/// Forms whose answer exists only in page memory (a key shown once) wait for it.
pub fn use_hydrated() -> ReadSignal<bool> {
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));
    hydrated
}
