//! Business rules over `&DatabaseConnection`: validation, ownership and invariants live here,
//! so that CLI commands, HTTP routes and server functions all behave the same.
pub mod alerts;
pub mod api_keys;
pub mod apps;
pub mod device;
pub mod issues;
pub mod live;
pub mod logs;
pub mod oauth;
pub mod patterns;
pub mod purges;
pub mod sessions;
pub mod users;
