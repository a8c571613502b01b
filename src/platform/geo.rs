//! The device's position (Geolocation API).

use paicha_core::finding::GeoPosition;

/// Asks the device for its position once and calls `on_fix` with it. Refusal, no fix or a
/// timeout never call it: callers carry on without a position.
pub fn current_position(on_fix: impl FnOnce(GeoPosition) + 'static) {
    use js_sys::{Function, Object, Reflect};
    use wasm_bindgen::prelude::*;
    let Some(window) = web_sys::window() else {
        return;
    };
    let Ok(geolocation) = Reflect::get(&window.navigator(), &"geolocation".into()) else {
        return;
    };
    let Some(get) = Reflect::get(&geolocation, &"getCurrentPosition".into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
    else {
        return;
    };
    let on_success = Closure::once_into_js(move |position: JsValue| {
        let coords = Reflect::get(&position, &"coords".into()).unwrap_or(JsValue::NULL);
        let number = |name: &str| {
            Reflect::get(&coords, &name.into())
                .ok()
                .and_then(|v| v.as_f64())
        };
        let (Some(lat), Some(lon)) = (number("latitude"), number("longitude")) else {
            return;
        };
        if let Some(position) =
            GeoPosition::from_degrees(lat, lon, number("accuracy").unwrap_or(0.0))
        {
            on_fix(position);
        }
    });
    let on_error = Closure::once_into_js(|_: JsValue| {});
    let options = Object::new();
    let _ = Reflect::set(&options, &"enableHighAccuracy".into(), &true.into());
    let _ = Reflect::set(&options, &"timeout".into(), &20_000.into());
    let _ = Reflect::set(&options, &"maximumAge".into(), &60_000.into());
    let _ = get.call3(&geolocation, &on_success, &on_error, &options);
}
