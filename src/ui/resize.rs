//! The measured size of an element, from a `ResizeObserver` (reading it on every frame
//! would force a layout of the page each time).

use leptos::html::Div;
use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

type Observer = (web_sys::ResizeObserver, Closure<dyn FnMut(js_sys::Array)>);

/// The content size of `el` in CSS pixels, once it has been laid out (`None` before, or
/// while it has no size, as in a page without the style sheet).
pub fn use_size(el: NodeRef<Div>) -> RwSignal<Option<(f64, f64)>> {
    let size = RwSignal::new(None);
    let observer = StoredValue::new_local(None::<Observer>);
    Effect::new(move |_| {
        let Some(e) = el.get() else { return };
        if observer.with_value(Option::is_some) {
            return;
        }
        let cb = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
            if let Ok(e) = entries.get(0).dyn_into::<web_sys::ResizeObserverEntry>() {
                let r = e.content_rect();
                let s = (r.width() > 1.0 && r.height() > 1.0).then(|| (r.width(), r.height()));
                if size.get_untracked() != s {
                    size.set(s);
                }
            }
        });
        if let Ok(o) = web_sys::ResizeObserver::new(cb.as_ref().unchecked_ref()) {
            o.observe(&e);
            observer.set_value(Some((o, cb)));
        }
    });
    on_cleanup(move || {
        if let Some(Some((o, _cb))) = observer.try_update_value(Option::take) {
            o.disconnect();
        }
    });
    size
}
