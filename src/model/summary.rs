//! What the first screen shows, stored beside the records (`kv/home`), so that home is drawn
//! before the model is loaded (issue 8: the app shell). Loading the model, its
//! (de)serialisers, the persistence Effect and the device key are code the first screen
//! never needs: they live in the on-demand chunk (`services::session`).
//!
//! The summary is derived data, never evidence: it is rewritten in the same transaction as
//! every change of what it shows, checked against the model on every start (and rewritten if
//! it differs), and home shows the model's own summary as soon as the model is loaded.
//!
//! It is written with serde (in the chunk) and read here without it: JSON.parse and field
//! lookups, a few hundred bytes instead of serde's deserialiser in the first module.

use super::Model;
use crate::platform::clock;
use crate::platform::device_key::DeviceKey;
use crate::platform::route::Route;
use js_sys::{Array, JSON, Reflect};
use paicha_core::followup::HazardStatus;
use serde::Serialize;
use wasm_bindgen::JsValue;

/// Its key in the `kv` store. Device-only: a backup never carries it.
pub const KEY: &str = "home";
/// Changed whenever the shape changes: a summary of another version is ignored (home then
/// waits for the model, which writes the current one).
const VERSION: u32 = 2;

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Summary {
    v: u32,
    /// The registered inspector, if any.
    pub profile: Option<Profile>,
    /// The device key's id (hex), empty before registration.
    pub key_id: String,
    /// Newest first.
    pub inspections: Vec<Row>,
    /// `YYYY-MM-DD` deadline of every hazard whose status follows the calendar (整改中,
    /// 即将到期, 逾期未整改): how many are overdue depends on the day the app is opened.
    pub deadlines: Vec<String>,
    /// 待办: hazards pulled from the ledger assigned to this person, still to re-inspect.
    pub todo: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Profile {
    pub name: String,
    pub cert_no: String,
    pub organisation: String,
    pub region: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub id: String,
    pub site: String,
    /// When it was started, milliseconds since the Unix epoch.
    pub started_ms: i64,
    pub sealed: bool,
}

impl Summary {
    /// What a device with nothing stored shows: registration.
    pub fn first_run() -> Self {
        Self {
            v: VERSION,
            ..Self::default()
        }
    }

    /// The summary of `model` (in the chunk, where the model is).
    pub fn of(model: &Model, key: Option<&DeviceKey>) -> Self {
        let calendar = [
            HazardStatus::Overdue,
            HazardStatus::DueSoon,
            HazardStatus::Open,
        ];
        let today = clock::today();
        let own = model.follow_up(today);
        let pulled = model.pulled_others(today);
        let deadlines = own
            .iter()
            .map(|f| (f.status, f.deadline))
            .chain(pulled.iter().map(|(_, s)| (s.status, s.deadline)))
            .filter(|(status, _)| calendar.contains(status))
            .filter_map(|(_, deadline)| deadline)
            .map(|d| {
                clock::iso_date(
                    chrono::Datelike::year(&d),
                    chrono::Datelike::month(&d),
                    chrono::Datelike::day(&d),
                )
            })
            .collect();
        Self {
            v: VERSION,
            profile: model.profile.as_ref().map(Profile::from),
            key_id: key.map(|k| k.key_id.to_string()).unwrap_or_default(),
            inspections: model
                .inspections_newest_first()
                .into_iter()
                .map(|i| Row {
                    id: i.id.to_string(),
                    site: i.site.name.clone(),
                    started_ms: i.started_at.timestamp_millis(),
                    sealed: i.is_sealed(),
                })
                .collect(),
            deadlines,
            todo: model.todo_of(&own, &pulled) as u32,
        }
    }

    /// Registered: a profile and its signing key (what registration creates).
    pub fn registered(&self) -> bool {
        self.profile.is_some() && !self.key_id.is_empty()
    }

    /// How many hazards are overdue on `today` (`YYYY-MM-DD`): the follow-up list's count,
    /// since a deadline before today is what makes a hazard overdue.
    pub fn overdue(&self, today: &str) -> usize {
        self.deadlines.iter().filter(|d| d.as_str() < today).count()
    }

    /// The key id as [`paicha_core::KeyId::short`] groups it; empty before registration.
    pub fn key_short(&self) -> String {
        paicha_core::KeyId::try_from(self.key_id.clone())
            .map(|id| id.short())
            .unwrap_or_default()
    }
}

impl From<&paicha_core::Inspector> for Profile {
    fn from(inspector: &paicha_core::Inspector) -> Self {
        Self {
            name: inspector.name.clone(),
            cert_no: inspector.cert_no.clone(),
            organisation: inspector.organisation.clone(),
            region: inspector.region.clone(),
        }
    }
}

impl Row {
    /// Where it opens: the export screen once sealed.
    pub fn href(&self) -> String {
        let id = uuid::Uuid::parse_str(&self.id).unwrap_or_default();
        if self.sealed {
            Route::Export(id).href()
        } else {
            Route::Inspection(id).href()
        }
    }
}

/// The stored summary: JSON text as `storage::to_js` writes it. `None` if absent, of another
/// version, or unreadable: the first screen then waits for the model.
pub fn read(value: &JsValue) -> Option<Summary> {
    let text = value.as_string()?;
    let object = JSON::parse(&text).ok()?;
    if number(&object, "v")? != f64::from(VERSION) {
        return None;
    }
    let profile = get(&object, "profile")?;
    let profile = if profile.is_null() {
        None
    } else {
        Some(Profile {
            name: string(&profile, "name")?,
            cert_no: string(&profile, "cert_no")?,
            organisation: string(&profile, "organisation")?,
            region: string(&profile, "region")?,
        })
    };
    let inspections = list(&object, "inspections")?
        .iter()
        .map(|row| {
            Some(Row {
                id: string(&row, "id")?,
                site: string(&row, "site")?,
                started_ms: number(&row, "started_ms")? as i64,
                sealed: get(&row, "sealed")?.as_bool()?,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    let deadlines = list(&object, "deadlines")?
        .iter()
        .map(|d| d.as_string())
        .collect::<Option<Vec<_>>>()?;
    Some(Summary {
        v: VERSION,
        profile,
        key_id: string(&object, "key_id")?,
        inspections,
        deadlines,
        todo: number(&object, "todo")? as u32,
    })
}

fn get(object: &JsValue, field: &str) -> Option<JsValue> {
    Reflect::get(object, &field.into())
        .ok()
        .filter(|v| !v.is_undefined())
}

fn string(object: &JsValue, field: &str) -> Option<String> {
    get(object, field)?.as_string()
}

fn number(object: &JsValue, field: &str) -> Option<f64> {
    get(object, field)?.as_f64()
}

fn list(object: &JsValue, field: &str) -> Option<Array> {
    let value = get(object, field)?;
    Array::is_array(&value).then(|| Array::from(&value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_id_is_shown_grouped_once_registered() {
        let id = "0123456789abcdef".repeat(4);
        let summary = Summary {
            key_id: id.clone(),
            ..Summary::first_run()
        };
        assert_eq!(summary.key_short(), "0123 4567 89ab cdef");
        assert_eq!(Summary::first_run().key_short(), "");
    }
}
