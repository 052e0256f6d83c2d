//! Browser test of the applications under the stage: a writer and a reader added with
//! the buttons are drawn with the node each is connected to, and after a promotion and a
//! re-point of the DNS name the writer's link moves to the new primary.
#![cfg(target_arch = "wasm32")]

use walscope::examples::EXAMPLES;
use wasm_bindgen_test::*;

#[path = "support/mod.rs"]
mod support;
use support::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The application row named `name`: (kind, node it is connected to, its text).
fn app_row(root: &web_sys::HtmlElement, name: &str) -> (String, String, String) {
    let e = root
        .query_selector(&format!("[data-testid='app'][data-app='{name}']"))
        .unwrap()
        .unwrap_or_else(|| panic!("no application {name} drawn"));
    (
        e.get_attribute("data-kind").unwrap_or_default(),
        e.get_attribute("data-node").unwrap_or_default(),
        e.text_content().unwrap_or_default(),
    )
}

#[wasm_bindgen_test]
async fn a_writer_and_a_reader_are_drawn_and_the_writer_moves_after_a_re_point() {
    fresh();
    with_style();
    let (root, _handle, lab, _ui) = mount_lab(EXAMPLES[1].1);
    run(
        lab,
        "primary$ echo 'host all all 10.0.0.0/24 trust' >> pg_hba.conf\n\
         primary$ pg_ctl reload\n\
         standby1$ echo 'host all all 10.0.0.0/24 trust' >> pg_hba.conf\n\
         standby1$ pg_ctl reload\n\
         lab$ dns db primary 5s\n",
    )
    .await;
    by_testid(&root, "app-add-writer").click();
    settle().await;
    by_testid(&root, "app-add-reader").click();
    settle().await;
    run(lab, "lab$ wait 2s\n").await;
    let log = text(&root, "console-log");
    assert!(
        log.contains("lab$ app add writer1 'host=db' 5 writer"),
        "{log}"
    );
    assert!(
        log.contains("lab$ app add reader2 'host=standby1' 5 reader"),
        "{log}"
    );
    let (kind, node, writer) = app_row(&root, "writer1");
    assert_eq!(
        (kind.as_str(), node.as_str()),
        ("writer", "primary"),
        "{writer}"
    );
    assert!(writer.contains("acknowledged"), "{writer}");
    let (kind, node, reader) = app_row(&root, "reader2");
    assert_eq!(
        (kind.as_str(), node.as_str()),
        ("reader", "standby1"),
        "{reader}"
    );
    assert!(reader.contains("stale"), "{reader}");

    run(
        lab,
        "lab$ crash primary\nstandby1$ pg_ctl promote\nlab$ wait 1s\n",
    )
    .await;
    by_testid(&root, "dns-repoint").click();
    settle().await;
    run(lab, "lab$ wait 8s\n").await;
    let log = text(&root, "console-log");
    assert!(log.contains("lab$ dns db standby1"), "{log}");
    let (_, node, writer) = app_row(&root, "writer1");
    assert_eq!(node, "standby1", "the writer follows the name: {writer}");
}
