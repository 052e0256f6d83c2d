//! The browser entry: install the panic hook and mount the app.

#[cfg(target_arch = "wasm32")]
fn main() {
    walscope::ui::install_panic_hook();
    leptos::mount::mount_to_body(walscope::ui::App);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("walscope-web is the browser entry; build it with `trunk build` (see README.md)");
    std::process::exit(2);
}
