//! Screens addressed by the URL fragment (`#/inspection/<id>`), so a reload or the back button
//! returns to the same place without a server round trip. A screen's parameters travel in its
//! route (typed here), never in globals: `#/new/<site id>` opens the new-inspection form with a
//! saved site chosen, `#/inspection/<id>/<item or review anchor>` scrolls to that card.

use leptos::prelude::*;
use uuid::Uuid;
use wasm_bindgen::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Home,
    /// 新建检查, with a saved site already chosen (from the enterprise's page).
    NewInspection(Option<Uuid>),
    Inspection(Uuid),
    /// The inspection, scrolled to one card: an item id, or a review's anchor
    /// (`review-<short id>-<item id>`). See [`Anchor`].
    InspectionAt(Uuid, Anchor),
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

/// Where on a screen to go: letters, digits, `-`, `_` and `.` only (item ids and review
/// anchors are), so it can stand in a URL fragment and an element id as is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor(String);

impl Anchor {
    pub fn new(text: &str) -> Option<Self> {
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
        (!text.is_empty() && text.len() <= 64 && text.chars().all(allowed))
            .then(|| Self(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Route {
    pub fn parse(hash: &str) -> Self {
        let path = hash.trim_start_matches('#').trim_start_matches('/');
        let mut parts = path.splitn(3, '/');
        let (screen, id, rest) = (parts.next(), parts.next(), parts.next());
        if screen == Some("inspection")
            && let (Some(Ok(id)), Some(anchor)) =
                (id.map(Uuid::parse_str), rest.and_then(Anchor::new))
        {
            return Route::InspectionAt(id, anchor);
        }
        if rest.is_some() {
            return Route::Home;
        }
        match (screen, id.map(Uuid::parse_str)) {
            (Some("new"), None) => Route::NewInspection(None),
            (Some("new"), Some(Ok(site))) => Route::NewInspection(Some(site)),
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

    pub fn href(&self) -> String {
        match self {
            Route::Home => "#/".into(),
            Route::NewInspection(None) => "#/new".into(),
            Route::NewInspection(Some(site)) => format!("#/new/{site}"),
            Route::Inspection(id) => format!("#/inspection/{id}"),
            Route::InspectionAt(id, anchor) => format!("#/inspection/{id}/{}", anchor.as_str()),
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

pub fn navigate(route: &Route) {
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
            Route::NewInspection(None),
            Route::NewInspection(Some(id)),
            Route::Inspection(id),
            Route::InspectionAt(id, Anchor::new("FW-02").unwrap()),
            Route::InspectionAt(id, Anchor::new("review-abcdef12-CM-00-04").unwrap()),
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
        // An anchor is letters, digits, '-', '_' and '.': anything else is no route.
        let at = |rest: &str| Route::parse(&format!("#/inspection/{id}/{rest}"));
        assert_eq!(
            at("FW-02"),
            Route::InspectionAt(id, Anchor::new("FW-02").unwrap())
        );
        assert_eq!(at("<script>"), Route::Home);
        assert_eq!(at("a/b"), Route::Home);
        assert_eq!(at(""), Route::Home);
        assert_eq!(Route::parse(&format!("#/new/{id}/x")), Route::Home);
        assert_eq!(Route::parse("#/new/not-a-uuid"), Route::Home);
    }
}
