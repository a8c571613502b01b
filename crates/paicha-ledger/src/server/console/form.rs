//! The console's form fields: a label, the control and, when the last submission had a problem
//! with it, the message tied to the control (`aria-describedby`, `aria-invalid`) so that a
//! screen reader reads it with the field.

use maud::{Markup, html};
use paicha_core::lists::Invalid;

pub enum Control {
    Text,
    Date,
    /// Decimal amounts: a numeric keyboard on tablets.
    Amount,
    TextArea,
    /// (value, label) pairs; the first option is an empty "请选择".
    Select(Vec<(String, String)>),
}

pub struct Field<'a> {
    pub name: &'a str,
    /// (Chinese, English).
    pub label: (&'a str, &'a str),
    pub value: &'a str,
    pub control: Control,
    pub required: bool,
    /// Prefixes the element id, so that one page can hold several forms.
    pub form: &'a str,
}

pub fn field(f: Field<'_>, errors: Option<&Invalid>) -> Markup {
    let id = format!("{}-{}", f.form, f.name);
    let error_id = format!("{id}-error");
    let error = errors.and_then(|e| e.message(f.name));
    let described = error.map(|_| error_id.as_str());
    let invalid = error.map(|_| "true");
    html! {
        div.field {
            label for=(id) { (f.label.0) " " span.en lang="en" { (f.label.1) }
                @if !f.required { " " span.optional { "（选填 optional）" } } }
            @match f.control {
                Control::Text => input id=(id) name=(f.name) value=(f.value) required[f.required]
                    aria-describedby=[described] aria-invalid=[invalid] autocomplete="off";
                Control::Date => input id=(id) name=(f.name) type="date" value=(f.value) required[f.required]
                    aria-describedby=[described] aria-invalid=[invalid];
                Control::Amount => input id=(id) name=(f.name) value=(f.value) inputmode="decimal"
                    aria-describedby=[described] aria-invalid=[invalid] autocomplete="off";
                Control::TextArea => textarea id=(id) name=(f.name) rows="3" required[f.required]
                    aria-describedby=[described] aria-invalid=[invalid] { (f.value) }
                Control::Select(options) => select id=(id) name=(f.name) required[f.required]
                    aria-describedby=[described] aria-invalid=[invalid] {
                    option value="" { "请选择 / Choose" }
                    @for (value, label) in &options {
                        option value=(value) selected[value == f.value] { (label) }
                    }
                }
            }
            @if let Some(message) = error {
                p.error id=(error_id) { (message) }
            }
        }
    }
}

/// The summary above a form that could not be saved: what to correct, announced at once.
pub fn summary(errors: Option<&Invalid>) -> Markup {
    html! {
        @if let Some(errors) = errors {
            div.error role="alert" {
                p { "未保存，请更正以下内容：" span.en lang="en" { " Not saved; please correct:" } }
                ul { @for e in &errors.0 { li { (e.message) } } }
            }
        }
    }
}
