//! The device's position, recorded when an inspection (or re-inspection) starts.

use leptos::prelude::*;

/// Asks the device for its position and records it on the inspection. Refusal, no fix or a
/// timeout leave the inspection without one: the inspector carries on either way.
pub fn capture_position(app: crate::AppContext, id: uuid::Uuid) {
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
    let on_fix = Closure::once_into_js(move |position: JsValue| {
        let coords = Reflect::get(&position, &"coords".into()).unwrap_or(JsValue::NULL);
        let number = |name: &str| {
            Reflect::get(&coords, &name.into())
                .ok()
                .and_then(|v| v.as_f64())
        };
        let (Some(lat), Some(lon)) = (number("latitude"), number("longitude")) else {
            return;
        };
        if let Some(position) = paicha_core::finding::GeoPosition::from_degrees(
            lat,
            lon,
            number("accuracy").unwrap_or(0.0),
        ) {
            app.model.update(|m| {
                // A sealed or deleted inspection simply does not take it.
                let _ = m.set_position(id, position);
            });
        }
    });
    let on_error = Closure::once_into_js(|_: JsValue| {});
    let options = Object::new();
    let _ = Reflect::set(&options, &"enableHighAccuracy".into(), &true.into());
    let _ = Reflect::set(&options, &"timeout".into(), &20_000.into());
    let _ = Reflect::set(&options, &"maximumAge".into(), &60_000.into());
    let _ = get.call3(&geolocation, &on_fix, &on_error, &options);
}
