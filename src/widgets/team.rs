//! The inspection team (执法人员): the co-inspectors who inspect with the registered
//! inspector. A law-enforcement inspection needs at least two officers, so sealing waits for
//! one co-inspector; the new-inspection form and the completion screen both edit the team.

use crate::platform::i18n::{localize, t};
use leptos::prelude::*;
use paicha_core::{Inspection, InspectionError, InspectionKind, Inspector};

/// One co-inspector as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CoInspectorRow {
    pub name: String,
    pub cert_no: String,
}

/// The co-inspector rows as typed, and the registered inspector's own 执法证号 (a co-inspector
/// cannot be the inspector).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TeamForm {
    pub inspector_cert: String,
    pub rows: Vec<CoInspectorRow>,
}

/// One message per row (same length as the rows).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TeamFormErrors {
    pub rows: Vec<Option<String>>,
}

impl TeamForm {
    pub fn new(inspector: Option<&Inspector>, team: &[Inspector]) -> Self {
        Self {
            inspector_cert: inspector.map(|i| i.cert_no.clone()).unwrap_or_default(),
            rows: team
                .iter()
                .map(|i| CoInspectorRow {
                    name: i.name.clone(),
                    cert_no: i.cert_no.clone(),
                })
                .collect(),
        }
    }
}

impl TryFrom<&TeamForm> for Vec<Inspector> {
    type Error = TeamFormErrors;
    /// Rows left entirely blank are skipped; a row with only a name or only a number, or a
    /// number already listed, gets a message.
    fn try_from(form: &TeamForm) -> Result<Self, TeamFormErrors> {
        let mut team: Vec<Inspector> = Vec::new();
        let mut errors = vec![None; form.rows.len()];
        for (row, error) in form.rows.iter().zip(errors.iter_mut()) {
            if row.name.trim().is_empty() && row.cert_no.trim().is_empty() {
                continue;
            }
            match Inspector::new(&row.name, &row.cert_no) {
                Ok(co)
                    if co.cert_no == form.inspector_cert.trim()
                        || team.iter().any(|t| t.cert_no == co.cert_no) =>
                {
                    *error = Some(InspectionError::DuplicateInspector(co.display()).to_string());
                }
                Ok(co) => team.push(co),
                Err(e) => *error = Some(e.to_string()),
            }
        }
        if errors.iter().any(Option::is_some) {
            return Err(TeamFormErrors { rows: errors });
        }
        Ok(team)
    }
}

/// Rows of name + 执法证号 with a remove button each, and a button to add a row.
pub fn team_editor(team: RwSignal<TeamForm>, errors: RwSignal<TeamFormErrors>) -> AnyView {
    let count = move || team.with(|t| t.rows.len());
    let row = move |i: usize| {
        let n = i + 1;
        let value = move |cert: bool| {
            team.with(|t| {
                t.rows
                    .get(i)
                    .map(|r| {
                        if cert {
                            r.cert_no.clone()
                        } else {
                            r.name.clone()
                        }
                    })
                    .unwrap_or_default()
            })
        };
        let set = move |cert: bool, text: String| {
            team.update(|t| {
                if let Some(r) = t.rows.get_mut(i) {
                    *(if cert { &mut r.cert_no } else { &mut r.name }) = text;
                }
            })
        };
        let error = move || errors.with(|e| e.rows.get(i).cloned().flatten());
        let error_id = format!("co-error-{n}");
        view! {
            <div class="co-row" role="group" aria-label=format!("{} {n}", t("同行检查人员", "Co-inspector"))>
                <div>
                    <label for=format!("co-name-{n}")>{format!("{} {n} {}", t("同行检查人员", "Co-inspector"), t("姓名", "name"))}</label>
                    <input id=format!("co-name-{n}") type="text" autocomplete="off"
                        aria-describedby=error_id.clone()
                        aria-invalid=move || error().is_some().to_string()
                        prop:value=move || value(false)
                        on:input=move |ev| set(false, event_target_value(&ev)) />
                </div>
                <div>
                    <label for=format!("co-cert-{n}")>{format!("{} {n} {}", t("同行检查人员", "Co-inspector"), t("执法证号", "certificate No."))}</label>
                    <input id=format!("co-cert-{n}") type="text" autocomplete="off" autocapitalize="characters"
                        spellcheck="false" aria-describedby=error_id.clone()
                        aria-invalid=move || error().is_some().to_string()
                        prop:value=move || value(true)
                        on:input=move |ev| set(true, event_target_value(&ev)) />
                </div>
                <p class="error" role="alert" id=error_id hidden=move || error().is_none()>{move || error().map(|e| localize(&e))}</p>
                <button type="button" class="secondary" aria-label=format!("{} {n}", t("删除同行检查人员", "Remove co-inspector"))
                    on:click=move |_| {
                        team.update(|t| { if i < t.rows.len() { t.rows.remove(i); } });
                        errors.update(|e| { if i < e.rows.len() { e.rows.remove(i); } });
                    }>{t("删除", "Remove")}</button>
            </div>
        }
    };
    view! {
        <p id="team-hint" class=move || if count() == 0 { "general" } else { "hint" }>
            {t("签章前须至少有一名同行检查人员（执法检查须两人以上）。",
               "At least one co-inspector is needed before sealing (inspections need two officers).")}
        </p>
        // Rows are keyed by position: typing never rebuilds them, so focus stays in the field.
        <For each=move || 0..count() key=|i| *i children=row />
        <button type="button" class="secondary"
            on:click=move |_| team.update(|t| t.rows.push(CoInspectorRow::default()))>
            {t("添加同行检查人员", "Add co-inspector")}
        </button>
    }
    .into_any()
}

