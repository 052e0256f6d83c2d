//! Browser tests of the applications on the stage: a writer and a reader added with
//! the buttons are drawn with a line to the card of the node each is connected to, and
//! after a promotion and a re-point of the DNS name the writer's line moves to the new
//! primary; the applications' chart shows the window in which its writes failed and
//! the acknowledged writes the failover lost, as the model counts them.
#![cfg(target_arch = "wasm32")]

use walscope::examples::EXAMPLES;
use wasm_bindgen_test::*;

#[path = "support/mod.rs"]
mod support;
use support::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The node application `name`'s line is drawn to, checking that its end lies on the
/// top edge of that node's card as the page shows it (or on its right edge, for a chip
/// drawn beside the first card).
fn app_edge_target(root: &web_sys::HtmlElement, name: &str) -> String {
    use wasm_bindgen::JsCast;
    let e = root
        .query_selector(&format!("[data-testid='app-edge-{name}']"))
        .unwrap()
        .unwrap_or_else(|| panic!("no line drawn for {name}"));
    let target = e.get_attribute("data-target").unwrap_or_default();
    let num = |a: &str| -> f64 { e.get_attribute(a).unwrap_or_default().parse().unwrap() };
    let (x, y) = (num("data-x2"), num("data-y2"));
    let m = e
        .unchecked_ref::<web_sys::SvgGraphicsElement>()
        .get_screen_ctm()
        .unwrap();
    let (sx, sy) = (
        m.a() as f64 * x + m.c() as f64 * y + m.e() as f64,
        m.b() as f64 * x + m.d() as f64 * y + m.f() as f64,
    );
    let card = by_testid(root, &format!("card-{target}")).get_bounding_client_rect();
    let on_top = sx >= card.left() && sx <= card.right() && (sy - card.top()).abs() <= 8.0;
    let on_right = sy >= card.top() && sy <= card.bottom() && (sx - card.right()).abs() <= 8.0;
    assert!(
        on_top || on_right,
        "{name}'s line ends at ({sx:.0}, {sy:.0}), not on {target}'s card ({:.0}..{:.0}, {:.0}..{:.0})",
        card.left(),
        card.right(),
        card.top(),
        card.bottom()
    );
    target
}

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
    assert!(writer.contains("acked"), "{writer}");
    let (kind, node, reader) = app_row(&root, "reader2");
    assert_eq!(
        (kind.as_str(), node.as_str()),
        ("reader", "standby1"),
        "{reader}"
    );
    assert!(reader.contains("stale"), "{reader}");
    settle_layout().await;
    assert_eq!(app_edge_target(&root, "writer1"), "primary");
    assert_eq!(app_edge_target(&root, "reader2"), "standby1");

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
    settle_layout().await;
    assert_eq!(app_edge_target(&root, "writer1"), "standby1");
}

#[wasm_bindgen_test]
async fn the_chart_shows_the_failed_window_and_the_lost_writes_the_model_counts() {
    fresh();
    with_style();
    let (root, _handle, lab, _ui) = mount_lab(EXAMPLES[1].1);
    run(
        lab,
        "primary$ echo 'host all all 10.0.0.0/24 trust' >> pg_hba.conf\n\
         primary$ pg_ctl reload\n\
         standby1$ echo 'host all all 10.0.0.0/24 trust' >> pg_hba.conf\n\
         standby1$ pg_ctl reload\n\
         lab$ dns db primary 1s\n",
    )
    .await;
    by_testid(&root, "app-add-writer").click();
    settle().await;
    // Cut off, the asynchronous standby misses what the primary acknowledges.
    run(
        lab,
        "lab$ wait 3s\nlab$ partition primary standby1\nlab$ wait 2s\nlab$ crash primary\nlab$ wait 2s\nstandby1$ pg_ctl promote\n",
    )
    .await;
    by_testid(&root, "dns-repoint").click();
    settle().await;
    run(lab, "lab$ wait 5s\n").await;
    settle_layout().await;
    assert_eq!(app_edge_target(&root, "writer1"), "standby1");
    let row = root
        .query_selector("[data-testid='app-chart-row'][data-app='writer1']")
        .unwrap()
        .expect("the writer has a lane in the applications' chart");
    let attr = |a: &str| row.get_attribute(a).unwrap_or_default();
    let (failed, lost, history) = lab.with(|l| {
        let c = &l.runner().cluster;
        let a = &c.apps()[0];
        (
            a.counters.writes_failed,
            walscope::timeline::lost_writes(c, "writer1"),
            a.history.clone(),
        )
    });
    assert!(lost > 0 && failed > 0, "lost {lost}, failed {failed}");
    assert_eq!(attr("data-lost"), lost.to_string());
    assert_eq!(attr("data-failed"), failed.to_string());
    // The window lies between the connection's loss and the reconnect to standby1.
    let secs = |t: walscope::sim::SimTime| t.as_secs_f64();
    let down = history
        .iter()
        .find(|h| h.1.is_none())
        .map(|h| secs(h.0))
        .unwrap();
    let back = history.last().map(|h| secs(h.0)).unwrap();
    let from: f64 = attr("data-failed-from").parse().unwrap();
    let to: f64 = attr("data-failed-to").parse().unwrap();
    assert!(
        from >= down - 0.2 && to <= back + 0.2 && from < to,
        "{from}–{to} vs {down}–{back}"
    );
    let text = row.text_content().unwrap_or_default();
    assert!(
        text.contains(&format!("{lost} acknowledged writes lost")),
        "{text}"
    );
}
