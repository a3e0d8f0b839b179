//! Types and pure logic shared by the browser and the server.
pub mod account;
pub mod alerts;
pub mod apps;
pub mod device;
pub mod issues;
pub mod level;
pub mod logs;
pub mod patterns;
pub mod query;

pub use level::Level;
