//! Embeds the checklist-pack trust root (docs/checklist-packs.md): the keys this build of the
//! app trusts to sign checklist packs. `PAICHA_TRUST_ROOT` names the file (paicha-build sets it
//! from `--trust-root`); without it, the development trust root in the repository.

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-env-changed=PAICHA_TRUST_ROOT");
    let path = match std::env::var_os("PAICHA_TRUST_ROOT") {
        Some(path) => PathBuf::from(path),
        None => PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"))
            .join("checklists/keys/trust-root.json"),
    };
    println!("cargo:rerun-if-changed={}", path.display());
    let bytes = std::fs::read(&path)
        .unwrap_or_else(|e| panic!("cannot read the trust root {}: {e}", path.display()));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo"));
    std::fs::write(out.join("trust-root.json"), bytes).expect("OUT_DIR is writable");
}
