//! Code loaded on demand (issue 8: the app shell budget).
//!
//! In the shipped build (`--cfg paicha_split`, set by `paicha-build`), a function declared
//! with [`on_demand!`] is a split point: the build moves it, and whatever only it uses, into
//! the wasm chunk named by its group, fetched the first time one of the group's functions is
//! called (the service worker precaches every chunk, so this works offline too). The first
//! screen (home or registration) never waits for a chunk. Other builds (the wasm tests) call
//! the same functions directly.

use std::future::Future;
use std::pin::Pin;

/// A chunk could not be fetched (e.g. offline before the service worker had cached it, or an
/// old tab after the server was updated). Nothing stored depends on it, and a later call
/// fetches it again.
#[derive(Debug, Clone)]
pub struct ChunkError;

#[cfg(paicha_split)]
impl From<leptos::wasm_split::SplitLoaderError> for ChunkError {
    fn from(_: leptos::wasm_split::SplitLoaderError) -> Self {
        ChunkError
    }
}

/// What an on-demand function returns for work that continues after it returns: split points
/// must be plain functions, so async work comes back as a future to await.
pub type Task<T> = Pin<Box<dyn Future<Output = T>>>;

/// Declares `fn $name(args) -> Result<$ret, ChunkError>` (async) in chunk `$group`, and
/// `$preload()`, which fetches that chunk ahead of need.
///
/// Split points are `fallible`: a chunk that cannot be fetched is an error the caller shows,
/// never a panic (with `panic = "abort"` that would stop the whole app). Functions of one
/// group share one chunk.
macro_rules! on_demand {
    (
        $(#[$doc:meta])*
        $vis:vis fn $name:ident in $group:ident / $preload:ident ($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty
        $body:block
    ) => {
        $(#[$doc])*
        #[cfg(paicha_split)]
        #[leptos::wasm_split::wasm_split(
            $group,
            wasm_split_path = ::leptos::wasm_split,
            preload(#[allow(dead_code)] $preload),
            fallible
        )]
        $vis fn $name($($arg: $ty),*) -> Result<$ret, $crate::platform::lazy::ChunkError> {
            Ok($body)
        }

        $(#[$doc])*
        #[cfg(not(paicha_split))]
        $vis async fn $name($($arg: $ty),*) -> Result<$ret, $crate::platform::lazy::ChunkError> {
            Ok($body)
        }

        #[cfg(not(paicha_split))]
        #[allow(dead_code)]
        $vis async fn $preload() -> Result<(), $crate::platform::lazy::ChunkError> {
            Ok(())
        }
    };
}
pub(crate) use on_demand;

/// Settled once, awaited any number of times, before or after: how what loads after the first
/// screen (the stored checklists, the data) tells whoever waits for it that it is done. Kept
/// in a `thread_local!` (a JS Promise is not `Send`).
pub struct Latch {
    promise: js_sys::Promise,
    resolve: js_sys::Function,
}

impl Latch {
    pub fn new() -> Self {
        let mut resolve = None;
        let promise = js_sys::Promise::new(&mut |r, _| resolve = Some(r));
        Self {
            promise,
            resolve: resolve.expect("the Promise executor runs at once"),
        }
    }

    pub fn settle(&self) {
        let _ = self.resolve.call0(&wasm_bindgen::JsValue::NULL);
    }

    /// Resolves once [`Latch::settle`] has been called.
    pub fn wait(&self) -> wasm_bindgen_futures::JsFuture {
        wasm_bindgen_futures::JsFuture::from(self.promise.clone())
    }
}
