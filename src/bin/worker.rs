//! The Web Worker: receives job requests as JSON strings, runs them with
//! [`roofscale::jobs::run_json`], posts every reply back as a JSON string. Built by Trunk as a
//! worker (`data-type="worker"` in index.html); natively there is nothing to run.

#[cfg(target_arch = "wasm32")]
fn main() {
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;

    console_error_panic_hook::set_once();
    let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    // The worker's clock in seconds, for the benchmark job (`std::time::Instant` panics here).
    let performance = scope.performance();
    let now_s = move || performance.as_ref().map_or(0.0, |p| p.now() / 1e3);
    let reply_scope = scope.clone();
    let on_message =
        Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            let Some(request) = ev.data().as_string() else {
                return;
            };
            roofscale::jobs::run_json(&request, &now_s, &mut |reply| {
                let _ = reply_scope.post_message(&JsValue::from_str(&reply));
            });
        });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    // Messages sent before the handler existed would be lost: the page waits for this word.
    let _ = scope.post_message(&JsValue::from_str(roofscale::jobs::READY));
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the roofscale worker runs only in the browser");
}
