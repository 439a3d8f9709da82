//! Entry point: mounts the app in the browser. Natively there is nothing to run; the core is
//! exercised by `cargo test` and the examples.

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    // The task that instantiated the module (finishing its compilation) ends here; the app
    // mounts in the next one, so neither alone blocks the page for long.
    // (wasm-bindgen's executor: Leptos sets its own up when it mounts.)
    wasm_bindgen_futures::spawn_local(async {
        roofscale::app::yield_to_browser().await;
        leptos::mount::mount_to_body(roofscale::app::App);
    });
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("roofscale is a web app: run `scripts/serve.sh` to build and serve it.");
}
