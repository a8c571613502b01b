//! The region table for 所属区域: the ledger's table for the province (`regions.csv` in the
//! app's files, precached, so registration works offline), offered as the suggestions of the
//! region field. The field keeps what is chosen as `130102 河北省 石家庄市 长安区`, whose
//! leading code is what the ledger scopes by.
//!
//! Never called from the app shell (registration is the first screen and must fit the
//! app-shell budget: the call from the form cost it 672 bytes brotli, measured): the data loader
//! offers the table to the registration form once it runs (`session::load`, on demand) and
//! the profile screen does itself, so this code and the table's parser come with the
//! screens' chunk. The `<datalist>` is built with DOM calls for the same reason.

use crate::platform::http;
use paicha_core::region::Regions;

/// The file `paicha-build` writes (`REGIONS_CSV` there).
const REGIONS_CSV: &str = "regions.csv";

/// Offers the region table as suggestions to the text input `input_id`; nothing happens
/// when it cannot be loaded (the field still takes a typed code).
pub fn offer(input_id: &'static str) {
    leptos::task::spawn_local(async move {
        match labels().await {
            Ok(labels) => suggest(input_id, &labels),
            Err(e) => leptos::logging::warn!("region table not loaded: {e}"),
        }
    });
}

/// `130102 河北省 石家庄市 长安区` for every region in the table, by code.
async fn labels() -> Result<Vec<String>, String> {
    let bytes = http::get_bytes(REGIONS_CSV)
        .await
        .map_err(|e| e.to_string())?;
    let text = String::from_utf8(bytes).map_err(|_| format!("{REGIONS_CSV} is not UTF-8"))?;
    let regions = Regions::from_csv(&text).map_err(|e| e.to_string())?;
    Ok(regions.iter().map(|r| regions.label(&r.code)).collect())
}

/// Puts a `<datalist>` of `labels` beside the input and links it; the browser shows the
/// entries that contain what is typed (a name or a code).
fn suggest(input_id: &str, labels: &[String]) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(input) = document.get_element_by_id(input_id) else {
        return;
    };
    let list_id = format!("{input_id}-list");
    if document.get_element_by_id(&list_id).is_some() {
        return;
    }
    let Ok(list) = document.create_element("datalist") else {
        return;
    };
    let _ = list.set_attribute("id", &list_id);
    for label in labels {
        if let Ok(option) = document.create_element("option") {
            let _ = option.set_attribute("value", label);
            let _ = list.append_child(&option);
        }
    }
    // insertBefore rather than insertAdjacentElement: the framework imports it already, and
    // each new browser call adds glue to the app shell.
    if let Some(parent) = input.parent_node() {
        let _ = parent.insert_before(&list, input.next_sibling().as_ref());
    }
    let _ = input.set_attribute("list", &list_id);
}
