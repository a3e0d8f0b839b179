//! Types and pure logic shared by the browser and the server.
pub mod account;
pub mod level;

pub use level::Level;
