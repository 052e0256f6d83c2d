//! Browser tests: mount the app in headless Chromium and drive it like a user.
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use walscope::ui::App;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Mounts the app in a fresh element and returns it with the unmount handle.
fn mount() -> (web_sys::HtmlElement, impl Drop) {
    let document = web_sys::window().unwrap().document().unwrap();
    let root: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&root).unwrap();
    let handle = leptos::mount::mount_to(root.clone(), App);
    (root, handle)
}

fn by_testid(root: &web_sys::HtmlElement, id: &str) -> web_sys::HtmlElement {
    root.query_selector(&format!("[data-testid='{id}']"))
        .unwrap()
        .unwrap_or_else(|| panic!("no element with data-testid={id}"))
        .unchecked_into()
}

#[wasm_bindgen_test]
async fn play_button_starts_and_pauses_the_clock() {
    let (root, _handle) = mount();
    assert_eq!(by_testid(&root, "status").text_content().unwrap(), "paused");
    by_testid(&root, "play").click();
    leptos::task::tick().await;
    assert_eq!(
        by_testid(&root, "status").text_content().unwrap(),
        "running at 1×"
    );
    by_testid(&root, "play").click();
    leptos::task::tick().await;
    assert_eq!(by_testid(&root, "status").text_content().unwrap(), "paused");
}
