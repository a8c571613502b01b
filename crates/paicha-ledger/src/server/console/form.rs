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

/// One form's fields: its id prefix and the problems of its last submission.
pub struct Fields<'a> {
    pub form: &'a str,
    pub errors: Option<&'a Invalid>,
}

impl Fields<'_> {
    pub fn field(
        &self,
        name: &str,
        label: (&str, &str),
        value: &str,
        control: Control,
        required: bool,
    ) -> Markup {
        field(
            Field {
                name,
                label,
                value,
                control,
                required,
                form: self.form,
            },
            self.errors,
        )
    }
}

/// The options of a closed vocabulary: (slug, `中文 English`).
pub fn options<T: Copy>(
    all: &[T],
    slug: fn(T) -> &'static str,
    label: fn(T) -> String,
) -> Vec<(String, String)> {
    all.iter()
        .map(|v| (slug(*v).to_string(), label(*v)))
        .collect()
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

/// A form that records something: its accessible name and heading `title`, the CSRF field,
/// what to correct from the last submission, the `fields`, and the submit button.
pub fn record_form(
    action: &str,
    title: (&str, &str),
    button: &str,
    csrf: &str,
    errors: Option<&Invalid>,
    fields: Markup,
) -> Markup {
    html! {
        form.record.no-print method="post" action=(action) aria-label={(title.0) " " (title.1)} {
            input type="hidden" name="csrf" value=(csrf);
            h3 { (title.0) " " span.en lang="en" { (title.1) } }
            (summary(errors))
            (fields)
            button.primary type="submit" { (button) }
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
