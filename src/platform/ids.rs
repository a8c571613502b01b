//! Fresh identifiers from the browser's CSPRNG.

/// A fresh random (v4) UUID.
pub fn new_uuid() -> uuid::Uuid {
    let text = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.random_uuid())
        .expect("crypto.randomUUID is available in every supported browser");
    uuid::Uuid::parse_str(&text).expect("randomUUID returns a UUID")
}
