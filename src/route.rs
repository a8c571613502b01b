//! Screens addressed by the URL fragment (`#/inspection/<id>`), so a reload or the back button
//! returns to the same place without a server round trip.

use leptos::prelude::*;
use uuid::Uuid;
use wasm_bindgen::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Home,
    NewInspection,
    Inspection(Uuid),
    Export(Uuid),
    Outbox,
    Storage,
    /// 完成检查: summary, site signature, seal.
    Complete(Uuid),
    /// 现场检查记录, printable.
    Record(Uuid),
    /// 责令限期整改指令书, printable.
    Notice(Uuid),
    /// 隐患督查: every hazard of the sealed inspections with its status today.
    FollowUp,
    /// 复查意见书 of a re-inspection, printable.
    ReviewRecord(Uuid),
    /// 个人信息: the inspector's profile.
    Profile,
    /// 被检单位: saved sites with search.
    Sites,
    /// One saved site to edit, or (None) a new one.
    Site(Option<Uuid>),
}

impl Route {
    pub fn parse(hash: &str) -> Self {
        let path = hash.trim_start_matches('#').trim_start_matches('/');
        let mut parts = path.splitn(2, '/');
        match (parts.next(), parts.next().map(Uuid::parse_str)) {
            (Some("new"), _) => Route::NewInspection,
            (Some("outbox"), _) => Route::Outbox,
            (Some("storage"), _) => Route::Storage,
            (Some("inspection"), Some(Ok(id))) => Route::Inspection(id),
            (Some("export"), Some(Ok(id))) => Route::Export(id),
            (Some("complete"), Some(Ok(id))) => Route::Complete(id),
            (Some("record"), Some(Ok(id))) => Route::Record(id),
            (Some("notice"), Some(Ok(id))) => Route::Notice(id),
            (Some("followup"), _) => Route::FollowUp,
            (Some("review-record"), Some(Ok(id))) => Route::ReviewRecord(id),
            (Some("profile"), _) => Route::Profile,
            (Some("sites"), _) => Route::Sites,
            (Some("site"), Some(Ok(id))) => Route::Site(Some(id)),
            (Some("site"), _) if path == "site/new" => Route::Site(None),
            _ => Route::Home,
        }
    }

    pub fn href(self) -> String {
        match self {
            Route::Home => "#/".into(),
            Route::NewInspection => "#/new".into(),
            Route::Inspection(id) => format!("#/inspection/{id}"),
            Route::Export(id) => format!("#/export/{id}"),
            Route::Complete(id) => format!("#/complete/{id}"),
            Route::Outbox => "#/outbox".into(),
            Route::Storage => "#/storage".into(),
            Route::Record(id) => format!("#/record/{id}"),
            Route::Notice(id) => format!("#/notice/{id}"),
            Route::FollowUp => "#/followup".into(),
            Route::ReviewRecord(id) => format!("#/review-record/{id}"),
            Route::Profile => "#/profile".into(),
            Route::Sites => "#/sites".into(),
            Route::Site(Some(id)) => format!("#/site/{id}"),
            Route::Site(None) => "#/site/new".into(),
        }
    }
}

fn location_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// The current route, following `hashchange` events.
pub fn current() -> ReadSignal<Route> {
    let (route, set_route) = signal(Route::parse(&location_hash()));
    let on_change = Closure::<dyn Fn()>::new(move || set_route.set(Route::parse(&location_hash())));
    if let Some(window) = web_sys::window() {
        let _ = window
            .add_event_listener_with_callback("hashchange", on_change.as_ref().unchecked_ref());
    }
    // The listener lives as long as the page.
    on_change.forget();
    route
}

pub fn navigate(route: Route) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().set_hash(&route.href());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_round_trip_through_the_fragment() {
        let id = Uuid::from_u128(42);
        for route in [
            Route::Home,
            Route::NewInspection,
            Route::Inspection(id),
            Route::Export(id),
            Route::Complete(id),
            Route::Record(id),
            Route::Notice(id),
            Route::FollowUp,
            Route::ReviewRecord(id),
            Route::Profile,
            Route::Sites,
            Route::Site(Some(id)),
            Route::Site(None),
        ] {
            assert_eq!(Route::parse(&route.href()), route);
        }
        assert_eq!(Route::parse("#/inspection/not-a-uuid"), Route::Home);
        assert_eq!(Route::parse(""), Route::Home);
        assert_eq!(Route::parse("#/site/not-a-uuid"), Route::Home);
    }
}
