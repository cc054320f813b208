//! The committed C header is what cbindgen makes from the current source.
//! `GIAYTO_BLESS=1 cargo test -p giayto-ffi-header` rewrites it.

#[test]
fn committed_header_is_current() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../giayto-verify-ffi");
    let config = cbindgen::Config::from_file(format!("{dir}/cbindgen.toml")).unwrap();
    let mut made = Vec::new();
    cbindgen::Builder::new()
        .with_crate(dir)
        .with_config(config)
        .generate()
        .expect("cbindgen")
        .write(&mut made);
    let path = format!("{dir}/include/giayto_verify.h");
    if std::env::var_os("GIAYTO_BLESS").is_some() {
        std::fs::write(&path, &made).unwrap();
    }
    let committed = std::fs::read(&path).unwrap_or_default();
    assert!(
        committed == made,
        "{path} is not current: GIAYTO_BLESS=1 cargo test -p giayto-ffi-header"
    );
}
