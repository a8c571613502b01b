//! The form that opens a case (立案), shared by the cases list and a hazard's evidence page
//! (apart from both, so that neither page's module imports the other).

use super::form::{Control, Fields, record_form};
use super::links::segment;
use super::today;
use crate::access::Identity;
use crate::store::lists::{FoundHazard, HazardKey};
use maud::{Markup, html};
use paicha_core::lists::{CaseForm, Invalid};

/// Where the evidence page's 立案 form posts.
pub fn from_hazard(key: &HazardKey) -> String {
    format!(
        "/console/cases?from_inspection={}&from_item={}",
        segment(&key.inspection_id),
        segment(&key.item_id)
    )
}

/// The new-case form's values for a hazard: its enterprise, its number and today.
pub fn prefill(found: &FoundHazard) -> CaseForm {
    CaseForm {
        org_name: found.org_name.clone(),
        credit_code: found.credit_code.clone(),
        hazards: found.number.clone(),
        opened_on: today().to_string(),
        ..Default::default()
    }
}

/// The form that opens a case; `form_id` keeps its element ids apart from other forms.
pub fn new_case_form(
    action: &str,
    identity: &Identity,
    values: &CaseForm,
    errors: Option<&Invalid>,
    form_id: &str,
) -> Markup {
    let fields = Fields {
        form: form_id,
        errors,
    };
    html! {
        (record_form(action, ("立案", "Open a case"), "立案 / Open case", &identity.csrf_token, errors, html! {
            (fields.field("case_no", ("案件编号", "Case number"), &values.case_no, Control::Text, true))
            (fields.field("cause", ("案由", "Cause"), &values.cause, Control::TextArea, true))
            (fields.field("org_name", ("单位名称", "Enterprise"), &values.org_name, Control::Text, true))
            (fields.field("credit_code", ("统一社会信用代码", "Credit code"), &values.credit_code, Control::Text, true))
            (fields.field("opened_on", ("立案日期", "Opened on"), &values.opened_on, Control::Date, true))
            (fields.field("hazards", ("关联隐患编号", "Hazard numbers"), &values.hazards, Control::TextArea, false))
        }))
    }
}
