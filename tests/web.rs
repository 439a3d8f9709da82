//! Browser tests (wasm-bindgen-test in headless Chromium): the app mounts, and the core gives the
//! same answers in wasm as natively.
#![cfg(target_arch = "wasm32")]

mod common;

use roofscale::model::params::param_counts;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

#[wasm_bindgen_test]
fn app_mounts_with_title_sidebar_and_main_area() {
    let host = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&host).unwrap();
    let handle = leptos::mount::mount_to(host.clone().unchecked_into(), roofscale::app::App);
    let title = host
        .query_selector("[data-testid=app-title]")
        .unwrap()
        .expect("title rendered");
    assert_eq!(title.text_content().unwrap(), "roofscale");
    assert!(host
        .query_selector("[data-testid=sidebar]")
        .unwrap()
        .is_some());
    assert!(host
        .query_selector("[data-testid=main-area]")
        .unwrap()
        .is_some());
    drop(handle);
}

#[wasm_bindgen_test]
fn parameter_count_in_wasm_matches_the_native_golden_value() {
    // Qwen2.5-0.5B: 494,032,768 parameters (public/docs/reference.md).
    let arch = common::qwen2_5_0_5b();
    assert_eq!(param_counts(&arch).total(), 494_032_768);
}
