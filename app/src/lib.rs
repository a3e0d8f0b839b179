#![recursion_limit = "256"]
//! The isomorphic Lodestar app: pages and components render on the server (feature `ssr`)
//! and hydrate in the browser (feature `hydrate`). Server-only code lives in `backend`.
pub mod api;
pub mod app;
pub mod components;
pub mod model;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod backend;

pub use app::{App, shell};
