//! Helpers shared by the integration tests and benchmarks of giayto-issuer.

pub mod offices;
