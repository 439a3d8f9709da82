//! Entry point: mounts the app in the browser. Natively there is nothing to run; the core is
//! exercised by `cargo test` and the examples.

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(roofscale::app::App);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("roofscale is a web app: run `scripts/serve.sh` to build and serve it.");
}
