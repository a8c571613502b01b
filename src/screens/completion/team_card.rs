//! The officers on the completion screen.

use crate::model::context::{use_model, use_save_state};
use crate::model::persist::{SaveState, after_saved};
use crate::platform::i18n::{localize, t};
use crate::widgets::field_error::FieldError;
use crate::widgets::team::{CoInspectorRow, TeamForm, TeamFormErrors, team_editor};
use leptos::prelude::*;
use paicha_core::{InspectionError, Inspector};
use uuid::Uuid;

/// On the completion screen: the officers, with the blocker when there is only one, and an
/// editor to add the co-inspector without leaving the screen.
#[component]
pub(super) fn CompletionTeam(id: Uuid) -> impl IntoView {
    let model = use_model();
    let save_state = use_save_state();
    let Some((kind, inspector, co)) = model.with_untracked(|m| {
        m.inspections
            .get(&id)
            .map(|i| (i.kind, i.inspector.clone(), i.co_inspectors.clone()))
    }) else {
        return ().into_any();
    };
    let too_few = Memo::new(move |_| {
        model.with(|m| {
            m.inspections
                .get(&id)
                .is_some_and(|i| i.officers().count() < 2)
        })
    });
    let team = RwSignal::new(TeamForm::new(Some(&inspector), &co));
    if co.is_empty() {
        team.update(|t| t.rows.push(CoInspectorRow::default()));
    }
    let errors = RwSignal::new(TeamFormErrors::default());
    let error = RwSignal::new(None::<String>);
    // 0: nothing to say, 1: saving, 2: durably stored ("updated" only then).
    let saved = RwSignal::new(0u32);
    let on_save = move |_| {
        saved.set(0);
        let list = match Vec::<Inspector>::try_from(&team.get_untracked()) {
            Ok(list) => list,
            Err(e) => return errors.set(e),
        };
        errors.set(TeamFormErrors::default());
        match model.try_update(|m| m.set_team(id, kind, list)) {
            Some(Err(e)) => error.set(Some(e.to_string())),
            _ => {
                error.set(None);
                saved.set(1);
                after_saved(move || {
                    saved.try_set(2);
                });
            }
        }
    };
    view! {
        <section class="card" class:blockers=move || too_few.get() aria-labelledby="team-title">
            <h3 id="team-title">{t("执法人员", "Officers")}</h3>
            <p class="error" role="alert" hidden=move || !too_few.get()>{localize(&InspectionError::TooFewOfficers.to_string())}</p>
            <p>{t("检查人员：", "Inspector: ")} {inspector.display()}</p>
            {team_editor(team, errors)}
            <FieldError id="team-error" message=error.into() />
            <button type="button" class="primary" on:click=on_save>{t("保存执法人员", "Save officers")}</button>
            <p role="status" hidden=move || saved.get() == 0>{move || match save_state.get() {
                _ if saved.get() == 2 => t("执法人员已更新", "Officers updated"),
                SaveState::Failed(_) => t("✗ 执法人员未保存，请重试保存", "✗ Officers not saved: retry saving"),
                _ => t("正在保存执法人员…", "Saving officers…"),
            }}</p>
        </section>
    }
    .into_any()
}
