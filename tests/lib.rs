//! Cross-crate tests of Earshot live beside this file (`imports.rs`, ...); real files they read are in
//! `fixtures/`. The library itself is empty: the tests are the point of this package.
