//! Waiting on the browser's event loop: timers, idle time, the next frame; and performance
//! marks the benchmark reads.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Resolves after `ms` milliseconds.
pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// Resolves when the page is idle (`requestIdleCallback`), at the latest after `timeout_ms`;
/// where that API is missing, after a short delay.
pub async fn idle(timeout_ms: i32) {
    let window = web_sys::window();
    let request = window.as_ref().and_then(|w| {
        js_sys::Reflect::get(w, &"requestIdleCallback".into())
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
    });
    let (Some(window), Some(request)) = (window, request) else {
        return sleep(500).await;
    };
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let options = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&options, &"timeout".into(), &timeout_ms.into());
        let _ = request.call2(&window, &resolve, &options);
    });
    let _ = JsFuture::from(promise).await;
}

/// Resolves after the next frame has been painted (a task queued from `requestAnimationFrame`).
pub async fn after_paint() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let Some(window) = web_sys::window() else {
            let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
            return;
        };
        let queue = wasm_bindgen::closure::Closure::once_into_js(move || {
            if let Some(window) = web_sys::window() {
                let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
            }
        });
        let _ = window.request_animation_frame(queue.unchecked_ref());
    });
    let _ = JsFuture::from(promise).await;
}

/// `performance.mark(name)`, if the browser has it.
pub fn mark(name: &str) {
    let performance = web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w, &"performance".into()).ok())
        .filter(|p| !p.is_undefined());
    if let Some(performance) = performance
        && let Ok(f) = js_sys::Reflect::get(&performance, &"mark".into())
        && let Ok(f) = f.dyn_into::<js_sys::Function>()
    {
        let _ = f.call1(&performance, &name.into());
    }
}