/// The officers of an inspection as the record names them: 姓名（执法证号）, the inspector first.
pub fn officers_text(inspection: &Inspection) -> String {
    inspection
        .officers()
        .map(Inspector::display)
        .collect::<Vec<_>>()
        .join("、")
}

/// Officers and the site's details for the inspection header.
pub fn inspection_facts(inspection: &Inspection) -> AnyView {
    let s = &inspection.site;
    let details = [
        &s.address,
        &s.township,
        &s.grid,
        &s.contact_name,
        &s.contact_phone,
    ]
    .into_iter()
    .filter(|p| !p.is_empty())
    .cloned()
    .collect::<Vec<_>>()
    .join(" · ");
    view! {
        <p>{t("执法人员：", "Officers: ")} {officers_text(inspection)}</p>
        {(!details.is_empty()).then(|| view! { <p>{t("单位信息：", "Enterprise: ")} {details}</p> })}
    }
    .into_any()
}

/// How the inspection type reads on screen: 日常检查, or Routine inspection.
pub fn kind_label(kind: InspectionKind) -> &'static str {
    t(kind.label_zh(), kind.label_en())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, cert: &str) -> CoInspectorRow {
        CoInspectorRow {
            name: name.into(),
            cert_no: cert.into(),
        }
    }

    fn form(rows: Vec<CoInspectorRow>) -> TeamForm {
        TeamForm {
            inspector_cert: "GD-0001".into(),
            rows,
        }
    }

    #[test]
    fn filled_rows_become_co_inspectors_and_blank_rows_are_skipped() {
        let team = Vec::<Inspector>::try_from(&form(vec![row(" 李四 ", "GD-0002"), row("", " ")]))
            .unwrap();
        assert_eq!(team, [Inspector::new("李四", "GD-0002").unwrap()]);
        assert!(
            Vec::<Inspector>::try_from(&form(vec![]))
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn half_filled_and_repeated_rows_get_a_message_each() {
        let errors = Vec::<Inspector>::try_from(&form(vec![
            row("李四", ""),
            row("王五", "GD-0003"),
            row("王五", "GD-0003"),
            row("赵六", "GD-0001"),
        ]))
        .unwrap_err();
        assert_eq!(errors.rows.len(), 4);
        assert!(errors.rows[0].as_deref().unwrap().contains("执法证号"));
        assert_eq!(errors.rows[1], None);
        assert!(errors.rows[2].as_deref().unwrap().contains("重复"));
        assert!(
            errors.rows[3].as_deref().unwrap().contains("GD-0001"),
            "the inspector themself"
        );
    }

    #[test]
    fn the_form_starts_from_the_last_team() {
        let me = Inspector::new("张三", "GD-0001").unwrap();
        let last = [Inspector::new("李四", "GD-0002").unwrap()];
        let form = TeamForm::new(Some(&me), &last);
        assert_eq!(form.inspector_cert, "GD-0001");
        assert_eq!(form.rows, [row("李四", "GD-0002")]);
        assert_eq!(Vec::<Inspector>::try_from(&form).unwrap(), last);
    }
}
