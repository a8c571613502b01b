//! The wasm-bindgen test runner, built from the Cargo.lock-pinned
//! `wasm-bindgen-cli` so it always matches the workspace's wasm-bindgen.
//! Point `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER` at this binary.

fn main() -> anyhow::Result<()> {
    env_logger::init();
    wasm_bindgen_cli::wasm_bindgen_test_runner::run_cli_with_args(std::env::args_os())
}
